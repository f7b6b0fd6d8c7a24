import type { HeapGraph } from '../snapshot/graph.js';

export interface Dominators {
  /** Immediate dominator of each node (by ordinal); the root is its own dominator. */
  dominator: Uint32Array;
  /** Self size plus the self sizes of everything the node dominates. */
  retainedSize: Float64Array;
  /** Nodes in DFS preorder over retaining edges (root first); reversed, it is a valid bottom-up order. */
  order: Uint32Array;
}

/**
 * Lengauer-Tarjan dominators over the edges for which `graph.isRetaining` holds, iterative
 * throughout (100k-deep chains are normal). It mirrors DevTools' calculateDominatorsAndRetainedSizes
 * step for step, including its treatment of nodes the root cannot reach, so retained sizes agree with
 * DevTools to the byte: nodes with only weak retainers become DFS roots under the root, and what is
 * still unreached (cycles held only by each other) hangs off the root directly.
 * `selfSize` defaults to the graph's self sizes; summary passes DevTools-adjusted ones.
 */
export function computeDominators(graph: HeapGraph, selfSize: Float64Array = graph.nodeSelfSize): Dominators {
  const nodeCount = graph.nodeCount;
  const { firstEdge, edgeTo, firstRetainer, retainerNode } = graph;
  const isRetaining = (e: number) => graph.isRetaining(0, e);
  const isRetainingSlot = (slot: number) => graph.isRetainingSlot(slot);

  // 1-based vertex numbers as in the paper; 0 means "none".
  const size = nodeCount + 1;
  const parent = new Uint32Array(size);
  const ancestor = new Uint32Array(size);
  const vertex = new Uint32Array(size);
  const label = new Uint32Array(size);
  const semi = new Uint32Array(size);
  const nextEdge = new Uint32Array(size);
  let n = 0;

  const dfs = (root: number): void => {
    nextEdge[root - 1] = firstEdge[root - 1]!;
    let v = root;
    while (v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++n;
        vertex[n] = label[v] = v;
      }
      let vNext = parent[v]!;
      const vo = v - 1;
      const end = firstEdge[vo + 1]!;
      for (; nextEdge[vo]! < end; nextEdge[vo]!++) {
        const e = nextEdge[vo]!;
        if (!isRetaining(e)) continue;
        const w = edgeTo[e]! + 1;
        if (semi[w] === 0) {
          parent[w] = v;
          nextEdge[w - 1] = firstEdge[w - 1]!;
          vNext = w;
          break;
        }
      }
      v = vNext;
    }
  };

  const hasOnlyWeakRetainers = (ordinal: number): boolean => {
    for (let r = firstRetainer[ordinal]!; r < firstRetainer[ordinal + 1]!; r++) if (isRetainingSlot(r)) return false;
    return true;
  };

  const r = graph.rootOrdinal + 1;
  dfs(r);
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] === 0 && hasOnlyWeakRetainers(v - 1)) {
        parent[v] = r;
        dfs(v);
      }
    }
  }
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] === 0) {
        parent[v] = r;
        semi[v] = ++n;
        vertex[n] = label[v] = v;
      }
    }
  }

  // Path compression with an explicit stack (the ancestor chain can be as long as the graph).
  const stack = nextEdge; // free now: DFS is done
  const compress = (v0: number): void => {
    let v = v0;
    let sp = 0;
    while (ancestor[ancestor[v]!] !== 0) {
      stack[++sp] = v;
      v = ancestor[v]!;
    }
    while (sp > 0) {
      const w = stack[sp--]!;
      if (semi[label[ancestor[w]!]!]! < semi[label[w]!]!) label[w] = label[ancestor[w]!]!;
      ancestor[w] = ancestor[ancestor[w]!]!;
    }
  };
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    compress(v);
    return label[v]!;
  };

  const dom = new Uint32Array(size);
  // Buckets as linked lists: each vertex enters exactly one bucket once.
  const bucketHead = new Uint32Array(size);
  const bucketNext = new Uint32Array(size);
  for (let i = n; i >= 2; i--) {
    const w = vertex[i]!;
    const wo = w - 1;
    let orphan = true;
    for (let ri = firstRetainer[wo]!; ri < firstRetainer[wo + 1]!; ri++) {
      if (!isRetainingSlot(ri)) continue;
      orphan = false;
      const u = evaluate(retainerNode[ri]! + 1);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    if (orphan) semi[w] = semi[r]!; // only weak retainers: treated as a child of the root
    const b = vertex[semi[w]!]!;
    bucketNext[w] = bucketHead[b]!;
    bucketHead[b] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== 0; v = bucketNext[v]!) {
      const u = evaluate(v);
      dom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = 0;
  }
  dom[0] = dom[r] = r;
  for (let i = 2; i <= n; i++) {
    const w = vertex[i]!;
    if (dom[w] !== vertex[semi[w]!]) dom[w] = dom[dom[w]!]!;
  }

  // Outputs reuse the working arrays (their last use is above): 72 bytes a node less at the peak.
  const dominator = dom.subarray(1);
  for (let o = 0; o < nodeCount; o++) dominator[o] = dominator[o]! - 1;
  const retainedSize = Float64Array.from(selfSize.subarray(0, nodeCount));
  for (let i = n; i > 1; i--) {
    const o = vertex[i]! - 1;
    retainedSize[dominator[o]!]! += retainedSize[o]!;
  }
  const order = semi.subarray(0, nodeCount);
  for (let i = 1; i <= n; i++) order[i - 1] = vertex[i]! - 1;
  return { dominator, retainedSize, order };
}

/** Children of each node in the dominator tree, as a CSR index (root excluded from the children). */
export function dominatedNodes(dominator: Uint32Array, root: number): { first: Uint32Array; nodes: Uint32Array } {
  const count = dominator.length;
  const first = new Uint32Array(count + 1);
  for (let o = 0; o < count; o++) if (o !== root) first[dominator[o]!]!++;
  let sum = 0;
  for (let o = 0; o < count; o++) {
    const c = first[o]!;
    first[o] = sum;
    sum += c;
  }
  first[count] = sum;
  const fill = first.slice(0, count);
  const nodes = new Uint32Array(sum);
  for (let o = 0; o < count; o++) if (o !== root) nodes[fill[dominator[o]!]!++] = o;
  return { first, nodes };
}
