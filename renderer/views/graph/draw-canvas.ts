/**
 * The retention graph on a canvas, for graphs too big for one SVG element per node. Draws from the
 * same positions and the same style table as the SVG renderer. Links are batched by style (one
 * path and one stroke per style), which keeps 8,000 links to a few dozen canvas calls. Labels are
 * fillText: heap strings stay text.
 */
import type { GraphModel } from '../../graph/model.js';
import { linkGeometry } from '../../graph/geometry.js';
import { linkStyle, nodeStyle } from '../../graph/style.js';

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

export function drawCanvas(ctx: CanvasRenderingContext2D, scene: CanvasScene): void {
  const { model, xy, transform: t, ratio } = scene;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, scene.width, scene.height);
  if (xy.length < model.nodes.length * 2) return;
  ctx.setTransform(ratio * t.k, 0, 0, ratio * t.k, ratio * t.x, ratio * t.y);

  // Thousands of overlapping links would paint the picture grey: the more there are, the fainter.
  const fade = Math.min(1, Math.sqrt(600 / Math.max(1, model.links.length)));
  const batches = new Map<string, number[]>();
  model.links.forEach((l, k) => {
    const key = `${l.kind}|${l.status ?? ''}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = []));
    batch.push(k);
  });
  for (const indexes of batches.values()) {
    const link = model.links[indexes[0]!]!;
    const style = linkStyle(link.kind, link.status);
    ctx.strokeStyle = style.stroke;
    ctx.fillStyle = style.stroke;
    ctx.globalAlpha = style.opacity * fade;
    ctx.lineWidth = style.width / Math.sqrt(t.k);
    ctx.setLineDash(style.dash);
    const lines = new Path2D();
    const heads = new Path2D();
    for (const k of indexes) {
      const l = model.links[k]!;
      const s = model.nodes[l.source]!;
      const d = model.nodes[l.target]!;
      const g = linkGeometry(xy[2 * l.source]!, xy[2 * l.source + 1]!, s.radius, xy[2 * l.target]!, xy[2 * l.target + 1]!, d.radius);
      if (!g) continue;
      lines.moveTo(g.x1, g.y1);
      lines.lineTo(g.x2, g.y2);
      heads.moveTo(g.arrow[0], g.arrow[1]);
      heads.lineTo(g.arrow[2], g.arrow[3]);
      heads.lineTo(g.arrow[4], g.arrow[5]);
      heads.closePath();
    }
    ctx.stroke(lines);
    ctx.setLineDash([]);
    ctx.fill(heads);
  }

  ctx.globalAlpha = 1;
  model.nodes.forEach((n, i) => {
    const style = nodeStyle(n, i === model.focus);
    ctx.beginPath();
    ctx.arc(xy[2 * i]!, xy[2 * i + 1]!, style.radius, 0, 2 * Math.PI);
    ctx.globalAlpha = style.opacity;
    ctx.fillStyle = style.fill;
    ctx.fill();
    ctx.setLineDash(style.dash);
    ctx.lineWidth = i === scene.hover ? style.strokeWidth + 1.5 : style.strokeWidth;
    ctx.strokeStyle = i === scene.hover ? '#202124' : style.stroke;
    ctx.stroke();
  });
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;

  if (scene.showLabels || model.focus >= 0) {
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#202124';
    ctx.textBaseline = 'middle';
    model.nodes.forEach((n, i) => {
      if (!scene.showLabels && i !== model.focus && i !== scene.hover) return;
      const text = n.label.length > scene.labelChars ? `${n.label.slice(0, scene.labelChars - 1)}\u2026` : n.label;
      ctx.fillText(text, xy[2 * i]! + n.radius + 3, xy[2 * i + 1]!);
    });
  }
}
