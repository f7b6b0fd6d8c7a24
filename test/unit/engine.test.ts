import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { summarizeClasses } from '../../src/analysis/summary.js';
import { EngineClient, EngineError, EngineExitedError, EngineTimeoutError } from '../../src/engine/client.js';
import type { Channel, LoadProgress, RetainerNode, Request } from '../../src/shared/contract.js';

// A real worker running dist/engine/host.js (client.ts says why the build, not the sources).
const fixtures = path.resolve('fixtures/snapshots');
const final = path.join(fixtures, 'listener-leak-final.heapsnapshot.gz');
const baseline = path.join(fixtures, 'listener-leak-baseline.heapsnapshot.gz');
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-engine-'));

let engine: EngineClient;
let id: string;
let local: LoadedSnapshot;

beforeAll(async () => {
  engine = await EngineClient.start();
  [id, local] = await Promise.all([
    engine.call('snapshot.load', { path: final }).then((r) => r.snapshotId),
    LoadedSnapshot.load(final),
  ]);
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The engine's answer to a request that must fail, as the EngineError it rejects with. */
async function failure(channel: string, request: unknown, client = engine): Promise<EngineError> {
  const e = await client.call(channel as Channel, request as Request<Channel>).then(() => undefined, (err: unknown) => err);
  expect(e, `${channel} ${JSON.stringify(request)} should fail`).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe('snapshot.load', () => {
  it('answers counts and an opaque id, with progress events', async () => {
    const events: LoadProgress[] = [];
    const seen: LoadProgress[] = [];
    const off = engine.on('progress', (p) => events.push(p));
    const r = await engine.call('snapshot.load', { path: final }, { onProgress: (p) => seen.push(p) });
    off();
    expect(r.snapshotId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(r.snapshotId).not.toBe(id);
    expect(r.snapshotId).not.toContain('listener');
    expect([r.nodes, r.edges]).toEqual([local.graph.nodeCount, local.graph.edgeCount]);
    expect(r.totalSize).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(2);
    expect(events).toEqual(seen);
    expect(seen[0]!.phase).toBe('read');
    expect(seen.at(-1)).toMatchObject({ phase: 'summary', done: 4, total: 4 });
    expect(await engine.call('snapshot.close', { snapshotId: r.snapshotId })).toEqual({ closed: true });
    expect((await failure('summary.range', { snapshotId: r.snapshotId, start: 0, end: 1 })).name).toBe('UnknownSnapshotError');
  });

  it('a bad file is an error with its file, section and byte offset', async () => {
    // A letter in the middle of the nodes array.
    const text = Buffer.from(gunzipSync(readFileSync(final)));
    let at = text.indexOf('"nodes":[') + 5000;
    while (text[at]! < 0x30 || text[at]! > 0x39) at++;
    text[at] = 0x78; // 'x'
    const bad = path.join(dir, 'bad.heapsnapshot');
    writeFileSync(bad, text);
    const e = await failure('snapshot.load', { path: bad });
    expect(e.name).toBe('SnapshotFormatError');
    expect(e).toMatchObject({ file: bad, section: 'nodes', exitCode: 5 });
    expect(e.offset).toBeGreaterThanOrEqual(at - 20);
    expect(e.offset).toBeLessThanOrEqual(at + 1);
    // Cut short: the counts in meta cannot fit in what is left.
    const cut = path.join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, text.subarray(0, at));
    expect(await failure('snapshot.load', { path: cut })).toMatchObject({ name: 'SnapshotFormatError', file: cut, section: 'meta' });
    const missing = await failure('snapshot.load', { path: path.join(dir, 'none.heapsnapshot') });
    expect(missing).toMatchObject({ name: 'FileIoError', exitCode: 5 });
  });
});

describe('paged queries', () => {
  /** DevTools' class Distance, the slow way: the nearest counted object of the class. */
  function classDistance(key: string): number {
    const c = local.classes.keys.indexOf(key);
    let best = -1;
    for (let o = 0; o < local.graph.nodeCount; o++) {
      const d = local.paths.distance[o]!;
      if (local.classes.classOf[o] === c && local.selfSize[o]! > 0 && d >= 0 && (best < 0 || d < best)) best = d;
    }
    return best;
  }

  it('summary.range pages equal summarizeClasses slices, with each class\'s nearest distance', async () => {
    const all = summarizeClasses(local).map(({ key, name, count, selfSize, retainedSize }) => ({ key, name, count, selfSize, retainedSize, distance: classDistance(key) }));
    expect(all.find((c) => c.name === 'Widget')!.distance).toBeGreaterThan(1);
    for (const [start, end] of [[0, 10], [10, 25], [all.length - 3, all.length + 50], [all.length + 5, all.length + 10]] as const) {
      const page = await engine.call('summary.range', { snapshotId: id, start, end });
      expect(page.total).toBe(all.length);
      expect(page.rows).toEqual(all.slice(start, end));
    }
  });

  it('summary.range clamps a page to 1000 rows, filters and sorts', async () => {
    const all = summarizeClasses(local);
    const big = await engine.call('summary.range', { snapshotId: id, start: 0, end: 1_000_000 });
    expect(big.rows.length).toBe(Math.min(1000, all.length));
    const widgets = await engine.call('summary.range', { snapshotId: id, start: 0, end: 10, filter: 'WIDGET' });
    expect(widgets.rows.map((r) => r.name)).toEqual(['Widget']);
    expect(widgets.total).toBe(1);
    const byCount = await engine.call('summary.range', { snapshotId: id, start: 0, end: 5, sort: { by: 'count', order: 'desc' } });
    const counts = [...all].sort((a, b) => b.count - a.count).slice(0, 5).map((c) => c.count);
    expect(byCount.rows.map((r) => r.count)).toEqual(counts);
    const byDistance = await engine.call('summary.range', { snapshotId: id, start: 0, end: all.length, sort: { by: 'distance', order: 'asc' } });
    const distances = byDistance.rows.map((r) => r.distance);
    const reachable = distances.filter((d) => d >= 0);
    expect(reachable).toEqual([...reachable].sort((a, b) => a - b));
    expect(distances.slice(reachable.length).every((d) => d === -1)).toBe(true); // unreachable classes last
    const byName = await engine.call('summary.range', { snapshotId: id, start: 0, end: all.length, sort: { by: 'name', order: 'asc' } });
    const names = byName.rows.map((r) => r.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('class.instances lists a class by retained size, with distances', async () => {
    const widget = (await engine.call('summary.range', { snapshotId: id, start: 0, end: 1, filter: 'Widget' })).rows[0]!;
    const page = await engine.call('class.instances', { snapshotId: id, classKey: widget.key, start: 0, end: 100 });
    expect(page.total).toBe(widget.count);
    expect(page.rows.length).toBe(widget.count);
    expect(page.rows.reduce((s, r) => s + r.selfSize, 0)).toBe(widget.selfSize);
    for (const r of page.rows) {
      const o = local.ordinalOf(r.id);
      expect(local.className(o)).toBe('Widget');
      expect(r).toEqual({ id: r.id, name: 'Widget', selfSize: local.selfSize[o], retainedSize: local.retainedSize(o), distance: local.paths.distance[o] });
    }
    const sizes = page.rows.map((r) => r.retainedSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const second = await engine.call('class.instances', { snapshotId: id, classKey: widget.key, start: 5, end: 8 });
    expect(second.rows).toEqual(page.rows.slice(5, 8));
    expect(await failure('class.instances', { snapshotId: id, classKey: ',NoSuchClass', start: 0, end: 1 })).toMatchObject({ name: 'NotFoundError', field: 'classKey' });
  });
});

describe('retainers, paths and subgraphs', () => {
  let widgetId: number;
  beforeAll(async () => {
    const widget = (await engine.call('summary.range', { snapshotId: id, start: 0, end: 1, filter: 'Widget' })).rows[0]!;
    widgetId = (await engine.call('class.instances', { snapshotId: id, classKey: widget.key, start: 0, end: 1 })).rows[0]!.id;
  });

  it('node.retainers: a leaked Widget is held by the listener closure, to the depth asked', async () => {
    const tree = await engine.call('node.retainers', { snapshotId: id, id: widgetId, depth: 4, limit: 5 });
    expect(tree).toMatchObject({ id: widgetId, name: 'Widget', edge: null, retaining: true });
    // Widget ←[this, context]─ the closure's Context ←[context]─ the listener closure ←[0]─ the listeners Array
    const context = tree.children.find((c) => c.edgeType === 'context')!;
    expect(context.name).toBe('system / Context');
    const closure = context.children.find((c) => c.type === 'closure')!;
    expect(closure).toMatchObject({ edge: 'context', retaining: true });
    expect(closure.children.some((c) => c.name === 'Array' && c.edgeType === 'element')).toBe(true);
    // The closure's own `onTheme` property points back at the Widget: shown once, not expanded.
    const levels = (n: RetainerNode): number => 1 + Math.max(0, ...n.children.map(levels));
    expect(levels(tree)).toBeLessThanOrEqual(5);
    const each = (n: RetainerNode, f: (n: RetainerNode) => void) => { f(n); n.children.forEach((c) => each(c, f)); };
    each(tree, (n) => {
      expect(n.children.length).toBeLessThanOrEqual(5);
      expect(n.children.length).toBeLessThanOrEqual(n.retainerCount);
      if (n.cycle) expect(n.children).toEqual([]);
    });
    // Closest to the roots first, the path's next step among them.
    const path = local.retainerPath(local.ordinalOf(widgetId));
    expect(tree.children[0]!.id).toBe(path.at(-2)!.id);
    const flat = await engine.call('node.retainers', { snapshotId: id, id: widgetId, depth: 0, limit: 5 });
    expect(flat.children).toEqual([]);
    // Every node carries the sizes the Summary shows for it.
    each(tree, (n) => {
      const o = local.ordinalOf(n.id);
      expect([n.selfSize, n.retainedSize]).toEqual([local.selfSize[o], local.retainedSize(o)]);
    });
  });

  it('node.path equals LoadedSnapshot.retainerPath and goes through the listener closure', async () => {
    const steps = await engine.call('node.path', { snapshotId: id, id: widgetId });
    expect(steps).toEqual(local.retainerPath(local.ordinalOf(widgetId)));
    expect(steps.some((s) => s.type === 'closure')).toBe(true);
    expect(steps.at(-1)).toMatchObject({ id: widgetId, name: 'Widget' });
    expect(await failure('node.path', { snapshotId: id, id: 4_000_000_000 })).toMatchObject({ name: 'NotFoundError', field: 'id' });
  });

  it('graph.subgraph runs toward the roots and is bounded by maxNodes', async () => {
    const small = await engine.call('graph.subgraph', { snapshotId: id, id: widgetId, depth: 20, maxNodes: 12 });
    expect(small.nodes.length).toBe(12);
    expect(small.truncated).toBe(true);
    expect(small.nodes[0]!.id).toBe(widgetId);
    const ids = new Set(small.nodes.map((n) => n.id));
    expect(ids.size).toBe(small.nodes.length);
    for (const l of small.links) expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
    // Enough room: the whole shortest path is in it.
    const big = await engine.call('graph.subgraph', { snapshotId: id, id: widgetId, depth: 10, maxNodes: 2000 });
    const bigIds = new Set(big.nodes.map((n) => n.id));
    for (const s of local.retainerPath(local.ordinalOf(widgetId))) expect(bigIds.has(s.id), `path step @${s.id}`).toBe(true);
    expect(big.nodes.length).toBeLessThanOrEqual(2000);
    expect(big.links.length).toBeLessThanOrEqual(8000);
    expect(await failure('graph.subgraph', { snapshotId: id, id: widgetId, depth: 3, maxNodes: 100_000 })).toMatchObject({ name: 'RequestError', field: 'maxNodes' });
  });
});

describe('diff.classes and weak.report', () => {
  it('diff.classes pages the comparison of two snapshots of one process', async () => {
    const before = (await engine.call('snapshot.load', { path: baseline })).snapshotId;
    const d = await engine.call('diff.classes', { beforeId: before, afterId: id, start: 0, end: 5 });
    expect(d.total).toBeGreaterThan(0);
    expect(d.rows.length).toBe(Math.min(5, d.total));
    expect(d.matched).toBeGreaterThan(0);
    const deltas = d.rows.map((r) => r.sizeDelta);
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
    expect(await failure('diff.classes', { beforeId: before, afterId: 'B'.repeat(22), start: 0, end: 5 })).toMatchObject({ name: 'UnknownSnapshotError', field: 'afterId' });
    // Sorted and filtered as the Comparison's headers and filter ask; the rows themselves unchanged.
    const all = await engine.call('diff.classes', { beforeId: before, afterId: id, start: 0, end: 1000 });
    const byAdded = await engine.call('diff.classes', { beforeId: before, afterId: id, start: 0, end: 1000, sort: { by: 'added', order: 'asc' } });
    expect(byAdded.rows.map((r) => r.added)).toEqual(all.rows.map((r) => r.added).sort((a, b) => a - b));
    expect(new Set(byAdded.rows.map((r) => r.key))).toEqual(new Set(all.rows.map((r) => r.key)));
    const widget = await engine.call('diff.classes', { beforeId: before, afterId: id, start: 0, end: 1000, filter: 'wIdGeT' });
    expect(widget.rows).toEqual(all.rows.filter((r) => r.name.toLowerCase().includes('widget')));
    expect(widget.rows.length).toBeGreaterThan(0);
    expect(widget.total).toBe(widget.rows.length);
    expect(await failure('diff.classes', { beforeId: before, afterId: id, start: 0, end: 5, sort: { by: 'retainedSize', order: 'asc' } })).toMatchObject({ name: 'RequestError', field: 'sort.by' });
    await engine.call('snapshot.close', { snapshotId: before });
  });

  it('weak.report pages the targets and counts them', async () => {
    const w = await engine.call('weak.report', { snapshotId: id, start: 0, end: 2 });
    expect(w.rows.length).toBe(Math.min(2, w.total));
    const sum = w.counts.strong + w.counts['weak-only'];
    expect(sum).toBe(w.total);
    expect(w.shells.length).toBeLessThanOrEqual(100);
  });
});

describe('bad requests are typed errors, and the engine keeps working', () => {
  it.each<[string, string, unknown, string | undefined]>([
    ['unknown channel', 'snapshot.delete', { snapshotId: 'x' }, 'channel'],
    ['prototype key as channel', 'toString', {}, 'channel'],
    ['wrong type', 'summary.range', { snapshotId: 'A'.repeat(22), start: '0', end: 1 }, 'start'],
    ['negative start', 'summary.range', { snapshotId: 'A'.repeat(22), start: -1, end: 1 }, 'start'],
    ['end before start', 'summary.range', { snapshotId: 'A'.repeat(22), start: 5, end: 1 }, 'end'],
    ['unknown field', 'node.path', { snapshotId: 'A'.repeat(22), id: 1, path: '/etc/passwd' }, 'path'],
    ['missing field', 'node.path', { snapshotId: 'A'.repeat(22) }, 'id'],
    ['path-like id', 'summary.range', { snapshotId: '../x', start: 0, end: 1 }, 'snapshotId'],
    ['a file path as id', 'node.path', { snapshotId: final, id: 1 }, 'snapshotId'],
    ['depth past 5', 'node.retainers', { snapshotId: 'A'.repeat(22), id: 1, depth: 6, limit: 5 }, 'depth'],
    ['not an object', 'snapshot.close', null, undefined],
    ['bad sort', 'summary.range', { snapshotId: 'A'.repeat(22), start: 0, end: 1, sort: { by: 'constructor', order: 'asc' } }, 'sort.by'],
  ])('%s', async (_what, channel, request, field) => {
    const e = await failure(channel, request);
    expect(e.name).toBe('RequestError');
    expect(e.field).toBe(field);
    if (field) expect(e.message).toContain(field);
  });

  it('a well-formed id that was never handed out', async () => {
    expect(await failure('node.path', { snapshotId: 'A'.repeat(22), id: 1 })).toMatchObject({ name: 'UnknownSnapshotError', field: 'snapshotId' });
    expect((await engine.call('summary.range', { snapshotId: id, start: 0, end: 1 })).rows.length).toBe(1);
  });
});

describe('the worker', () => {
  /** A ~20 MB snapshot of a Node process holding many small objects, written by V8 itself. */
  let big: string;
  beforeAll(() => {
    big = path.join(dir, 'big.heapsnapshot');
    const script = `globalThis.keep = Array.from({ length: 120000 }, (_, i) => ({ i, s: 'x' + i, a: [i] })); require('v8').writeHeapSnapshot(${JSON.stringify(big)});`;
    execFileSync(process.execPath, ['-e', script]);
    expect(statSync(big).size).toBeGreaterThan(20e6);
  }, 120_000);

  it('loading a 20 MB snapshot does not block the main thread', async () => {
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 5);
    const t0 = performance.now();
    const r = await engine.call('snapshot.load', { path: big });
    const took = performance.now() - t0;
    clearInterval(timer);
    expect(r.nodes).toBeGreaterThan(300_000);
    // The load takes seconds; the main thread kept ticking all along.
    expect(took).toBeGreaterThan(300);
    expect(ticks).toBeGreaterThan(took / 5 / 4);
    expect(longest).toBeLessThan(200);
    await engine.call('snapshot.close', { snapshotId: r.snapshotId });
  }, 120_000);

  it('a worker that dies (out of memory) rejects every pending call, and later ones', async () => {
    const small = await EngineClient.start({ resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
    try {
      const load = small.call('snapshot.load', { path: big }).then(() => undefined, (e: unknown) => e);
      const other = small.call('summary.range', { snapshotId: 'A'.repeat(22), start: 0, end: 1 }, { timeoutMs: 600_000 });
      const query = small.call('node.path', { snapshotId: 'A'.repeat(22), id: 1 }).then(() => undefined, (e: unknown) => e);
      await other.catch(() => undefined); // answered (an error) before the load runs out of memory
      const died = await load;
      expect(died).toBeInstanceOf(EngineExitedError);
      expect((died as Error).message).toMatch(/snapshot.load: the engine worker exited .*memory/);
      expect(small.closed).toBe(true);
      expect(await query).toBeDefined();
      await expect(small.call('node.path', { snapshotId: 'A'.repeat(22), id: 1 })).rejects.toBeInstanceOf(EngineExitedError);
    } finally {
      await small.close();
    }
  }, 120_000);

  it('close() rejects pending calls; a call past its deadline times out', async () => {
    const c = await EngineClient.start();
    const late = c.call('snapshot.load', { path: big }, { timeoutMs: 20 });
    await expect(late).rejects.toBeInstanceOf(EngineTimeoutError);
    const pending = c.call('snapshot.load', { path: final });
    await c.close();
    await expect(pending).rejects.toBeInstanceOf(EngineExitedError);
    await expect(c.call('snapshot.close', { snapshotId: 'A'.repeat(22) })).rejects.toBeInstanceOf(EngineExitedError);
  });
});
