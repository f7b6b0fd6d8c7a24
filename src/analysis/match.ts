import { ExitCode, HeapscopeError } from '../shared/errors.js';
import type { HeapGraph } from '../snapshot/graph.js';
import type { LoadedSnapshot } from './snapshot.js';

/** Two snapshots that cannot be compared object by object (different processes, or ids renumbered). */
export class SnapshotMismatchError extends HeapscopeError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

export interface SnapshotMatch {
  /** For each ordinal of `after`: the ordinal of the same object in `before`, or -1 (a new object). */
  beforeOf: Int32Array;
  /** For each ordinal of `before`: the ordinal in `after`, or -1 (the object is gone). */
  afterOf: Int32Array;
  /** Objects present in both. */
  matched: number;
  /** Ids present in both whose node type or name differ (treated as gone + new). */
  renamed: number;
  /** Odd ids new in `after` but lower than the highest id of `before`: impossible within one session. */
  stray: number;
}

/**
 * Pairs the objects of two snapshots of one process. V8 object ids are odd, only grow, and stay with
 * an object while the inspector session that numbered them stays open (FACTS.md §3 and
 * fixtures/targets/README.md: closing any session makes V8 forget every id). Even ids belong to
 * embedder nodes (`Node / …`, `C++ roots`) that are renumbered in every snapshot: those are paired
 * by type and name, in order. An id is trusted only with the same node type and name.
 */
export function matchSnapshots(before: LoadedSnapshot, after: LoadedSnapshot): SnapshotMatch {
  const a = before.graph;
  const b = after.graph;
  const beforeOf = new Int32Array(b.nodeCount).fill(-1);
  const afterOf = new Int32Array(a.nodeCount).fill(-1);
  const ai = before.idIndex();
  const bi = after.idIndex();
  let i = 0;
  let j = 0;
  let matched = 0;
  let renamed = 0;
  let stray = 0;
  let maxBefore = 0;
  for (let k = ai.ids.length - 1; k >= 0; k--) if (ai.ids[k]! & 1) { maxBefore = ai.ids[k]!; break; }
  while (j < bi.ids.length) {
    const idB = bi.ids[j]!;
    if ((idB & 1) === 0) { j++; continue; }
    while (i < ai.ids.length && ai.ids[i]! < idB) i++;
    const ob = bi.ordinals[j]!;
    if (i < ai.ids.length && ai.ids[i] === idB) {
      const oa = ai.ordinals[i]!;
      if (a.nodeType[oa] === b.nodeType[ob] && sameName(a, oa, b, ob)) {
        beforeOf[ob] = oa;
        afterOf[oa] = ob;
        matched++;
      } else renamed++;
    } else if (idB < maxBefore) stray++;
    j++;
  }
  matched += pairEmbedderNodes(a, b, beforeOf, afterOf);
  return { beforeOf, afterOf, matched, renamed, stray };
}

function sameName(a: HeapGraph, oa: number, b: HeapGraph, ob: number): boolean {
  return a.layout.nodeTypes[a.nodeType[oa]!] === b.layout.nodeTypes[b.nodeType[ob]!]
    && a.strings.rawEquals(a.nodeName[oa]!, b.strings, b.nodeName[ob]!);
}

/** Even-id (embedder) nodes get new ids in every snapshot: pair them by type and name, in file order. */
function pairEmbedderNodes(a: HeapGraph, b: HeapGraph, beforeOf: Int32Array, afterOf: Int32Array): number {
  const byName = new Map<string, number[]>();
  for (let o = 0; o < a.nodeCount; o++) {
    if (a.nodeId[o]! & 1) continue;
    const key = `${a.nodeTypeName(o)}\u0000${a.nodeNameString(o)}`;
    const list = byName.get(key);
    if (list) list.push(o);
    else byName.set(key, [o]);
  }
  let paired = 0;
  for (let o = 0; o < b.nodeCount; o++) {
    if (b.nodeId[o]! & 1) continue;
    const list = byName.get(`${b.nodeTypeName(o)}\u0000${b.nodeNameString(o)}`);
    const oa = list?.shift();
    if (oa === undefined) continue;
    beforeOf[o] = oa;
    afterOf[oa] = o;
    paired++;
  }
  return paired;
}

/**
 * Within one session `stray` is 0 and `renamed` 0 or 1 in ~45,000 (measured); after a new process or
 * a closed session, thousands of each. The absolute floor keeps small heaps from being refused for
 * a stray id or two; the share catches a small snapshot compared with a big one of another
 * process (a handful of ids, most of them suspicious).
 */
function isPlausible(after: LoadedSnapshot, m: SnapshotMatch): boolean {
  const suspicious = m.stray + m.renamed;
  if (suspicious > Math.max(20, Math.floor(after.graph.nodeCount * 0.005))) return false;
  let odd = 0;
  for (let o = 0; o < after.graph.nodeCount; o++) odd += after.graph.nodeId[o]! & 1;
  return suspicious <= 2 || suspicious * 4 <= odd;
}

/**
 * Refuses a pair whose ids cannot be trusted (see isPlausible), with a message that says why and
 * what to do; a pair given in the wrong order is recognised and named as such.
 */
export function assertComparable(before: LoadedSnapshot, after: LoadedSnapshot, m: SnapshotMatch): void {
  if (isPlausible(after, m)) return;
  const reversed = matchSnapshots(after, before);
  if (isPlausible(before, reversed)) {
    throw new SnapshotMismatchError(`${after.file} was taken before ${before.file}: give the older snapshot first`);
  }
  throw new SnapshotMismatchError(
    `${before.file} and ${after.file} are not snapshots of one process taken in one inspector session: `
    + `${m.renamed} object ids name different objects and ${m.stray} new objects carry old ids `
    + `(V8 renumbers objects in a new process and whenever an inspector session closes). `
    + 'Take every snapshot of a comparison in one session, e.g. `heapscope capture TARGET -o a.heapsnapshot -o b.heapsnapshot`.',
  );
}
