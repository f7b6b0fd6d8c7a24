/**
 * The same datum tree as a sunburst: the zoomed node is the disc in the middle, each ring one level
 * of dominees, angles by retained size (a parent's self size is the arc its children leave open).
 */
import { arc, hierarchy, partition } from 'd3';
import { cellFill, fullLabel } from './cell-style.js';
import type { TreemapDatum } from './treemap-data.js';

export interface SunburstArc {
  key: string;
  datum: TreemapDatum;
  depth: number;
  /** SVG path data, centred on (0, 0). */
  path: string;
  fill: string;
  /** Label position (arc centroid) and text; '' when the arc is too small to carry one. */
  labelX: number;
  labelY: number;
  label: string;
}

export function layoutSunburst(data: TreemapDatum, radius: number): SunburstArc[] {
  if (!(radius > 0)) return [];
  const root = hierarchy(data, (d) => d.children)
    .sum((d) => d.own)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const levels = root.height + 1;
  partition<TreemapDatum>().size([2 * Math.PI, levels])(root);
  const ring = radius / levels;
  const shape = arc<{ x0: number; x1: number; y0: number; y1: number }>()
    .startAngle((d) => d.x0)
    .endAngle((d) => d.x1)
    .innerRadius((d) => d.y0 * ring)
    .outerRadius((d) => d.y1 * ring - 1)
    .padAngle(0.002);
  const arcs: SunburstArc[] = [];
  for (const d of root.descendants()) {
    if (d.depth === 0) continue;
    const r = d as typeof d & { x0: number; y0: number; x1: number; y1: number };
    const mid = (r.y0 + r.y1) / 2 * ring;
    const length = (r.x1 - r.x0) * mid;
    if (length < 0.5) continue;
    const [cx, cy] = shape.centroid(r);
    const chars = Math.floor(Math.min(length, ring * 1.6) / 6.5);
    const text = fullLabel(d.data);
    arcs.push({
      key: d.data.key, datum: d.data, depth: d.depth, path: shape(r) ?? '', fill: cellFill(d.data, d.depth),
      labelX: cx, labelY: cy, label: length > 40 && chars >= 4 ? (text.length > chars ? `${text.slice(0, chars - 1)}\u2026` : text) : '',
    });
  }
  return arcs;
}
