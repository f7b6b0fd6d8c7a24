import { clusterByShape, ShapeIndex, type LeakCluster } from './cluster.js';
import { assertComparable, matchSnapshots } from './match.js';
import { judgeCandidate, systemNameMemo, type LeakRule, LEAK_RULES } from './rules/leak-rules.js';
import type { LoadedSnapshot } from './snapshot.js';

export type { LeakCluster } from './cluster.js';

/** `leaks --json` (CONTRACT.md) without the file names, plus additive totals. */
export interface LeakAnalysis {
  leaks: LeakCluster[];
  /** Reported objects over all clusters. */
  totalCount: number;
  /** Sum of the clusters' retained sizes: the bytes freed if every reported object went (nothing counted twice). */
  totalRetainedSize: number;
  /** Objects born between baseline and target and still strongly reachable in final, before the rules. */
  candidates: number;
  /** What `--ignore-class` took out. */
  ignored: { count: number; retainedSize: number };
}

export interface LeakOptions {
  /** `--ignore-class`: objects whose class name matches are expected, and so is what only they keep. */
  ignoreClass?: readonly RegExp[];
  rules?: readonly LeakRule[];
}

/**
 * For each node of `target`: 1 when the object was not in `baseline` (allocated after it). Ids are
 * trusted only within one inspector session: a pair from two sessions or processes is refused
 * (exit 2). Even-id embedder nodes, which V8 renumbers in every snapshot, are never new.
 */
export function newSinceBaseline(baseline: LoadedSnapshot, target: LoadedSnapshot): Uint8Array {
  const m = matchSnapshots(baseline, target);
  assertComparable(baseline, target, m);
  const g = target.graph;
  const isNew = new Uint8Array(g.nodeCount);
  for (let o = 0; o < g.nodeCount; o++) if (m.beforeOf[o]! < 0 && (g.nodeId[o]! & 1) === 1) isNew[o] = 1;
  return isNew;
}

/** For each node of `final`: 1 when it is the same object as a node of `target` flagged in `newInTarget`. */
export function survivorsInFinal(target: LoadedSnapshot, final: LoadedSnapshot, newInTarget: Uint8Array): Uint8Array {
  const m = matchSnapshots(target, final);
  assertComparable(target, final, m);
  const out = new Uint8Array(final.graph.nodeCount);
  for (let o = 0; o < out.length; o++) {
    const t = m.beforeOf[o]!;
    if (t >= 0 && newInTarget[t]) out[o] = 1;
  }
  return out;
}

const NONE = -1;

/**
 * The leaks in `final` among `survivors` (objects born between baseline and target that are
 * still there): those still strongly reachable, judged by the rules (rules/leak-rules.ts), clustered
 * by retainer-path shape, ranked by retained size.
 *
 * No byte is counted twice. Every node of the final heap is charged to the reported object that
 * dominates it most closely (itself, for a reported object), found in one pass in DFS preorder
 * (an immediate dominator is an ancestor in the DFS tree, so it comes first). A cluster's retained
 * size is the sum of its objects' charges, so clusters partition the bytes that the reported objects
 * keep alive, and the report's total is the retained size of them all together. Consequence: when a
 * leaked Widget owns a leaked `rows` Array, the Array's bytes are in the rows cluster, not also in
 * the Widget cluster. Charging everything to the outermost leaked object instead would fold a whole
 * listener leak into the one listener array that holds it and hide the 20 Widgets.
 */
export function analyzeLeaks(final: LoadedSnapshot, survivors: Uint8Array, options: LeakOptions = {}): LeakAnalysis {
  const g = final.graph;
  const { dominator, order } = final.dominators;
  const paths = final.paths;
  const selfSize = final.selfSize;
  const ignoreClass = options.ignoreClass ?? [];
  const rules = options.rules ?? LEAK_RULES;
  const isSystem = systemNameMemo(final);
  // owner[o]: the reported or ignored object charged with o's bytes, or NONE.
  const owner = new Int32Array(g.nodeCount).fill(NONE);
  const ignored = new Uint8Array(g.nodeCount);
  const reported: number[] = [];
  let candidates = 0;
  let current = NONE;
  const ctx = { snapshot: final, ignoreClass, isSystem, get owner() { return current; } };
  for (let i = 0; i < order.length; i++) {
    const o = order[i]!;
    if (o === g.rootOrdinal) continue;
    const inherited = owner[dominator[o]!]!;
    owner[o] = inherited;
    if (!survivors[o] || !paths.isStronglyReachable(o)) continue;
    candidates++;
    current = inherited;
    const verdict = judgeCandidate(ctx, o, rules);
    if (verdict === 'attribute') continue;
    owner[o] = o;
    if (verdict === 'ignore') ignored[o] = 1;
    else reported.push(o);
  }
  // Charges, indexed densely by reported object (a typed array, not a Map: millions may leak).
  const index = new Int32Array(g.nodeCount);
  reported.forEach((o, i) => { index[o] = i; });
  const charged = new Float64Array(reported.length);
  let ignoredSize = 0;
  let ignoredCount = 0;
  for (let o = 0; o < g.nodeCount; o++) {
    const w = owner[o]!;
    if (w === NONE) continue;
    if (ignored[w]) {
      ignoredSize += selfSize[o]!;
      if (w === o) ignoredCount++;
    } else charged[index[w]!]! += selfSize[o]!;
  }
  const leaks = clusterByShape(final, Uint32Array.from(reported), charged, new ShapeIndex(final));
  let totalRetainedSize = 0;
  for (const c of leaks) totalRetainedSize += c.retainedSize;
  return {
    leaks,
    totalCount: reported.length,
    totalRetainedSize,
    candidates,
    ignored: { count: ignoredCount, retainedSize: ignoredSize },
  };
}

/** The whole three-snapshot check on loaded snapshots (the CLI loads them one by one to save memory). */
export function findLeaks(baseline: LoadedSnapshot, target: LoadedSnapshot, final: LoadedSnapshot, options: LeakOptions = {}): LeakAnalysis {
  return analyzeLeaks(final, survivorsInFinal(target, final, newSinceBaseline(baseline, target)), options);
}
