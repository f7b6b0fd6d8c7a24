/**
 * Rectangles of a dominator treemap: d3's squarified treemap over the datum tree, areas by retained
 * size. The zoomed node fills the box; its dominees are the cells, a nested level inside each
 * below a header row that carries the parent's label. Cells under one pixel are left out.
 */
import { hierarchy, treemap, treemapSquarify } from 'd3';
import { cellFill, cellLabel } from './cell-style.js';
import type { TreemapDatum } from './treemap-data.js';

export const HEADER = 16;

export interface TreemapCell {
  key: string;
  datum: TreemapDatum;
  depth: number;
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  label: string;
  /** Has nested cells drawn inside (its label sits in the header row). */
  parent: boolean;
}

export function layoutTreemap(data: TreemapDatum, width: number, height: number): TreemapCell[] {
  if (!(width > 0 && height > 0)) return [];
  const root = hierarchy(data, (d) => d.children)
    .sum((d) => d.own)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  treemap<TreemapDatum>()
    .tile(treemapSquarify)
    .size([width, height])
    .paddingInner(1)
    .paddingTop((d) => (d.depth === 0 ? 0 : HEADER))
    .paddingLeft((d) => (d.depth === 0 ? 0 : 2))
    .paddingRight((d) => (d.depth === 0 ? 0 : 2))
    .paddingBottom((d) => (d.depth === 0 ? 0 : 2))
    .round(true)(root);
  const cells: TreemapCell[] = [];
  for (const d of root.descendants()) {
    if (d.depth === 0) continue;
    const r = d as typeof d & { x0: number; y0: number; x1: number; y1: number };
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    if (w < 1 || h < 1) continue;
    const parent = (d.children?.length ?? 0) > 0 && h > HEADER + 4;
    cells.push({
      key: d.data.key, datum: d.data, depth: d.depth, x: r.x0, y: r.y0, width: w, height: h,
      fill: cellFill(d.data, d.depth), label: cellLabel(d.data, w, parent ? HEADER : h), parent,
    });
  }
  return cells;
}
