import type { LoadedSnapshot } from '../analysis/snapshot.js';
import type { GraphLink, GraphNode, RetainerNode } from '../shared/dto.js';

/** Heap strings can be megabytes long; a name crosses the wire cut to this many characters. */
export const MAX_NAME = 1000;

export function cut(s: string): string {
  return s.length > MAX_NAME ? `${s.slice(0, MAX_NAME)}…` : s;
}

/**
 * A node's retainer slots, the ones worth showing first: retaining edges before weak ones, then
 * closest to the roots (distance -1, unreachable, last), then by ordinal so the order is stable.
 * The scratch array is per call: a node rarely has more than a few thousand retainers.
 */
export function sortedRetainerSlots(s: LoadedSnapshot, ordinal: number): number[] {
  const g = s.graph;
  const dist = s.paths.distance;
  const slots: number[] = [];
  for (let slot = g.firstRetainer[ordinal]!; slot < g.firstRetainer[ordinal + 1]!; slot++) slots.push(slot);
  const rank = (slot: number) => {
    const d = dist[g.retainerNode[slot]!]!;
    return (g.isRetainingSlot(slot) ? 0 : 2 ** 33) + (d < 0 ? 2 ** 32 : d);
  };
  return slots.sort((a, b) => rank(a) - rank(b) || g.retainerNode[a]! - g.retainerNode[b]!);
}

/** Retainer trees stop growing at this many nodes whatever depth and limit ask for (limit^depth explodes). */
export const MAX_TREE_NODES = 2000;

/**
 * The object and its retainers, breadth first (so a budget cut hits the deepest level, not one
 * branch), `limit` retainers per node, down `depth` levels. A retainer already on the same branch
 * is shown once more, marked `cycle`, and not expanded (cycles are normal in heaps).
 */
export function retainerTree(s: LoadedSnapshot, ordinal: number, depth: number, limit: number): RetainerNode {
  const g = s.graph;
  const make = (o: number, slot: number): RetainerNode => ({
    id: g.nodeId[o]!,
    name: cut(s.className(o)),
    type: g.nodeTypeName(o),
    edge: slot < 0 ? null : cut(g.edgeNameString(g.retainerEdge(slot))),
    edgeType: slot < 0 ? null : g.edgeTypeName(g.retainerEdge(slot)),
    retaining: slot < 0 ? true : g.isRetainingSlot(slot),
    distance: s.paths.distance[o]!,
    selfSize: s.selfSize[o]!,
    retainedSize: s.retainedSize(o),
    children: [],
    retainerCount: g.firstRetainer[o + 1]! - g.firstRetainer[o]!,
  });
  const top = make(ordinal, -1);
  interface Item { node: RetainerNode; ordinal: number; level: number; parent: Item | undefined }
  const queue: Item[] = [{ node: top, ordinal, level: 0, parent: undefined }];
  let made = 1;
  for (let head = 0; head < queue.length && made < MAX_TREE_NODES; head++) {
    const item = queue[head]!;
    if (item.level >= depth || item.node.cycle) continue;
    for (const slot of sortedRetainerSlots(s, item.ordinal).slice(0, limit)) {
      if (made >= MAX_TREE_NODES) break;
      const o = g.retainerNode[slot]!;
      const child = make(o, slot);
      made++;
      for (let a: Item | undefined = item; a; a = a.parent) {
        if (a.ordinal === o) {
          child.cycle = true;
          break;
        }
      }
      item.node.children.push(child);
      queue.push({ node: child, ordinal: o, level: item.level + 1, parent: item });
    }
  }
  return top;
}

/** A retainer subgraph by ordinal, before it becomes DTOs (overlay.ts merges two of them). */
export interface CollectedSubgraph {
  /** Breadth first from the object: ordinals[0] is the object itself. */
  ordinals: number[];
  /** Hops from the object, per entry of `ordinals`. */
  levels: number[];
  /** Edges `from → to` (ordinals) with the edge index and whether it retains. */
  links: { from: number; to: number; edge: number; retaining: boolean }[];
  truncated: boolean;
}

/**
 * The object and its retainers out to `depth` hops toward the roots, breadth first, at most
 * `maxNodes` nodes and 4 × maxNodes links (one array can hold the same object a million times).
 * Links between nodes already in the graph are kept, so cycles show.
 */
export function collectSubgraph(s: LoadedSnapshot, ordinal: number, depth: number, maxNodes: number): CollectedSubgraph {
  const g = s.graph;
  const seen = new Set<number>([ordinal]); // at most maxNodes entries
  const out: CollectedSubgraph = { ordinals: [ordinal], levels: [0], links: [], truncated: false };
  const maxLinks = maxNodes * 4;
  let frontier = [ordinal];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: number[] = [];
    for (const o of frontier) {
      for (const slot of sortedRetainerSlots(s, o)) {
        const from = g.retainerNode[slot]!;
        if (!seen.has(from)) {
          if (out.ordinals.length >= maxNodes) {
            out.truncated = true;
            continue;
          }
          seen.add(from);
          out.ordinals.push(from);
          out.levels.push(level + 1);
          next.push(from);
        }
        if (out.links.length >= maxLinks) {
          out.truncated = true;
          break;
        }
        out.links.push({ from, to: o, edge: g.retainerEdge(slot), retaining: g.isRetainingSlot(slot) });
      }
    }
    frontier = next;
  }
  return out;
}

export function graphNode(s: LoadedSnapshot, o: number): GraphNode {
  const g = s.graph;
  return {
    id: g.nodeId[o]!, name: cut(s.className(o)), type: g.nodeTypeName(o),
    selfSize: s.selfSize[o]!, retainedSize: s.retainedSize(o), distance: s.paths.distance[o]!,
  };
}

/** A link as it crosses the wire; `ephemeron` only on the WeakMap entry edges (key or table to value, FACTS §3). */
export function graphLink(s: LoadedSnapshot, link: CollectedSubgraph['links'][number]): GraphLink {
  const g = s.graph;
  const e = link.edge;
  const out: GraphLink = {
    source: g.nodeId[link.from]!, target: g.nodeId[link.to]!, edge: cut(g.edgeNameString(e)), edgeType: g.edgeTypeName(e), retaining: link.retaining,
  };
  if (g.edgeType[e] === g.edgeTypes.internal && g.ephemeronEdge(g.edgeName[e]!)) out.ephemeron = true;
  return out;
}

/** collectSubgraph as DTOs. */
export function retainerSubgraph(s: LoadedSnapshot, ordinal: number, depth: number, maxNodes: number): { nodes: GraphNode[]; links: GraphLink[]; truncated: boolean } {
  const c = collectSubgraph(s, ordinal, depth, maxNodes);
  return { nodes: c.ordinals.map((o) => graphNode(s, o)), links: c.links.map((l) => graphLink(s, l)), truncated: c.truncated };
}
