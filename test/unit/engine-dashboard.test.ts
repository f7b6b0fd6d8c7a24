import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPath } from '../../src/analysis/paths.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { weakReport } from '../../src/analysis/weak.js';
import { EngineClient, EngineError } from '../../src/engine/client.js';
import type { Channel, DominatorNode, GraphLink, GraphNode, Request } from '../../src/shared/contract.js';
import { WeakWorld } from '../helpers/weak-world.js';

// The dashboard's channels on a real worker (dist/engine/host.js) and the committed listener-leak
// snapshots (one inspector session), checked against the analyses run here on the same files.
const fixtures = path.resolve('fixtures/snapshots');
const file = (phase: string) => path.join(fixtures, `listener-leak-${phase}.heapsnapshot.gz`);
const otherProcess = path.join(fixtures, 'finalization-tempdir.heapsnapshot.gz');
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-engine-dash-'));

let engine: EngineClient;
const ids: Record<'baseline' | 'target' | 'final' | 'other', string> = { baseline: '', target: '', final: '', other: '' };
const local: Record<'baseline' | 'target' | 'final', LoadedSnapshot> = {} as never;

beforeAll(async () => {
  engine = await EngineClient.start();
  const phases = ['baseline', 'target', 'final'] as const;
  await Promise.all([
    ...phases.map(async (p) => { ids[p] = (await engine.call('snapshot.load', { path: file(p) })).snapshotId; }),
    ...phases.map(async (p) => { local[p] = await LoadedSnapshot.load(file(p)); }),
    engine.call('snapshot.load', { path: otherProcess }).then((r) => { ids.other = r.snapshotId; }),
  ]);
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(channel: Channel, request: unknown): Promise<EngineError> {
  const e = await engine.call(channel, request as Request<Channel>).then(() => undefined, (err: unknown) => err);
  expect(e, `${channel} ${JSON.stringify(request)} should fail`).toBeInstanceOf(EngineError);
  return e as EngineError;
}

/** Immediate dominees of `o` per the analysis' dominator array, as the engine must order them. */
function dominees(s: LoadedSnapshot, o: number): number[] {
  const { dominator } = s.dominators;
  const out: number[] = [];
  for (let x = 0; x < dominator.length; x++) if (x !== s.graph.rootOrdinal && dominator[x] === o) out.push(x);
  const ids = s.graph.nodeId;
  return out.sort((a, b) => s.retainedSize(b) - s.retainedSize(a) || ids[a]! - ids[b]!);
}

function expectNode(s: LoadedSnapshot, n: DominatorNode): number {
  const o = s.ordinalOf(n.id);
  expect(o, `@${n.id}`).toBeGreaterThanOrEqual(0);
  expect({ ...n, children: undefined }).toEqual({
    id: n.id, name: s.className(o), type: s.graph.nodeTypeName(o), selfSize: s.selfSize[o],
    retainedSize: s.retainedSize(o), childCount: dominees(s, o).length, children: undefined,
  });
  return o;
}

describe('dominators.tree', () => {
  it('the root level, paged, equals the dominator array with retained sizes adding up', async () => {
    const s = local.final;
    const all = dominees(s, s.graph.rootOrdinal).map((o) => s.graph.nodeId[o]);
    expect(all.length).toBeGreaterThan(1000); // more than one page
    const first = await engine.call('dominators.tree', { snapshotId: ids.final, start: 0, end: 5000 });
    expect(first.total).toBe(all.length);
    expect(first.rows.length).toBe(1000);
    expect(first.ancestors).toEqual([]);
    expectNode(s, first.node);
    expect(first.node.id).toBe(s.graph.nodeId[s.graph.rootOrdinal]);
    const ids2: number[] = [];
    for (let start = 0; start < all.length; start += 1000) {
      const p = await engine.call('dominators.tree', { snapshotId: ids.final, start, end: start + 1000 });
      expect(p.start).toBe(start);
      ids2.push(...p.rows.map((r) => r.id));
      for (const r of p.rows) expect(r.children).toBeUndefined();
    }
    expect(ids2).toEqual(all);
    // What the root retains is its own size plus what each dominee retains, and nothing else.
    let sum = 0;
    for (const id of all) sum += s.retainedSize(s.ordinalOf(id));
    expect(first.node.selfSize + sum).toBe(first.node.retainedSize);
    const sizes = first.rows.map((r) => r.retainedSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    for (const r of first.rows.slice(0, 50)) expectNode(s, r);
    const past = await engine.call('dominators.tree', { snapshotId: ids.final, start: all.length + 3, end: all.length + 10 });
    expect(past).toMatchObject({ total: all.length, rows: [] });
  });

  it('under a leaked Widget: its dominees, and the dominator chain root first', async () => {
    const s = local.final;
    const widget = (await engine.call('summary.range', { snapshotId: ids.final, start: 0, end: 1, filter: 'Widget' })).rows[0]!;
    const w = (await engine.call('class.instances', { snapshotId: ids.final, classKey: widget.key, start: 0, end: 1 })).rows[0]!;
    const t = await engine.call('dominators.tree', { snapshotId: ids.final, id: w.id, start: 0, end: 100 });
    const o = expectNode(s, t.node);
    expect(t.node.name).toBe('Widget');
    expect(t.rows.map((r) => r.id)).toEqual(dominees(s, o).map((x) => s.graph.nodeId[x]));
    // Its 16 row strings live in the `rows` Array it alone holds.
    expect(t.rows.some((r) => r.name === 'Array')).toBe(true);
    let sum = 0;
    for (const r of t.rows) sum += r.retainedSize;
    expect(t.node.selfSize + sum).toBe(t.node.retainedSize);
    const chain: number[] = [];
    for (let a = s.dominators.dominator[o]!; ; a = s.dominators.dominator[a]!) {
      chain.unshift(s.graph.nodeId[a]!);
      if (a === s.graph.rootOrdinal) break;
    }
    expect(t.ancestors.map((a) => a.id)).toEqual(chain);
    t.ancestors.forEach((a) => expectNode(s, a));
    // Every ancestor lists the next one (or the Widget) among its dominees.
    for (let i = 0; i < t.ancestors.length; i++) {
      const next = t.ancestors[i + 1]?.id ?? w.id;
      expect(dominees(s, s.ordinalOf(t.ancestors[i]!.id)).map((x) => s.graph.nodeId[x])).toContain(next);
    }
  });

  it('depth nests the largest dominees, childLimit at each level, within the node budget', async () => {
    const s = local.final;
    const t = await engine.call('dominators.tree', { snapshotId: ids.final, start: 0, end: 6, depth: 3, childLimit: 4 });
    expect(t.rows.length).toBe(6);
    let nested = 0;
    const check = (n: DominatorNode, levelsBelow: number) => {
      const o = expectNode(s, n);
      if (levelsBelow === 0) {
        expect(n.children).toBeUndefined();
        return;
      }
      const want = dominees(s, o).slice(0, 4).map((x) => s.graph.nodeId[x]);
      expect(n.children!.map((c) => c.id)).toEqual(want);
      let sum = 0;
      for (const c of n.children!) sum += c.retainedSize;
      expect(sum).toBeLessThanOrEqual(n.retainedSize - n.selfSize);
      nested += n.children!.length;
      n.children!.forEach((c) => check(c, levelsBelow - 1));
    };
    t.rows.forEach((r) => check(r, 2));
    expect(nested).toBeGreaterThan(6);
    // Default childLimit is 20; the largest ask stays within 10,000 nodes in all.
    const d2 = await engine.call('dominators.tree', { snapshotId: ids.final, start: 0, end: 3, depth: 2 });
    for (const r of d2.rows) expect(r.children!.length).toBe(Math.min(20, r.childCount));
    const big = await engine.call('dominators.tree', { snapshotId: ids.final, start: 0, end: 1000, depth: 4, childLimit: 50 });
    const count = (n: DominatorNode): number => 1 + (n.children ?? []).reduce((a, c) => a + count(c), 0);
    const total = big.rows.reduce((a, r) => a + count(r), 0);
    expect(total).toBeGreaterThan(big.rows.length);
    expect(total).toBeLessThanOrEqual(10_000);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['depth 0', { depth: 0 }, 'depth'],
    ['depth past 4', { depth: 5 }, 'depth'],
    ['childLimit past 50', { depth: 2, childLimit: 51 }, 'childLimit'],
    ['childLimit 0', { childLimit: 0 }, 'childLimit'],
    ['fractional id', { id: 1.5 }, 'id'],
    ['end before start', { start: 4, end: 2 }, 'end'],
  ])('refuses %s', async (_what, extra, field) => {
    const e = await failure('dominators.tree', { snapshotId: ids.final, start: 0, end: 10, ...extra });
    expect(e).toMatchObject({ name: 'RequestError', field });
  });

  it('an unknown object or snapshot is a typed error', async () => {
    expect(await failure('dominators.tree', { snapshotId: ids.final, id: 4_000_000_000, start: 0, end: 1 })).toMatchObject({ name: 'NotFoundError', field: 'id' });
    expect(await failure('dominators.tree', { snapshotId: 'Q'.repeat(22), start: 0, end: 1 })).toMatchObject({ name: 'UnknownSnapshotError', field: 'snapshotId' });
  });
});

describe('graph.subgraph', () => {
  it('marks the WeakMap entry edges (key → value and table → value) as ephemeron, and only them', async () => {
    const s = local.final;
    const g = s.graph;
    // Find a live WeakMap entry in the heap itself: an internal edge named "… pair in WeakMap (table @N)".
    let value = -1;
    for (let from = 0; from < g.nodeCount && value < 0; from++) {
      for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e++) {
        if (g.edgeType[e] === g.edgeTypes.internal && g.ephemeronEdge(g.edgeName[e]!)) {
          value = g.edgeTo[e]!;
          break;
        }
      }
    }
    expect(value, 'the fixture holds a WeakMap entry (Node\'s readline utils)').toBeGreaterThanOrEqual(0);
    const r = await engine.call('graph.subgraph', { snapshotId: ids.final, id: g.nodeId[value]!, depth: 1, maxNodes: 100 });
    const eph = r.links.filter((l) => l.ephemeron);
    expect(eph.length).toBe(2);
    for (const l of eph) {
      expect(l).toMatchObject({ target: g.nodeId[value], edgeType: 'internal' });
      expect(l.edge).toMatch(/pair in WeakMap \(table @\d+\)$/);
    }
    // The table's edge retains nothing (the key's does), as in DevTools' dominators.
    const table = Number(/table @(\d+)\)$/.exec(eph[0]!.edge)![1]);
    expect(eph.find((l) => l.source === table)!.retaining).toBe(false);
    expect(eph.find((l) => l.source !== table)!.retaining).toBe(true);
    for (const l of r.links.filter((x) => !x.ephemeron)) expect('ephemeron' in l).toBe(false);
    for (const n of r.nodes) expect('status' in n).toBe(false);
  });

  /** The subgraph of one id in one snapshot, without a base: the engine's own plain answer. */
  const plain = (snapshotId: string, id: number) => engine.call('graph.subgraph', { snapshotId, id, depth: 3, maxNodes: 2000 });
  const linkKey = (l: GraphLink) => `${l.source} ${l.target} ${l.edge}`;

  it('with baseId: kept, added and removed, each as the two plain subgraphs say', async () => {
    // The string "Widget" exists in both snapshots; in the target, the 20 Widget instances' shapes
    // and the class's code also reach it, so its retainers grew and changed.
    const t = local.target;
    let o = -1;
    for (let x = 0; x < t.graph.nodeCount; x++) {
      if (t.graph.nodeTypeName(x) === 'string' && t.graph.nodeNameString(x) === 'Widget' && local.baseline.ordinalOf(t.graph.nodeId[x]!) >= 0) o = x;
    }
    expect(o).toBeGreaterThanOrEqual(0);
    const id = t.graph.nodeId[o]!;
    const [cur, base, overlay] = await Promise.all([
      plain(ids.target, id), plain(ids.baseline, id),
      engine.call('graph.subgraph', { snapshotId: ids.target, id, depth: 3, maxNodes: 2000, baseId: ids.baseline }),
    ]);
    expect(cur.truncated || base.truncated || overlay.truncated).toBe(false);
    const curIds = new Map(cur.nodes.map((n) => [n.id, n]));
    const baseIds = new Map(base.nodes.map((n) => [n.id, n]));
    // Even ids (embedder nodes) are renumbered per snapshot: none here, so ids alone decide.
    expect([...curIds.keys(), ...baseIds.keys()].every((x) => x % 2 === 1)).toBe(true);
    const by = (status: string) => overlay.nodes.filter((n) => n.status === status);
    expect(by('kept').length).toBeGreaterThan(0);
    expect(by('added').length).toBeGreaterThan(0);
    expect(by('removed').length).toBeGreaterThan(0);
    expect(overlay.nodes[0]).toMatchObject({ id, status: 'kept' });
    const strip = ({ status: _s, ...n }: GraphNode) => n;
    for (const n of overlay.nodes) {
      if (n.status === 'removed') {
        expect(curIds.has(n.id)).toBe(false);
        expect(strip(n)).toEqual(baseIds.get(n.id)); // the base's data
      } else {
        expect(strip(n)).toEqual(curIds.get(n.id));
        expect(n.status).toBe(baseIds.has(n.id) ? 'kept' : 'added');
      }
    }
    expect(overlay.nodes.length).toBe(new Set([...curIds.keys(), ...baseIds.keys()]).size);
    // Links keyed by (source, target, edge name).
    const curKeys = new Set(cur.links.map(linkKey));
    const baseKeys = new Set(base.links.map(linkKey));
    for (const l of overlay.links) {
      const k = linkKey(l);
      expect(l.status).toBe(curKeys.has(k) ? (baseKeys.has(k) ? 'kept' : 'added') : 'removed');
      if (l.status === 'removed') expect(baseKeys.has(k)).toBe(true);
    }
    expect(new Set(overlay.links.map(linkKey))).toEqual(new Set([...curKeys, ...baseKeys]));
    expect(overlay.links.some((l) => l.status === 'removed')).toBe(true);
    const nodeIds = new Set(overlay.nodes.map((n) => n.id));
    for (const l of overlay.links) expect(nodeIds.has(l.source) && nodeIds.has(l.target)).toBe(true);
  });

  it('with baseId: a new object is added with all its retainers, and maxNodes bounds both graphs together', async () => {
    const widget = (await engine.call('summary.range', { snapshotId: ids.target, start: 0, end: 1, filter: 'Widget' })).rows[0]!;
    const w = (await engine.call('class.instances', { snapshotId: ids.target, classKey: widget.key, start: 0, end: 1 })).rows[0]!;
    expect(local.baseline.ordinalOf(w.id)).toBe(-1);
    const r = await engine.call('graph.subgraph', { snapshotId: ids.target, id: w.id, depth: 4, maxNodes: 500, baseId: ids.baseline });
    const p = await engine.call('graph.subgraph', { snapshotId: ids.target, id: w.id, depth: 4, maxNodes: 500 });
    expect(r.nodes.map((n) => ({ ...n, status: undefined }))).toEqual(p.nodes.map((n) => ({ ...n, status: undefined })));
    expect(r.nodes.every((n) => n.status === 'added')).toBe(true);
    expect(r.links.every((l) => l.status === 'added')).toBe(true);

    const small = await engine.call('graph.subgraph', { snapshotId: ids.final, id: w.id, depth: 6, maxNodes: 15, baseId: ids.target });
    expect(small.nodes.length).toBe(15);
    expect(small.truncated).toBe(true);
    expect(small.links.length).toBeLessThanOrEqual(60);
    expect(new Set(small.nodes.map((n) => n.id)).size).toBe(15);
    expect(small.nodes[0]).toMatchObject({ id: w.id, status: 'kept' });
  });

  it('final against target: the dashboard array that held the Widget is removed from its graph, the listener kept', async () => {
    const widget = (await engine.call('summary.range', { snapshotId: ids.final, start: 0, end: 1, filter: 'Widget' })).rows[0]!;
    const w = (await engine.call('class.instances', { snapshotId: ids.final, classKey: widget.key, start: 0, end: 1 })).rows[0]!;
    const r = await engine.call('graph.subgraph', { snapshotId: ids.final, id: w.id, depth: 2, maxNodes: 2000, baseId: ids.target });
    const direct = r.links.filter((l) => l.target === w.id);
    // In the target the Widget was an element of `dashboard.widgets`; in the final only its listener's context holds it.
    expect(direct.some((l) => l.status === 'removed' && l.edgeType === 'element')).toBe(true);
    expect(direct.some((l) => l.status === 'kept' && l.edgeType === 'context')).toBe(true);
    expect(direct.filter((l) => l.status !== 'removed').every((l) => l.edgeType !== 'element')).toBe(true);
  });

  it('refuses a base that is not a snapshot of the same session, an unknown or malformed one', async () => {
    const id = local.final.graph.nodeId[local.final.graph.rootOrdinal]!;
    const e = await failure('graph.subgraph', { snapshotId: ids.final, id, depth: 2, maxNodes: 10, baseId: ids.other });
    expect(e).toMatchObject({ name: 'SnapshotMismatchError', exitCode: 2 });
    expect(e.message).toMatch(/not snapshots of one process taken in one inspector session|give the older snapshot first/);
    expect(await failure('graph.subgraph', { snapshotId: ids.final, id, depth: 2, maxNodes: 10, baseId: 'Z'.repeat(22) })).toMatchObject({ name: 'UnknownSnapshotError', field: 'baseId' });
    expect(await failure('graph.subgraph', { snapshotId: ids.final, id, depth: 2, maxNodes: 10, baseId: '../a' })).toMatchObject({ name: 'RequestError', field: 'baseId' });
    expect(await failure('graph.subgraph', { snapshotId: ids.final, id: 4_000_000_001, depth: 2, maxNodes: 10, baseId: ids.target })).toMatchObject({ name: 'NotFoundError', field: 'id' });
  });
});

describe('weak.report rows', () => {
  it('carry the shape of their retainer path, "" when only weak edges reach them', async () => {
    const report = weakReport(local.target, local.final);
    const p = await engine.call('weak.report', { snapshotId: ids.target, afterId: ids.final, start: 0, end: 1000 });
    expect(p.total).toBe(report.targets.length);
    expect(p.rows.length).toBe(Math.min(1000, report.targets.length));
    p.rows.forEach((row, i) => {
      const t = report.targets[i]!;
      const { shape, ...rest } = row;
      expect(rest).toEqual(JSON.parse(JSON.stringify(t)));
      expect(shape).toBe(t.reachability === 'weak-only' ? '' : formatPath(t.retainerPath, { shape: true }));
    });
    expect(p.rows.some((r) => r.reachability === 'strong' && r.shape.length > 0 && !r.shape.includes('@'))).toBe(true);
  });

  it('a weak-only target has shape "" (V8 collects those before a real snapshot, so the heap is built in code)', async () => {
    const w = new WeakWorld();
    const kept = w.node('Logger', 100);
    const loose = w.node('Logger', 100);
    const active = w.node('Array');
    w.b.edge(w.global, 'property', 'activeLoggers', active).edge(active, 'element', 3, kept);
    w.b.edge(w.global, 'property', 'r1', w.weakRef(kept)).edge(w.global, 'property', 'r2', w.weakRef(loose));
    const snapshotId = (await engine.call('snapshot.load', { path: w.b.write(path.join(dir, 'weak.heapsnapshot')) })).snapshotId;
    const p = await engine.call('weak.report', { snapshotId, start: 0, end: 10 });
    expect(p.rows.find((r) => r.id === loose.id)).toMatchObject({ reachability: 'weak-only', retainerPath: [], shape: '' });
    const strong = p.rows.find((r) => r.id === kept.id)!;
    expect(strong.shape).toBe(formatPath(strong.retainerPath, { shape: true }));
    expect(strong.shape).toMatch(/activeLoggers → Array\[\] → Logger$/);
    await engine.call('snapshot.close', { snapshotId });
  });
});
