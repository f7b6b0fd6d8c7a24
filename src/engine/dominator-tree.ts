import { dominatedNodes } from '../analysis/dominators.js';
import type { LoadedSnapshot } from '../analysis/snapshot.js';
import type { Response } from '../shared/contract.js';
import type { DominatorNode } from '../shared/dto.js';
import { LIMITS } from '../shared/schemas.js';
import { cut } from './graph-queries.js';

/**
 * The dominator tree as a CSR index: the immediate dominees of node o are
 * `nodes[first[o]] .. nodes[first[o + 1] - 1]`, largest retained size first (ties by id, so pages
 * are stable). Two Uint32Arrays, no object per node: 17M nodes cost 136 MB, built once per snapshot.
 */
export interface DominatorChildren {
  first: Uint32Array;
  nodes: Uint32Array;
}

export function buildDominatorChildren(s: LoadedSnapshot): DominatorChildren {
  const { dominator, retainedSize } = s.dominators;
  const { first, nodes } = dominatedNodes(dominator, s.graph.rootOrdinal);
  const ids = s.graph.nodeId;
  const order = (a: number, b: number) => retainedSize[b]! - retainedSize[a]! || ids[a]! - ids[b]!;
  // Most nodes dominate nothing or one node: only longer lists are sorted, each in place.
  for (let o = 0; o + 1 < first.length; o++) {
    const from = first[o]!;
    const to = first[o + 1]!;
    if (to - from > 1) nodes.subarray(from, to).sort(order);
  }
  return { first, nodes };
}

export interface DominatorQuery {
  ordinal: number;
  start: number;
  end: number;
  depth: number;
  childLimit: number;
}

/**
 * One level of the tree under `ordinal`, one page of it, with breadcrumbs; with depth > 1 each row
 * carries its largest dominees, nested. The nesting is filled level by level within
 * LIMITS.maxDominatorNodes nodes in all, so a budget cut shortens the deepest level, never one
 * branch; `childCount` always says how many dominees a node has.
 */
export function dominatorLevel(s: LoadedSnapshot, tree: DominatorChildren, q: DominatorQuery): Response<'dominators.tree'> {
  const g = s.graph;
  const { first, nodes } = tree;
  const make = (o: number): DominatorNode => ({
    id: g.nodeId[o]!,
    name: cut(s.className(o)),
    type: g.nodeTypeName(o),
    selfSize: s.selfSize[o]!,
    retainedSize: s.retainedSize(o),
    childCount: first[o + 1]! - first[o]!,
  });
  const from = first[q.ordinal]!;
  const total = first[q.ordinal + 1]! - from;
  const end = Math.min(q.end, q.start + LIMITS.maxPage, total);
  const rows: DominatorNode[] = [];
  let level: { node: DominatorNode; ordinal: number }[] = [];
  for (let i = q.start; i < end; i++) {
    const o = nodes[from + i]!;
    const node = make(o);
    rows.push(node);
    level.push({ node, ordinal: o });
  }
  let made = rows.length;
  for (let d = 1; d < q.depth; d++) {
    const next: typeof level = [];
    for (const { node, ordinal } of level) {
      const children: DominatorNode[] = [];
      node.children = children;
      const at = first[ordinal]!;
      const n = Math.min(q.childLimit, first[ordinal + 1]! - at);
      for (let i = 0; i < n && made < LIMITS.maxDominatorNodes; i++, made++) {
        const o = nodes[at + i]!;
        const child = make(o);
        children.push(child);
        next.push({ node: child, ordinal: o });
      }
    }
    level = next;
  }
  return { total, start: q.start, rows, node: make(q.ordinal), ancestors: ancestorsOf(s, q.ordinal).map(make) };
}

/** The dominator chain from the root down to the node's immediate dominator; [] for the root. */
function ancestorsOf(s: LoadedSnapshot, ordinal: number): number[] {
  const { dominator } = s.dominators;
  const root = s.graph.rootOrdinal;
  const chain: number[] = [];
  for (let o = ordinal; o !== root; ) {
    o = dominator[o]!;
    chain.push(o);
  }
  return chain.reverse();
}
