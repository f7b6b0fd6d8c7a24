/**
 * Layering of a retention graph: the GC-root side at the top, the selected object at the bottom.
 * A node's layer is its distance from the roots (absolute, not relative to this graph, so a graph
 * that grows toward the roots keeps every old node on its row). Objects reached only weakly have
 * no distance; they hang below everything reachable, ordered by hops from the selected object.
 */

/**
 * Breadth-first spanning tree from `focus` over links in both directions, retainers first (the
 * engine built the graph by walking retainers from the focus, so that direction reaches most).
 * `parent[i]` is -1 for the focus and for nodes the walk never reaches; `order` lists reached
 * nodes in visiting order, unreached ones after them by index.
 */
export function spanningTree(n: number, links: Uint32Array, focus: number): { parent: Int32Array; hops: Int32Array; order: Int32Array } {
  const parent = new Int32Array(n).fill(-1);
  const hops = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  if (n === 0) return { parent, hops, order };
  const { first, adj } = adjacency(n, links);
  let tail = 0;
  order[tail++] = focus;
  hops[focus] = 0;
  for (let head = 0; head < tail; head++) {
    const u = order[head]!;
    for (let k = first[u]!; k < first[u + 1]!; k++) {
      const v = adj[k]!;
      if (hops[v] !== -1) continue;
      hops[v] = hops[u]! + 1;
      parent[v] = u;
      order[tail++] = v;
    }
  }
  for (let i = 0; i < n; i++) if (hops[i] === -1) order[tail++] = i;
  return { parent, hops, order };
}

/**
 * Neighbours of every node as CSR (`adj[first[i]..first[i+1]]`): its retainers (link sources that
 * point at it) before the objects it retains.
 */
export function adjacency(n: number, links: Uint32Array): { first: Uint32Array; adj: Uint32Array } {
  const first = new Uint32Array(n + 1);
  const m = links.length / 2;
  for (let k = 0; k < m; k++) {
    first[links[2 * k]! + 1]!++;
    first[links[2 * k + 1]! + 1]!++;
  }
  for (let i = 0; i < n; i++) first[i + 1]! += first[i]!;
  const fill = first.slice(0, n);
  const adj = new Uint32Array(2 * m);
  for (let k = 0; k < m; k++) adj[fill[links[2 * k + 1]!]!++] = links[2 * k]!; // retainers of the target
  for (let k = 0; k < m; k++) adj[fill[links[2 * k]!]!++] = links[2 * k + 1]!; // objects the source retains
  return { first, adj };
}

/** Layer of every node: its distance, or, for weakly held nodes (distance -1), a row below all others. */
export function assignLayers(distances: ArrayLike<number>, hops: Int32Array): Int32Array {
  const n = distances.length;
  const layers = new Int32Array(n);
  let maxDistance = -1;
  let maxWeakHops = 0;
  for (let i = 0; i < n; i++) {
    const d = distances[i]!;
    if (d >= 0) maxDistance = Math.max(maxDistance, d);
    else maxWeakHops = Math.max(maxWeakHops, hops[i]!);
  }
  for (let i = 0; i < n; i++) {
    const d = distances[i]!;
    // Farther from the focus = closer to the roots = higher up, as for the strongly held rows.
    layers[i] = d >= 0 ? d : maxDistance + 1 + (maxWeakHops - Math.max(0, hops[i]!));
  }
  return layers;
}

/**
 * Depth-first preorder of the spanning tree (children in visiting order): nodes of one subtree are
 * contiguous, so sorting a layer by it keeps tree edges from crossing.
 */
export function preorder(parent: Int32Array, order: Int32Array): Int32Array {
  const n = parent.length;
  const childFirst = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) childFirst[parent[i]! + 1]!++;
  for (let i = 0; i < n; i++) childFirst[i + 1]! += childFirst[i]!;
  const fill = childFirst.slice(0, n);
  const children = new Int32Array(n);
  for (const v of order) if (parent[v]! >= 0) children[fill[parent[v]!]!++] = v;
  const rank = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let next = 0;
  // Roots of the forest (the focus, then unreached nodes) in visiting order; iterative (deep chains are normal).
  for (const r of order) {
    if (parent[r] !== -1) continue;
    stack.push(r);
    while (stack.length > 0) {
      const u = stack.pop()!;
      rank[u] = next++;
      for (let k = childFirst[u + 1]! - 1; k >= childFirst[u]!; k--) stack.push(children[k]!);
    }
  }
  return rank;
}
