/**
 * Retention-graph shaped inputs for the layout tests: a focus object at the bottom, its retainers
 * fanning out toward the roots level by level (each level one hop closer), some cross links
 * between siblings (cycles), and optionally weakly held objects (distance -1) under the focus.
 * Deterministic (a fixed LCG), so a failing case can be rerun.
 */
import type { LayoutInput, LayoutNodeInput } from '../../renderer/graph/protocol.js';

export interface RetentionShape {
  levels: number;
  /** Retainers each node gets on the next level up. */
  fanOut: number;
  maxNodes: number;
  /** Extra links between random nodes of adjacent levels. */
  crossLinks?: number;
  /** Weakly held nodes hanging under the focus. */
  weak?: number;
  seed?: number;
}

export function retentionGraph(shape: RetentionShape): LayoutInput & { ids: number[] } {
  let state = shape.seed ?? 7;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const focusDistance = shape.levels;
  const nodes: LayoutNodeInput[] = [{ id: 1, distance: focusDistance, radius: 8 }];
  const pairs: number[] = [];
  const byLevel: number[][] = [[0]];
  for (let level = 1; level <= shape.levels && nodes.length < shape.maxNodes; level++) {
    const row: number[] = [];
    for (const child of byLevel[level - 1]!) {
      for (let k = 0; k < shape.fanOut && nodes.length < shape.maxNodes; k++) {
        const index = nodes.length;
        nodes.push({ id: 1 + 2 * index, distance: focusDistance - level, radius: 4 + random() * 6 });
        pairs.push(index, child);
        row.push(index);
      }
    }
    byLevel.push(row);
  }
  for (let k = 0; k < (shape.crossLinks ?? 0); k++) {
    const level = 1 + Math.floor(random() * (byLevel.length - 2));
    const up = byLevel[level + 1];
    const down = byLevel[level]!;
    if (!up || up.length === 0) continue;
    pairs.push(up[Math.floor(random() * up.length)]!, down[Math.floor(random() * down.length)]!);
  }
  for (let k = 0; k < (shape.weak ?? 0); k++) {
    const index = nodes.length;
    nodes.push({ id: 1 + 2 * index, distance: -1, radius: 4 });
    pairs.push(0, index);
  }
  return { nodes, links: Uint32Array.from(pairs), focus: 0, ids: nodes.map((n) => n.id) };
}
