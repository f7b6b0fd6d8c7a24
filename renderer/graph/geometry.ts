/**
 * Link geometry shared by the SVG and canvas renderers: a straight segment from the edge of the
 * retainer's circle to the edge of the retained object's circle, and a small arrowhead at the
 * retained end (a retention graph reads by direction: who holds whom).
 */

export interface LinkGeometry {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Arrowhead triangle: tip, then the two base corners. */
  arrow: [number, number, number, number, number, number];
}

const ARROW_LENGTH = 6;
const ARROW_HALF_WIDTH = 3;

/** Undefined when the circles overlap (nothing sensible to draw between them). */
export function linkGeometry(sx: number, sy: number, sr: number, tx: number, ty: number, tr: number): LinkGeometry | undefined {
  const dx = tx - sx;
  const dy = ty - sy;
  const length = Math.hypot(dx, dy);
  if (length <= sr + tr + 1) return undefined;
  const ux = dx / length;
  const uy = dy / length;
  const x1 = sx + ux * sr;
  const y1 = sy + uy * sr;
  const x2 = tx - ux * tr;
  const y2 = ty - uy * tr;
  const bx = x2 - ux * ARROW_LENGTH;
  const by = y2 - uy * ARROW_LENGTH;
  return { x1, y1, x2: bx, y2: by, arrow: [x2, y2, bx - uy * ARROW_HALF_WIDTH, by + ux * ARROW_HALF_WIDTH, bx + uy * ARROW_HALF_WIDTH, by - ux * ARROW_HALF_WIDTH] };
}

/** The SVG path of an arrowhead. */
export function arrowPath(a: LinkGeometry['arrow']): string {
  const f = (n: number) => n.toFixed(1);
  return `M${f(a[0])},${f(a[1])}L${f(a[2])},${f(a[3])}L${f(a[4])},${f(a[5])}Z`;
}

/** Bounds of a set of positions, for fitting the picture into the view; undefined when empty. */
export function bounds(xy: Float32Array): { x0: number; y0: number; x1: number; y1: number } | undefined {
  if (xy.length < 2) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]!);
    x1 = Math.max(x1, xy[i]!);
    y0 = Math.min(y0, xy[i + 1]!);
    y1 = Math.max(y1, xy[i + 1]!);
  }
  return { x0, y0, x1, y1 };
}

/**
 * The zoom (scale k, translation x, y) that fits `b` into a `width` × `height` view with a margin,
 * never enlarging past `maxScale` (a three-node graph should not fill the screen).
 */
export function fitTransform(b: { x0: number; y0: number; x1: number; y1: number }, width: number, height: number, margin = 40, maxScale = 1.5): { k: number; x: number; y: number } {
  const w = Math.max(1, b.x1 - b.x0);
  const h = Math.max(1, b.y1 - b.y0);
  const k = Math.max(0.02, Math.min(maxScale, (width - 2 * margin) / w, (height - 2 * margin) / h));
  return { k, x: width / 2 - k * (b.x0 + b.x1) / 2, y: height / 2 - k * (b.y0 + b.y1) / 2 };
}
