import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { summarizeClasses, totalSize, type ClassSummary } from '../analysis/summary.js';
import { diffSnapshots, type SnapshotDiff } from '../analysis/diff.js';
import { weakReport } from '../analysis/weak.js';
import type { WeakReport } from '../analysis/weak.js';
import type { Channel, LoadProgress, Request, Response } from '../shared/contract.js';
import type { ClassRow, ClassSort, InstanceRow, Page } from '../shared/dto.js';
import { LIMITS, parseRequest } from '../shared/schemas.js';
import { cut, retainerSubgraph, retainerTree } from './graph-queries.js';

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
  constructor(field: string, what: string) {
    super(`${field}: ${what} is not in this snapshot`);
    this.name = 'NotFoundError';
    this.field = field;
  }
}

/** Caches kept per snapshot; small (one entry per asked class, per view, per partner snapshot). */
interface Entry {
  snapshot: LoadedSnapshot;
  summary: ClassSummary[];
  view: { key: string; rows: ClassSummary[] } | undefined;
  classIndex: Map<string, number> | undefined;
  instances: Map<string, Uint32Array>;
  diffs: Map<string, SnapshotDiff>;
  weak: Map<string, WeakReport>;
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

  /** Validates the request (RequestError naming the field), then answers it. */
  async handle(channel: unknown, raw: unknown, onProgress: (p: Omit<LoadProgress, 'callId'>) => void): Promise<unknown> {
    const request = parseRequest(channel, raw);
    return this.dispatch(channel as Channel, request, onProgress);
  }

  private async dispatch(channel: Channel, request: unknown, onProgress: (p: Omit<LoadProgress, 'callId'>) => void): Promise<unknown> {
    switch (channel) {
      case 'snapshot.load': return this.load(request as Request<'snapshot.load'>, onProgress);
      case 'snapshot.close': return { closed: this.snapshots.delete((request as Request<'snapshot.close'>).snapshotId) };
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
      case 'graph.subgraph': {
        const r = request as Request<'graph.subgraph'>;
        const s = this.get(r.snapshotId).snapshot;
        return retainerSubgraph(s, this.ordinal(s, r.id), r.depth, r.maxNodes) satisfies Response<'graph.subgraph'>;
      }
      case 'diff.classes': return this.diffClasses(request as Request<'diff.classes'>);
      case 'weak.report': return this.weakReport(request as Request<'weak.report'>);
    }
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
    this.snapshots.set(snapshotId, { snapshot, summary, view: undefined, classIndex: undefined, instances: new Map(), diffs: new Map(), weak: new Map() });
    return { snapshotId, nodes: snapshot.graph.nodeCount, edges: snapshot.graph.edgeCount, totalSize: totalSize(snapshot.graph) };
  }

  private summaryRange(r: Request<'summary.range'>): Response<'summary.range'> {
    const entry = this.get(r.snapshotId);
    const p = page(this.view(entry, r.sort, r.filter), r.start, r.end);
    return { ...p, rows: p.rows.map(toClassRow) };
  }

  /** The summary filtered and sorted; the last one is kept, since a view pages through one of them. */
  private view(entry: Entry, sort: ClassSort | undefined, filter: string | undefined): ClassSummary[] {
    const needle = filter?.toLowerCase() ?? '';
    if (!needle && !sort) return entry.summary;
    const key = JSON.stringify([sort?.by, sort?.order, needle]);
    if (entry.view?.key === key) return entry.view.rows;
    let rows = needle ? entry.summary.filter((c) => c.name.toLowerCase().includes(needle)) : entry.summary.slice();
    if (sort) {
      const sign = sort.order === 'asc' ? 1 : -1;
      const by = sort.by;
      // Array.prototype.sort is stable: ties keep the default order.
      rows = rows.sort((a, b) => sign * (by === 'name' ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a[by] - b[by]));
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
    const end = Math.min(r.end, r.start + LIMITS.maxPage, list.length);
    const rows: InstanceRow[] = [];
    const g = s.graph;
    for (let i = r.start; i < end; i++) {
      const o = list[i]!;
      rows.push({ id: g.nodeId[o]!, name: cut(g.nodeNameString(o)), selfSize: s.selfSize[o]!, retainedSize: s.retainedSize(o), distance: s.paths.distance[o]! });
    }
    return { total: list.length, start: r.start, rows };
  }

  private diffClasses(r: Request<'diff.classes'>): Response<'diff.classes'> {
    const before = this.get(r.beforeId, 'beforeId');
    const after = this.get(r.afterId, 'afterId');
    let diff = after.diffs.get(r.beforeId);
    if (!diff) {
      diff = diffSnapshots(before.snapshot, after.snapshot);
      after.diffs.set(r.beforeId, diff);
    }
    return { ...page(diff.classes, r.start, r.end), matched: diff.match.matched };
  }

  private weakReport(r: Request<'weak.report'>): Response<'weak.report'> {
    const entry = this.get(r.snapshotId);
    const after = r.afterId === undefined ? undefined : this.get(r.afterId, 'afterId');
    const key = r.afterId ?? '';
    let report = entry.weak.get(key);
    if (!report) {
      report = weakReport(entry.snapshot, after?.snapshot);
      entry.weak.set(key, report);
    }
    return {
      ...page(report.targets, r.start, r.end),
      counts: report.counts,
      shells: report.shells.slice(0, LIMITS.maxShells),
      shellCount: report.shells.length,
    };
  }
}

function toClassRow(c: ClassSummary): ClassRow {
  return { key: c.key, name: cut(c.name), count: c.count, selfSize: c.selfSize, retainedSize: c.retainedSize };
}

/** Ordinals of the class's counted objects (adjusted size > 0, as in the Summary), largest retained size first. */
function instancesOf(s: LoadedSnapshot, c: number): Uint32Array {
  const { classOf } = s.classes;
  const self = s.selfSize;
  let n = 0;
  for (let o = 0; o < classOf.length; o++) if (classOf[o] === c && self[o]! > 0) n++;
  const list = new Uint32Array(n);
  n = 0;
  for (let o = 0; o < classOf.length; o++) if (classOf[o] === c && self[o]! > 0) list[n++] = o;
  const retained = s.dominators.retainedSize;
  const ids = s.graph.nodeId;
  return list.sort((a, b) => retained[b]! - retained[a]! || ids[a]! - ids[b]!);
}
