import { formatPath, normalizeEdge, segmentKey, startKey, type Step } from './paths.js';
import type { LoadedSnapshot } from './snapshot.js';

/** One cluster of `leaks --json` (CONTRACT.md), plus additive fields. */
export interface LeakCluster {
  /** Class name of the objects (every object of a cluster has the same class: it ends the path shape). */
  name: string;
  count: number;
  /** Bytes freed if these objects went: what they dominate, less what other clusters' objects claim (see leaks.ts). */
  retainedSize: number;
  /** At most 100 ids, largest retained size first. */
  ids: number[];
  /** The retainer path of one representative (the object with the largest retained size), in the final snapshot. */
  retainerPath: Step[];
  /** Additive: V8 node type of the objects. */
  type: string;
  /** Additive: sum of the objects' own (DevTools-adjusted) sizes. */
  selfSize: number;
  /** Additive: the path shape as one line (`formatPath(…, { shape: true })`; a run of one step that some member repeats is `…`). */
  path: string;
}

export const MAX_IDS = 100;

/**
 * Path-shape ids for many objects of one snapshot without building their paths: the shape of a node
 * is its parent's shape plus one (edge, class) segment (paths.ts `pathShape`), so it is computed
 * once per node on the way up and memoised. Answering 300k leaked objects costs one walk per
 * distinct ancestor, not one path each. Equal ids mean equal `pathShape(retainerPath(o))` strings
 * (runs of one segment folded the same way).
 */
export class ShapeIndex {
  private readonly memo: Int32Array;
  private readonly ids = new Map<string, number>();
  /** The last segment of each shape: a node whose own segment repeats it shares its parent's shape (pathShape folds runs). */
  private readonly lastSegment: string[] = [];
  /** Per string index: its normalised edge name (element/hidden indexes are handled by type). */
  private readonly edgeNames = new Map<number, string>();

  constructor(private readonly snapshot: LoadedSnapshot) {
    this.memo = new Int32Array(snapshot.graph.nodeCount).fill(-1);
  }

  /** Shape id of a strongly reachable node; -1 when it has no path. */
  shapeOf(ordinal: number): number {
    const s = this.snapshot;
    const g = s.graph;
    const paths = s.paths;
    if (!paths.isStronglyReachable(ordinal) || ordinal === g.rootOrdinal) return -1;
    const known = this.memo[ordinal]!;
    if (known >= 0) return known;
    // Climb to the nearest memoised ancestor (or the path's start), then fill in on the way down.
    const stack: number[] = [];
    let o = ordinal;
    while (this.memo[o]! < 0 && !paths.isStart(o)) {
      stack.push(o);
      o = paths.parentNode[o]!;
    }
    let shape = this.memo[o]!;
    if (shape < 0) {
      const m = paths.moduleScopes.get(o);
      shape = this.intern(`S${startKey(g.nodeTypeName(o), s.className(o), m?.script)}`, '');
      this.memo[o] = shape;
    }
    for (let i = stack.length - 1; i >= 0; i--) {
      const n = stack[i]!;
      const e = paths.parentEdge[n]!;
      const segment = segmentKey(g.edgeTypeName(e), this.edgeName(e), g.nodeTypeName(n), s.className(n));
      if (segment !== this.lastSegment[shape]) shape = this.intern(`${shape}${segment}`, segment);
      this.memo[n] = shape;
    }
    return shape;
  }

  get distinctShapes(): number {
    return this.ids.size;
  }

  private edgeName(e: number): string {
    const g = this.snapshot.graph;
    if (g.edgeHasIndex(e)) return '0'; // normalised to [] by segmentKey
    const n = g.edgeName[e]!;
    let v = this.edgeNames.get(n);
    if (v === undefined) {
      v = normalizeEdge('', g.strings.get(n));
      this.edgeNames.set(n, v);
    }
    return v;
  }

  private intern(key: string, segment: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
      this.lastSegment.push(segment);
    }
    return id;
  }
}

/**
 * Groups reported objects by the shape of their retainer path in the final snapshot and sums what
 * each group is charged (`charged[i]` for `reported[i]`). Sorted by retained size, then count, then
 * name; each cluster keeps the ids of its largest objects and the path of the largest one.
 */
export function clusterByShape(snapshot: LoadedSnapshot, reported: Uint32Array, charged: Float64Array, shapes = new ShapeIndex(snapshot)): LeakCluster[] {
  const g = snapshot.graph;
  const byShape = new Map<number, number[]>();
  for (let i = 0; i < reported.length; i++) {
    const shape = shapes.shapeOf(reported[i]!);
    const list = byShape.get(shape);
    if (list) list.push(i);
    else byShape.set(shape, [i]);
  }
  const clusters: LeakCluster[] = [];
  for (const members of byShape.values()) {
    // Largest first; among equals the shortest path (the head of a leaked list), then the oldest id.
    const dist = snapshot.paths.distance;
    members.sort((x, y) => charged[y]! - charged[x]! || dist[reported[x]!]! - dist[reported[y]!]! || g.nodeId[reported[x]!]! - g.nodeId[reported[y]!]!);
    let retainedSize = 0;
    let selfSize = 0;
    for (const i of members) {
      retainedSize += charged[i]!;
      selfSize += snapshot.selfSize[reported[i]!]!;
    }
    const rep = reported[members[0]!]!;
    const retainerPath = snapshot.retainerPath(rep);
    // The shape line comes from the deepest member: paths of one shape differ only in indexes and
    // in how long their runs are (a list's links), and the deepest shows a run as `…`.
    let deepest = rep;
    for (const i of members) if (dist[reported[i]!]! > dist[deepest]!) deepest = reported[i]!;
    clusters.push({
      name: snapshot.className(rep),
      count: members.length,
      retainedSize,
      ids: members.slice(0, MAX_IDS).map((i) => g.nodeId[reported[i]!]!),
      retainerPath,
      type: g.nodeTypeName(rep),
      selfSize,
      path: formatPath(deepest === rep ? retainerPath : snapshot.retainerPath(deepest), { shape: true }),
    });
  }
  clusters.sort((a, b) => b.retainedSize - a.retainedSize || b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return clusters;
}
