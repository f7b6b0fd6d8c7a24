/**
 * Links grouped by style (kind × overlay status) as SVG path data: one `d` for the lines and one
 * for the arrowheads of each group. The SVG renderer draws a dozen paths instead of an element per
 * link, so a frame of a 300-node graph sets a dozen attributes, not thousands (per-link lines made
 * setAttribute the main thread's largest cost while a layout streamed in).
 */
import { arrowPath, linkGeometry } from './geometry.js';
import type { GraphModel, ViewLink } from './model.js';
import { linkStyle, type StrokeStyle } from './style.js';

export interface LinkBatch {
  key: string;
  kind: ViewLink['kind'];
  status: ViewLink['status'];
  style: StrokeStyle;
  /** Links drawn (those between overlapping circles are not). */
  count: number;
  lines: string;
  heads: string;
}

export function linkBatches(model: Pick<GraphModel, 'nodes' | 'links'>, xy: Float32Array): LinkBatch[] {
  if (xy.length < model.nodes.length * 2) return [];
  const f = (n: number) => n.toFixed(1);
  const byKey = new Map<string, { batch: LinkBatch; lines: string[]; heads: string[] }>();
  for (const l of model.links) {
    const key = `${l.kind}|${l.status ?? ''}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { batch: { key, kind: l.kind, status: l.status, style: linkStyle(l.kind, l.status), count: 0, lines: '', heads: '' }, lines: [], heads: [] };
      byKey.set(key, entry);
    }
    const s = model.nodes[l.source]!;
    const t = model.nodes[l.target]!;
    const g = linkGeometry(xy[2 * l.source]!, xy[2 * l.source + 1]!, s.radius, xy[2 * l.target]!, xy[2 * l.target + 1]!, t.radius);
    if (!g) continue;
    entry.lines.push(`M${f(g.x1)},${f(g.y1)}L${f(g.x2)},${f(g.y2)}`);
    entry.heads.push(arrowPath(g.arrow));
  }
  return [...byKey.values()].map(({ batch, lines, heads }) => ({ ...batch, count: lines.length, lines: lines.join(''), heads: heads.join('') }));
}
