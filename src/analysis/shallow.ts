import type { HeapGraph } from '../snapshot/graph.js';

const UNVISITED = 0xffffffff;
const MULTIPLE = 0xfffffffe;

/**
 * Self sizes as DevTools' Summary shows them (JSHeapSnapshot.calculateShallowSizes): an internal
 * array, hidden object or external string owned by exactly one object is charged to that object,
 * so `Foo` shows what a Foo really costs instead of a pile of anonymous `(array)` bytes. Snapshots
 * taken with "expose internals" (no user roots) are left as they are.
 */
export function ownerAdjustedSelfSizes(g: HeapGraph): Float64Array {
  const sizes = g.nodeSelfSize.slice();
  const root = g.rootOrdinal;
  let hasUserRoots = false;
  for (let e = g.firstEdge[root]!; e < g.firstEdge[root + 1]!; e++) {
    if (g.nodeType[g.edgeTo[e]!] !== g.types.synthetic) { hasUserRoots = true; break; }
  }
  if (!hasUserRoots) return sizes;

  const { hidden, array, native, synthetic } = g.types;
  const externalString = findString(g, 'system / ExternalStringData');
  const owners = new Uint32Array(g.nodeCount);
  let work = new Uint32Array(Math.max(16, g.nodeCount));
  let top = 0;
  const push = (v: number) => {
    if (top === work.length) {
      const grown = new Uint32Array(work.length * 2);
      grown.set(work);
      work = grown;
    }
    work[top++] = v;
  };
  for (let i = 0; i < g.nodeCount; i++) {
    const t = g.nodeType[i];
    if (t === hidden || t === array || (t === native && g.nodeName[i] === externalString)) owners[i] = UNVISITED;
    else { owners[i] = i; push(i); }
  }
  const weak = g.edgeTypes.weak;
  while (top > 0) {
    const id = work[--top]!;
    const owner = owners[id]!;
    for (let e = g.firstEdge[id]!; e < g.firstEdge[id + 1]!; e++) {
      if (g.edgeType[e] === weak) continue;
      const target = g.edgeTo[e]!;
      const current = owners[target]!;
      if (current === UNVISITED) { owners[target] = owner; push(target); }
      else if (current === target || current === owner || current === MULTIPLE) continue;
      else { owners[target] = MULTIPLE; push(target); }
    }
  }
  for (let i = 0; i < g.nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === MULTIPLE || owner === i) continue;
    if (g.nodeType[owner] === synthetic || owner === root) continue;
    sizes[owner]! += sizes[i]!;
    sizes[i] = 0;
  }
  return sizes;
}

function findString(g: HeapGraph, s: string): number {
  const bytes = Buffer.byteLength(s);
  for (let i = 0; i < g.strings.count; i++) if (g.strings.rawLength(i) === bytes && g.strings.get(i) === s) return i;
  return -1;
}
