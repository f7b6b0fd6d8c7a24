/**
 * The retention graph on a canvas, for graphs too big for one SVG element per node. Draws from the
 * same positions and the same style table as the SVG renderer, in screen space (positions mapped
 * through the zoom here, not by the context's transform) so every line is one device pixel wide:
 * Chromium's software canvas strokes 6,000 hairlines in ~60 ms and the same lines 1.2 px wide in
 * ~300 ms (measured here, --disable-gpu). Links and nodes are batched by style, one path and one
 * fill or stroke per style; what lies outside the view is skipped. Labels are fillText: heap
 * strings stay text.
 */
import type { GraphModel } from '../../graph/model.js';
import { linkGeometry } from '../../graph/geometry.js';
import { linkStyle, nodeStyle, plainNodeFill, type NodeStyle } from '../../graph/style.js';

export interface CanvasScene {
  model: GraphModel;
  xy: Float32Array;
  transform: { k: number; x: number; y: number };
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  ratio: number;
  hover: number;
  showLabels: boolean;
  labelChars: number;
}

/** Labels drawn at most (the nearest to the view's centre first would be nicer; the first ones will do). */
const MAX_LABELS = 400;
/** Node radius in CSS pixels below which a node is drawn as a square. */
const SQUARE_BELOW = 3;
/** Below this zoom arrowheads are smaller than a pixel: not drawn. */
const ARROW_MIN_ZOOM = 0.6;

export function drawCanvas(ctx: CanvasRenderingContext2D, scene: CanvasScene): void {
  const { model, xy, transform: t, ratio, width, height } = scene;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (xy.length < model.nodes.length * 2) return;
  const sx = (i: number) => xy[2 * i]! * t.k + t.x;
  const sy = (i: number) => xy[2 * i + 1]! * t.k + t.y;
  const hairline = 1 / ratio;
  const margin = 20;
  const outside = (x: number, y: number) => x < -margin || y < -margin || x > width + margin || y > height + margin;

  // Thousands of overlapping links would paint the picture grey: the more there are, the fainter.
  const fade = Math.min(1, Math.sqrt(600 / Math.max(1, model.links.length)));
  const batches = new Map<string, number[]>();
  model.links.forEach((l, k) => {
    const key = `${l.kind}|${l.status ?? ''}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = []));
    batch.push(k);
  });
  ctx.lineWidth = hairline;
  for (const indexes of batches.values()) {
    const first = model.links[indexes[0]!]!;
    const style = linkStyle(first.kind, first.status);
    ctx.strokeStyle = style.stroke;
    ctx.fillStyle = style.stroke;
    ctx.globalAlpha = style.opacity * fade;
    ctx.setLineDash(style.dash);
    const lines = new Path2D();
    const heads = new Path2D();
    for (const k of indexes) {
      const l = model.links[k]!;
      const x1 = sx(l.source);
      const y1 = sy(l.source);
      const x2 = sx(l.target);
      const y2 = sy(l.target);
      if ((x1 < 0 && x2 < 0) || (y1 < 0 && y2 < 0) || (x1 > width && x2 > width) || (y1 > height && y2 > height)) continue;
      const g = linkGeometry(x1, y1, model.nodes[l.source]!.radius * t.k, x2, y2, model.nodes[l.target]!.radius * t.k);
      if (!g) continue;
      lines.moveTo(g.x1, g.y1);
      lines.lineTo(g.x2, g.y2);
      if (t.k >= ARROW_MIN_ZOOM) {
        heads.moveTo(g.arrow[0], g.arrow[1]);
        heads.lineTo(g.arrow[2], g.arrow[3]);
        heads.lineTo(g.arrow[4], g.arrow[5]);
        heads.closePath();
      }
    }
    ctx.stroke(lines);
    ctx.fill(heads);
  }
  ctx.setLineDash([]);

  // Nodes: plain ones batched by fill, the few special ones (focus, hover, removed, detached) one by one on top.
  const plain = new Map<string, Path2D>();
  const special: number[] = [];
  model.nodes.forEach((n, i) => {
    const x = sx(i);
    const y = sy(i);
    if (outside(x, y)) return;
    // Detached DOM nodes carry their own ring (graph/style.ts): drawn one by one like the others here.
    if (i === model.focus || i === scene.hover || n.status === 'removed' || n.detached) {
      special.push(i);
      return;
    }
    const fill = plainNodeFill(n);
    let path = plain.get(fill);
    if (!path) plain.set(fill, (path = new Path2D()));
    const r = Math.max(1, n.radius * t.k);
    // A dot a few pixels wide looks the same as a square, and Chromium's software canvas fills
    // thousands of rects several times faster than arcs (the 2,000-node first frame, bench ui).
    if (r < SQUARE_BELOW) path.rect(x - r, y - r, 2 * r, 2 * r);
    else {
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, 2 * Math.PI);
    }
  });
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = hairline;
  for (const [fill, path] of plain) {
    ctx.fillStyle = fill;
    ctx.fill(path);
    if (t.k >= 0.5) ctx.stroke(path);
  }
  for (const i of special) drawSpecial(ctx, nodeStyle(model.nodes[i]!, i === model.focus), sx(i), sy(i), t.k, i === scene.hover);
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;

  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#202124';
  ctx.textBaseline = 'middle';
  let labels = 0;
  model.nodes.forEach((n, i) => {
    if (!scene.showLabels && i !== model.focus && i !== scene.hover) return;
    if (labels >= MAX_LABELS && i !== model.focus && i !== scene.hover) return;
    const x = sx(i);
    const y = sy(i);
    if (outside(x, y)) return;
    labels++;
    const text = n.label.length > scene.labelChars ? `${n.label.slice(0, scene.labelChars - 1)}\u2026` : n.label;
    ctx.fillText(text, x + n.radius * t.k + 3, y);
  });
}

function drawSpecial(ctx: CanvasRenderingContext2D, style: NodeStyle, x: number, y: number, k: number, hovered: boolean): void {
  ctx.beginPath();
  ctx.arc(x, y, Math.max(2, style.radius * k), 0, 2 * Math.PI);
  ctx.globalAlpha = style.opacity;
  ctx.fillStyle = style.fill;
  ctx.fill();
  ctx.setLineDash(style.dash);
  ctx.lineWidth = hovered ? style.strokeWidth + 1.5 : style.strokeWidth;
  ctx.strokeStyle = hovered ? '#202124' : style.stroke;
  ctx.stroke();
}
