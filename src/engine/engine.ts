import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { summarizeClasses, totalSize, type ClassSummary } from '../analysis/summary.js';
import { classChanges, type ClassChanges, type SnapshotDiff } from '../analysis/diff.js';
import { findLeaks, type LeakAnalysis } from '../analysis/leaks.js';
import { assertComparable, matchSnapshots, type SnapshotMatch } from '../analysis/match.js';
import { formatPath } from '../analysis/paths.js';
import { weakReport } from '../analysis/weak.js';
import type { WeakReport } from '../analysis/weak.js';
import type { Channel, LoadProgress, Request, Response } from '../shared/contract.js';
import type { ClassDiffRow, ClassRow, ClassSort, DiffSort, Page } from '../shared/dto.js';
import { LIMITS, parseRequest } from '../shared/schemas.js';
import { SnapshotCache } from './cache.js';
import { buildDominatorChildren, dominatorLevel, type DominatorChildren } from './dominator-tree.js';
import { cut, retainerSubgraph, retainerTree } from './graph-queries.js';
import { changedInstances, instancePage, instancesOf } from './instances.js';
import { budgetsOf, ignorePatterns, leakReport } from './leak-report.js';
import { overlaySubgraph } from './overlay.js';

/** A well-formed snapshot id that names no loaded snapshot (closed, or never handed out). */
export class UnknownSnapshotError extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`${field}: no such snapshot (closed, or never loaded)`);
    this.name = 'UnknownSnapshotError';
    this.field = field;
  }
}

/** An object id or class key that is not in the snapshot. */
export class NotFoundError extends Error {
  readonly field: string;
  constructor(field: string, what: string, where = 'this snapshot') {
    super(`${field}: ${what} is not in ${where}`);
    this.name = 'NotFoundError';
    this.field = field;
  }
}

/** Caches kept per snapshot; small but for the dominator tree (8 bytes a node, built on first use). */
interface Entry {
  snapshot: LoadedSnapshot;
  summary: ClassSummary[];
  /** Per class key: the smallest distance among its counted objects (the Summary's Distance column). */
  classDistance: Map<string, number>;
  view: { key: string; rows: ClassSummary[] } | undefined;
  classIndex: Map<string, number> | undefined;
  instances: Map<string, Uint32Array>;
  dominatorChildren: DominatorChildren | undefined;
}

const MAX_CACHED_CLASSES = 16;

function page<T>(all: readonly T[], start: number, end: number): Page<T> {
  const to = Math.min(end, start + LIMITS.maxPage, all.length);
  return { total: all.length, start, rows: all.slice(start, Math.max(start, to)) };
}

/**
 * The engine's state and queries, independent of the transport: owns LoadedSnapshots by opaque
 * id and answers every channel of contract.ts with bounded results. host.ts runs it in a worker.
 */
export class Engine {
  private readonly snapshots = new Map<string, Entry>();
  // Results over several snapshots, dropped with any of them (cache.ts). The ones holding arrays
  // with an entry per node are kept for the last two pairs only; the others are small.
  private readonly diffs = new SnapshotCache<SnapshotDiff>(64);
  private readonly changes = new SnapshotCache<ClassChanges>(2);
  private readonly matches = new SnapshotCache<SnapshotMatch>(2);
  private readonly changedLists = new SnapshotCache<Uint32Array>(MAX_CACHED_CLASSES);
  private readonly leaks = new SnapshotCache<LeakAnalysis>(8);
  private readonly weak = new SnapshotCache<WeakReport>(16);

  /** Validates the request (RequestError naming the field), then answers it. */
  async handle(channel: unknown, raw: unknown, onProgress: (p: Omit<LoadProgress, 'callId'>) => void): Promise<unknown> {
    const request = parseRequest(channel, raw);
    return this.dispatch(channel as Channel, request, onProgress);
  }

  private async dispatch(channel: Channel, request: unknown, onProgress: (p: Omit<LoadProgress, 'callId'>) => void): Promise<unknown> {
    switch (channel) {
      case 'snapshot.load': return this.load(request as Request<'snapshot.load'>, onProgress);
      case 'snapshot.close': return this.close(request as Request<'snapshot.close'>);
      case 'summary.range': return this.summaryRange(request as Request<'summary.range'>);
      case 'class.instances': return this.classInstances(request as Request<'class.instances'>);
      case 'node.retainers': {
        const r = request as Request<'node.retainers'>;
        const s = this.get(r.snapshotId).snapshot;
        return retainerTree(s, this.ordinal(s, r.id), r.depth, r.limit) satisfies Response<'node.retainers'>;
      }
      case 'node.path': {
        const r = request as Request<'node.path'>;
        const s = this.get(r.snapshotId).snapshot;
        return s.retainerPath(this.ordinal(s, r.id)).map((step) => ({ ...step, name: cut(step.name), edge: step.edge === null ? null : cut(step.edge) })) satisfies Response<'node.path'>;
      }
      case 'graph.subgraph': return this.subgraph(request as Request<'graph.subgraph'>);
      case 'dominators.tree': return this.dominatorTree(request as Request<'dominators.tree'>);
      case 'diff.classes': return this.diffClasses(request as Request<'diff.classes'>);
      case 'diff.instances': return this.diffInstances(request as Request<'diff.instances'>);
      case 'leaks.report': return this.leakReport(request as Request<'leaks.report'>);
      case 'weak.report': return this.weakReport(request as Request<'weak.report'>);
    }
  }

  private close({ snapshotId }: Request<'snapshot.close'>): Response<'snapshot.close'> {
    for (const cache of [this.diffs, this.changes, this.matches, this.changedLists, this.leaks, this.weak]) cache.forget(snapshotId);
    return { closed: this.snapshots.delete(snapshotId) };
  }

  private get(id: string, field = 'snapshotId'): Entry {
    const entry = this.snapshots.get(id);
    if (!entry) throw new UnknownSnapshotError(field);
    return entry;
  }

  private ordinal(s: LoadedSnapshot, id: number): number {
    const o = s.ordinalOf(id);
    if (o < 0) throw new NotFoundError('id', `object @${id}`);
    return o;
  }

  private async load({ path: file }: Request<'snapshot.load'>, onProgress: (p: Omit<LoadProgress, 'callId'>) => void): Promise<Response<'snapshot.load'>> {
    // Progress at most every 50 ms: a 1 GB file is read in 4 MiB chunks, 250 events would be noise.
    let last = 0;
    const snapshot = await LoadedSnapshot.load(path.resolve(file), {
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - last < 50 && done < total) return;
        last = now;
        onProgress({ phase: 'read', done, total });
      },
    });
    // Everything the views need is computed now, once, so later pages answer in milliseconds.
    const steps: [LoadProgress['phase'], () => unknown][] = [
      ['classes', () => snapshot.classes],
      ['dominators', () => snapshot.dominators],
      ['paths', () => snapshot.paths],
    ];
    steps.forEach(([phase, run], i) => {
      onProgress({ phase, done: i, total: steps.length + 1 });
      run();
    });
    onProgress({ phase: 'summary', done: steps.length, total: steps.length + 1 });
    const summary = summarizeClasses(snapshot);
    onProgress({ phase: 'summary', done: steps.length + 1, total: steps.length + 1 });
    const snapshotId = randomBytes(16).toString('base64url');
    this.snapshots.set(snapshotId, { snapshot, summary, classDistance: classDistances(snapshot), view: undefined, classIndex: undefined, instances: new Map(), dominatorChildren: undefined });
    return { snapshotId, nodes: snapshot.graph.nodeCount, edges: snapshot.graph.edgeCount, totalSize: totalSize(snapshot.graph) };
  }

  private summaryRange(r: Request<'summary.range'>): Response<'summary.range'> {
    const entry = this.get(r.snapshotId);
    const p = page(this.view(entry, r.sort, r.filter, r.detached), r.start, r.end);
    return { ...p, rows: p.rows.map((c) => toClassRow(c, entry.classDistance)) };
  }

  /** The summary filtered and sorted; the last one is kept, since a view pages through one of them. */
  private view(entry: Entry, sort: ClassSort | undefined, filter: string | undefined, detached = false): ClassSummary[] {
    const needle = filter?.toLowerCase() ?? '';
    if (!needle && !sort && !detached) return entry.summary;
    const key = JSON.stringify([sort?.by, sort?.order, needle, detached]);
    if (entry.view?.key === key) return entry.view.rows;
    let rows = needle || detached
      ? entry.summary.filter((c) => (!detached || c.detached === true) && (!needle || c.name.toLowerCase().includes(needle)))
      : entry.summary.slice();
    if (sort) {
      const sign = sort.order === 'asc' ? 1 : -1;
      const by = sort.by;
      // Array.prototype.sort is stable: ties keep the default order.
      // Unreachable classes (distance -1) sort after every reachable one, whichever the order.
      const dist = (c: ClassSummary) => { const d = entry.classDistance.get(c.key) ?? -1; return d < 0 ? (sign > 0 ? Infinity : -Infinity) : d; };
      rows = rows.sort((a, b) => sign * (by === 'name' ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : by === 'distance' ? dist(a) - dist(b) : a[by] - b[by]));
    }
    entry.view = { key, rows };
    return rows;
  }

  private classInstances(r: Request<'class.instances'>): Response<'class.instances'> {
    const entry = this.get(r.snapshotId);
    const s = entry.snapshot;
    let list = entry.instances.get(r.classKey);
    if (!list) {
      const index = (entry.classIndex ??= new Map(s.classes.keys.map((k, c) => [k, c])));
      const c = index.get(r.classKey);
      if (c === undefined) throw new NotFoundError('classKey', `class ${JSON.stringify(cut(r.classKey))}`);
      list = instancesOf(s, c);
      if (entry.instances.size >= MAX_CACHED_CLASSES) entry.instances.delete(entry.instances.keys().next().value!);
      entry.instances.set(r.classKey, list);
    }
    return instancePage(s, list, r.start, r.end);
  }

  private subgraph(r: Request<'graph.subgraph'>): Response<'graph.subgraph'> {
    const s = this.get(r.snapshotId).snapshot;
    const o = this.ordinal(s, r.id);
    if (r.baseId === undefined) return retainerSubgraph(s, o, r.depth, r.maxNodes);
    const base = this.get(r.baseId, 'baseId').snapshot;
    const m = this.match(r.baseId, r.snapshotId);
    // The same object in the base by the match, not by id alone: embedder nodes change ids.
    return overlaySubgraph(s, o, base, m.beforeOf[o]!, m, r.depth, r.maxNodes);
  }

  private dominatorTree(r: Request<'dominators.tree'>): Response<'dominators.tree'> {
    const entry = this.get(r.snapshotId);
    const s = entry.snapshot;
    const ordinal = r.id === undefined ? s.graph.rootOrdinal : this.ordinal(s, r.id);
    entry.dominatorChildren ??= buildDominatorChildren(s);
    return dominatorLevel(s, entry.dominatorChildren, {
      ordinal, start: r.start, end: r.end, depth: r.depth ?? 1, childLimit: r.childLimit ?? LIMITS.defaultChildLimit,
    });
  }

  /** The object match of two snapshots of one process (SnapshotMismatchError when they are not). */
  private match(beforeId: string, afterId: string): SnapshotMatch {
    const ids = [beforeId, afterId];
    const hit = this.matches.get(ids);
    if (hit) return hit;
    const before = this.get(beforeId, 'beforeId').snapshot;
    const after = this.get(afterId, 'afterId').snapshot;
    const m = matchSnapshots(before, after);
    assertComparable(before, after, m);
    return this.matches.set(ids, m);
  }

  /** The Comparison with each object's row (for diff.instances); its summary also serves diff.classes. */
  private classChanges(beforeId: string, afterId: string): ClassChanges {
    const ids = [beforeId, afterId];
    const hit = this.changes.get(ids);
    if (hit) return hit;
    const before = this.get(beforeId, 'beforeId').snapshot;
    const after = this.get(afterId, 'afterId').snapshot;
    const c = classChanges(before, after, { match: this.matches.get(ids), perObject: true });
    this.diffs.set(ids, c.diff);
    return this.changes.set(ids, c);
  }

  private diffClasses(r: Request<'diff.classes'>): Response<'diff.classes'> {
    this.get(r.beforeId, 'beforeId');
    this.get(r.afterId, 'afterId');
    const diff = this.diffs.get([r.beforeId, r.afterId]) ?? this.classChanges(r.beforeId, r.afterId).diff;
    return { ...page(sortedDiff(diff.classes, r.sort, r.filter), r.start, r.end), matched: diff.match.matched };
  }

  private diffInstances(r: Request<'diff.instances'>): Response<'diff.instances'> {
    const before = this.get(r.beforeId, 'beforeId').snapshot;
    const after = this.get(r.afterId, 'afterId').snapshot;
    const s = r.kind === 'added' ? after : before;
    const ids = [r.beforeId, r.afterId];
    const listKey = `${r.kind}\n${r.classKey}`;
    let list = this.changedLists.get(ids, listKey);
    if (!list) {
      const changes = this.classChanges(r.beforeId, r.afterId);
      const row = changes.rowOf.get(r.classKey);
      if (row === undefined) throw new NotFoundError('classKey', `class ${JSON.stringify(cut(r.classKey))}`, 'either snapshot');
      list = this.changedLists.set(ids, changedInstances(changes, row, r.kind, s), listKey);
    }
    return instancePage(s, list, r.start, r.end);
  }

  private leakReport(r: Request<'leaks.report'>): Response<'leaks.report'> {
    const baseline = this.get(r.baselineId, 'baselineId').snapshot;
    const target = this.get(r.targetId, 'targetId').snapshot;
    const final = this.get(r.finalId, 'finalId').snapshot;
    const budgets = budgetsOf(r.budgets);
    const ids = [r.baselineId, r.targetId, r.finalId];
    const ignoreKey = JSON.stringify(budgets.ignoreClass);
    const analysis = this.leaks.get(ids, ignoreKey)
      ?? this.leaks.set(ids, findLeaks(baseline, target, final, { ignoreClass: ignorePatterns(budgets) }), ignoreKey);
    return leakReport(analysis, budgets, r.start, r.end);
  }

  private weakReport(r: Request<'weak.report'>): Response<'weak.report'> {
    const entry = this.get(r.snapshotId);
    const after = r.afterId === undefined ? undefined : this.get(r.afterId, 'afterId');
    const ids = r.afterId === undefined ? [r.snapshotId] : [r.snapshotId, r.afterId];
    const report = this.weak.get(ids) ?? this.weak.set(ids, weakReport(entry.snapshot, after?.snapshot));
    const p = page(report.targets, r.start, r.end);
    return {
      ...p,
      // The Weak view groups kept targets by what keeps them: the path's shape, computed per page.
      rows: p.rows.map((t) => ({ ...t, shape: t.retainerPath.length === 0 ? '' : formatPath(t.retainerPath, { shape: true }) })),
      counts: report.counts,
      shells: report.shells.slice(0, LIMITS.maxShells),
      shellCount: report.shells.length,
    };
  }
}

/** The Comparison rows filtered (case-insensitive name substring) and sorted; the default order is the diff's own. */
function sortedDiff(rows: ClassDiffRow[], sort: DiffSort | undefined, filter: string | undefined): ClassDiffRow[] {
  const needle = filter?.toLowerCase() ?? '';
  if (!needle && !sort) return rows;
  const out = needle ? rows.filter((c) => c.name.toLowerCase().includes(needle)) : rows.slice();
  if (!sort) return out;
  const sign = sort.order === 'asc' ? 1 : -1;
  const by = sort.by;
  // Stable: ties keep the size-delta order.
  return out.sort((a, b) => sign * (by === 'name' ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a[by] - b[by]));
}

function toClassRow(c: ClassSummary, distance: Map<string, number>): ClassRow {
  const row: ClassRow = { key: c.key, name: cut(c.name), count: c.count, selfSize: c.selfSize, retainedSize: c.retainedSize, distance: distance.get(c.key) ?? -1 };
  if (c.detached) row.detached = true;
  return row;
}

/**
 * DevTools' class Distance: the smallest distance of the class's counted objects (adjusted size
 * above 0, as the Summary counts them). Unreachable (-1) loses to any real distance.
 */
function classDistances(s: LoadedSnapshot): Map<string, number> {
  const { classOf, keys } = s.classes;
  const dist = s.paths.distance;
  const self = s.selfSize;
  const best = new Int32Array(keys.length).fill(-1);
  for (let o = 0; o < classOf.length; o++) {
    const d = dist[o]!;
    if (d < 0 || !(self[o]! > 0)) continue;
    const c = classOf[o]!;
    if (best[c] === -1 || d < best[c]!) best[c] = d;
  }
  return new Map(keys.map((k, c) => [k, best[c]!]));
}
