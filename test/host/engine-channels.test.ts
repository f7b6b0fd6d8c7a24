/**
 * Every engine channel the dashboard may call, through the WebSocket with STORE ids, on the
 * committed listener-leak snapshots (one session, a real leak): the host swaps each snapshot id
 * field for the engine's and loads on first use; answers equal what the engine gives directly.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/engine/client.js';
import type { SnapshotMeta } from '../../src/shared/dto.js';
import { fixturesDir } from '../helpers/target.js';
import { startHost, type Client, type Host } from './harness.js';

const file = (phase: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);

let host: Host;
let c: Client;
let a: SnapshotMeta;
let b: SnapshotMeta;
let f: SnapshotMeta;

beforeAll(async () => {
  host = await startHost();
  // Registered by reference and left unloaded: the channels below must load them themselves.
  const refs = [];
  for (const phase of ['baseline', 'target', 'final']) refs.push(await host.store.addReference(file(phase)));
  [a, b, f] = refs.map((r) => ({ ...r.meta, loaded: false })) as [SnapshotMeta, SnapshotMeta, SnapshotMeta];
  c = await host.connect();
});

afterAll(async () => {
  await host?.close();
});

describe('engine channels on store ids', () => {
  it('loads once on first use, even when many calls ask at the same time', async () => {
    const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => c.call('summary.range', { snapshotId: a.snapshotId, start: i, end: i + 1 })));
    expect(pages.every((p) => p.rows.length === 1)).toBe(true);
    const reads = c.events.filter((e) => e.event === 'snapshot.progress' && (e.data as { snapshotId: string; phase: string; done: number }).snapshotId === a.snapshotId
      && (e.data as { phase: string }).phase === 'summary');
    // One load sends its final `summary` step once.
    expect(reads.filter((e) => (e.data as { done: number; total: number }).done === (e.data as { total: number }).total)).toHaveLength(1);
    const state = await c.call('session.state', {});
    expect(state.snapshots.find((s) => s.snapshotId === a.snapshotId)).toMatchObject({ loaded: true });
    expect(state.snapshots.find((s) => s.snapshotId === b.snapshotId)).toMatchObject({ loaded: false });
  });

  it('answers every channel, each id field translated, with what the engine answers directly', async () => {
    const widgets = await c.call('summary.range', { snapshotId: b.snapshotId, start: 0, end: 10, filter: 'Widget' });
    const widget = widgets.rows.find((r) => r.name === 'Widget')!;
    expect(widget.count).toBe(20);
    const instances = await c.call('class.instances', { snapshotId: b.snapshotId, classKey: widget.key, start: 0, end: 5 });
    const id = instances.rows[0]!.id;
    const retainers = await c.call('node.retainers', { snapshotId: b.snapshotId, id, depth: 2, limit: 5 });
    expect(retainers.id).toBe(id);
    const pathSteps = await c.call('node.path', { snapshotId: b.snapshotId, id });
    expect(pathSteps.at(-1)!.id).toBe(id);
    const graph = await c.call('graph.subgraph', { snapshotId: f.snapshotId, id, depth: 3, maxNodes: 50, baseId: b.snapshotId });
    expect(graph.nodes.some((n) => n.id === id)).toBe(true);
    expect(graph.nodes.every((n) => n.status !== undefined)).toBe(true);
    const dom = await c.call('dominators.tree', { snapshotId: b.snapshotId, start: 0, end: 5 });
    expect(dom.rows.length).toBeGreaterThan(0);
    const diff = await c.call('diff.classes', { beforeId: a.snapshotId, afterId: b.snapshotId, start: 0, end: 100 });
    const row = diff.rows.find((r) => r.name === 'Widget')!;
    expect(row.added).toBe(20);
    const added = await c.call('diff.instances', { beforeId: a.snapshotId, afterId: b.snapshotId, classKey: widget.key, kind: 'added', start: 0, end: 100 });
    expect(added.total).toBe(20);
    const weak = await c.call('weak.report', { snapshotId: b.snapshotId, afterId: f.snapshotId, start: 0, end: 10 });
    expect(weak.counts.kept + weak.counts.released + weak.counts.new).toBeGreaterThan(0);
    const leaks = await c.call('leaks.report', { baselineId: a.snapshotId, targetId: b.snapshotId, finalId: f.snapshotId, start: 0, end: 50 });
    expect(leaks.rows.filter((r) => r.name === 'Widget').reduce((n, r) => n + r.count, 0)).toBe(20);
    expect(leaks.pass).toBe(false);

    // The same questions asked of a fresh engine by path give the same answers.
    const engine = await EngineClient.start();
    try {
      const ids = [];
      for (const phase of ['baseline', 'target', 'final']) ids.push((await engine.call('snapshot.load', { path: file(phase) })).snapshotId);
      const [ea, eb, ef] = ids as [string, string, string];
      expect(await engine.call('summary.range', { snapshotId: eb, start: 0, end: 10, filter: 'Widget' })).toEqual(widgets);
      expect(await engine.call('diff.classes', { beforeId: ea, afterId: eb, start: 0, end: 100 })).toEqual(diff);
      expect(await engine.call('leaks.report', { baselineId: ea, targetId: eb, finalId: ef, start: 0, end: 50 })).toEqual(leaks);
      expect(await engine.call('node.path', { snapshotId: eb, id })).toEqual(pathSteps);
    } finally {
      await engine.close();
    }
  });

  it('names the field of each unknown id, leaks.report\'s targetId included', async () => {
    const unknown = 'ZZZZZZZZZZZZZZZZZZZZZZ';
    const leak = (over: Record<string, string>) => c.raw('leaks.report', { baselineId: a.snapshotId, targetId: b.snapshotId, finalId: f.snapshotId, start: 0, end: 1, ...over });
    expect(await leak({ baselineId: unknown })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'baselineId' } });
    expect(await leak({ targetId: unknown })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'targetId' } });
    expect(await leak({ finalId: unknown })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'finalId' } });
    expect(await c.raw('graph.subgraph', { snapshotId: b.snapshotId, id: 1, depth: 1, maxNodes: 5, baseId: unknown })).toMatchObject({ ok: false, error: { field: 'baseId' } });
    expect(await c.raw('weak.report', { snapshotId: b.snapshotId, afterId: unknown, start: 0, end: 1 })).toMatchObject({ ok: false, error: { field: 'afterId' } });
    expect(await c.raw('diff.instances', { beforeId: a.snapshotId, afterId: unknown, classKey: 'x', kind: 'added', start: 0, end: 1 })).toMatchObject({ ok: false, error: { field: 'afterId' } });
    // An engine-side error comes back with its field too.
    expect(await c.raw('node.path', { snapshotId: b.snapshotId, id: 2 })).toMatchObject({ ok: false, error: { name: 'NotFoundError', field: 'id' } });
  });

  it('an engine error names snapshots as the dashboard knows them, never by their path on the server', async () => {
    const other = await host.store.addReference(path.join(fixturesDir, 'snapshots', 'finalization-tempdir.heapsnapshot.gz'));
    const r = await c.raw('diff.classes', { beforeId: other.meta.snapshotId, afterId: a.snapshotId, start: 0, end: 1 });
    expect(r).toMatchObject({ ok: false, error: { name: 'SnapshotMismatchError' } });
    const message = (r as { error: { message: string } }).error.message;
    expect(message).toContain(`"${other.meta.name}" and "${a.name}" are not snapshots of one process`);
    expect(message).not.toContain(fixturesDir);
  });
});
