import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots, type ClassDiff } from '../../src/analysis/diff.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { EngineClient, EngineError } from '../../src/engine/client.js';
import type { Channel, InstanceRow, LeakBudgets, Request } from '../../src/shared/contract.js';
import { runCli } from '../helpers/cli.js';

// diff.instances and leaks.report on a real worker (dist/engine/host.js) and the committed
// listener-leak snapshots, checked against diffSnapshots and `heapscope check --json` on the same files.
const fixtures = path.resolve('fixtures/snapshots');
const file = (phase: string) => path.join(fixtures, `listener-leak-${phase}.heapsnapshot.gz`);
const otherProcess = path.join(fixtures, 'finalization-tempdir.heapsnapshot.gz');

type Phase = 'baseline' | 'target' | 'final';
let engine: EngineClient;
const ids: Record<Phase | 'other', string> = { baseline: '', target: '', final: '', other: '' };
const local = {} as Record<Phase, LoadedSnapshot>;

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
});

async function failure(channel: Channel, request: unknown): Promise<EngineError> {
  const e = await engine.call(channel, request as Request<Channel>).then(() => undefined, (err: unknown) => err);
  expect(e, `${channel} ${JSON.stringify(request)} should fail`).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe('diff.instances', () => {
  async function all(before: Phase, after: Phase, classKey: string, kind: 'added' | 'removed'): Promise<{ total: number; rows: InstanceRow[] }> {
    const rows: InstanceRow[] = [];
    let total = 0;
    do {
      const p = await engine.call('diff.instances', { beforeId: ids[before], afterId: ids[after], classKey, kind, start: rows.length, end: rows.length + 1000 });
      total = p.total;
      rows.push(...p.rows);
    } while (rows.length < total);
    return { total, rows };
  }

  it.each<[Phase, Phase]>([['baseline', 'target'], ['target', 'final']])('%s → %s: every Comparison row lists exactly the objects it counts', async (before, after) => {
    const diff = diffSnapshots(local[before], local[after]);
    expect(diff.classes.length).toBeGreaterThan(0);
    let removedSeen = 0;
    for (const row of diff.classes) {
      for (const kind of ['added', 'removed'] as const) {
        const s = local[kind === 'added' ? after : before];
        const other = local[kind === 'added' ? before : after];
        const { total, rows } = await all(before, after, row.key, kind);
        const count: keyof ClassDiff = kind;
        expect(total, `${row.name} ${kind}`).toBe(row[count]);
        expect(rows.length).toBe(total);
        expect(rows.reduce((sum, r) => sum + r.selfSize, 0)).toBe(kind === 'added' ? row.addedSize : row.removedSize);
        expect(new Set(rows.map((r) => r.id)).size).toBe(total);
        const sizes = rows.map((r) => r.retainedSize);
        expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
        for (const r of rows) {
          const o = s.ordinalOf(r.id);
          // An object of the snapshot it lives in, shown as class.instances shows it …
          expect(r).toEqual({ id: r.id, name: s.graph.nodeNameString(o), selfSize: s.selfSize[o], retainedSize: s.retainedSize(o), distance: s.paths.distance[o] });
          // … whose class there is this row's, and that is not the same object in the other snapshot with that class.
          expect(s.classes.keys[s.classes.classOf[o]!]).toBe(row.key);
          const there = other.ordinalOf(r.id);
          if (there >= 0 && other.selfSize[there]! > 0 && (r.id & 1) === 1 && other.graph.nodeTypeName(there) === s.graph.nodeTypeName(o)) {
            expect(other.className(there), `@${r.id} is in both snapshots: it must have changed class`).not.toBe(row.name);
          }
        }
        if (kind === 'removed') removedSeen += total;
      }
    }
    if (before === 'target') expect(removedSeen).toBeGreaterThan(0);
  });

  it('pages, and answers an unchanged class with no rows', async () => {
    const top = (await engine.call('diff.classes', { beforeId: ids.baseline, afterId: ids.target, start: 0, end: 1 })).rows[0]!;
    const whole = await engine.call('diff.instances', { beforeId: ids.baseline, afterId: ids.target, classKey: top.key, kind: 'added', start: 0, end: 12 });
    const a = await engine.call('diff.instances', { beforeId: ids.baseline, afterId: ids.target, classKey: top.key, kind: 'added', start: 0, end: 5 });
    const b = await engine.call('diff.instances', { beforeId: ids.baseline, afterId: ids.target, classKey: top.key, kind: 'added', start: 5, end: 12 });
    expect(whole.rows.length).toBe(12);
    expect([...a.rows, ...b.rows]).toEqual(whole.rows);
    expect(b.start).toBe(5);
    const clamp = await engine.call('diff.instances', { beforeId: ids.baseline, afterId: ids.target, classKey: top.key, kind: 'added', start: 0, end: 100_000 });
    expect(clamp.rows.length).toBe(Math.min(1000, top.added));
    // A class of the snapshots that did not change: known, empty.
    const changed = new Set(diffSnapshots(local.baseline, local.target).classes.map((c) => c.key));
    const still = (await engine.call('summary.range', { snapshotId: ids.target, start: 0, end: 1000 })).rows.find((r) => !changed.has(r.key))!;
    expect(still).toBeDefined();
    expect(await engine.call('diff.instances', { beforeId: ids.baseline, afterId: ids.target, classKey: still.key, kind: 'removed', start: 0, end: 10 })).toEqual({ total: 0, start: 0, rows: [] });
  });

  it('typed errors: unknown class key, bad kind, unknown snapshot, snapshots of two processes', async () => {
    const base = { beforeId: ids.baseline, afterId: ids.target, classKey: ',Widget', kind: 'added', start: 0, end: 10 };
    const unknown = await failure('diff.instances', { ...base, classKey: ',NoSuchClass<img src=x>' });
    expect(unknown).toMatchObject({ name: 'NotFoundError', field: 'classKey' });
    expect(unknown.message).toContain('NoSuchClass');
    expect(await failure('diff.instances', { ...base, kind: 'changed' })).toMatchObject({ name: 'RequestError', field: 'kind' });
    expect(await failure('diff.instances', { ...base, kind: undefined })).toMatchObject({ name: 'RequestError', field: 'kind' });
    expect(await failure('diff.instances', { ...base, end: 5, start: 6 })).toMatchObject({ name: 'RequestError', field: 'end' });
    expect(await failure('diff.instances', { ...base, beforeId: 'P'.repeat(22) })).toMatchObject({ name: 'UnknownSnapshotError', field: 'beforeId' });
    expect(await failure('diff.instances', { ...base, afterId: 'not an id' })).toMatchObject({ name: 'RequestError', field: 'afterId' });
    expect(await failure('diff.instances', { ...base, beforeId: ids.other })).toMatchObject({ name: 'SnapshotMismatchError', exitCode: 2 });
  });
});

describe('leaks.report', () => {
  const files = ['--baseline', file('baseline'), '--target', file('target'), '--final', file('final')];
  async function check(...flags: string[]): Promise<{ code: number | null; doc: Record<string, unknown> & { leaks: unknown[]; pass: boolean } }> {
    const r = await runCli(['check', ...files, '--json', '-q', ...flags]);
    expect(r.stderr).toBe('');
    return { code: r.code, doc: JSON.parse(r.stdout) as never };
  }
  const report = (budgets: Partial<LeakBudgets> | undefined, start = 0, end = 1000) =>
    engine.call('leaks.report', { baselineId: ids.baseline, targetId: ids.target, finalId: ids.final, start, end, ...(budgets && { budgets }) });

  it('equals `heapscope check --json` with the default budgets: every cluster, the totals, the verdict', async () => {
    const [{ code, doc }, first, rest, whole] = await Promise.all([check(), report(undefined, 0, 1), report(undefined, 1, 1000), report({})]);
    expect(code).toBe(1);
    expect(doc.leaks.length).toBeGreaterThan(1);
    expect(first.total).toBe(doc.leaks.length);
    expect(first.rows.length).toBe(1);
    expect(rest.start).toBe(1);
    expect([...first.rows, ...rest.rows]).toEqual(doc.leaks);
    const { leaks: _l, baseline: _b, target: _t, final: _f, ...totals } = doc;
    const { rows: _r, total: _n, start: _s, ...mine } = whole;
    expect(mine).toEqual(totals);
    expect(mine).toMatchObject({ pass: false, budgets: { maxLeakedBytes: 0, maxLeakedObjects: 0, ignoreClass: [] } });
    // The leak the fixture plants: the 20 Widgets kept by their 'theme' listeners.
    expect(whole.rows.some((c) => c.name === 'Widget' && c.count === 20)).toBe(true);
  });

  it('budgets and ignored classes give the verdict and totals check gives', async () => {
    const all = await report(undefined);
    const exact = { maxLeakedBytes: all.totalRetainedSize, maxLeakedObjects: all.totalCount };
    const under = { maxLeakedBytes: all.totalRetainedSize, maxLeakedObjects: all.totalCount - 1 };
    const ignore = ['^Widget$', 'Arr(ay)?'];
    const [atBudget, overBudget, ignoring] = await Promise.all([report(exact), report(under), report({ ignoreClass: ignore, maxLeakedBytes: 10_000_000, maxLeakedObjects: 1000 })]);
    const cli = await Promise.all([
      check('--max-leaked-bytes', String(exact.maxLeakedBytes), '--max-leaked-objects', String(exact.maxLeakedObjects)),
      check('--max-leaked-bytes', String(under.maxLeakedBytes), '--max-leaked-objects', String(under.maxLeakedObjects)),
    ]);
    const cli3 = await check('--ignore-class', ignore[0]!, '--ignore-class', ignore[1]!, '--max-leaked-bytes', '10000000', '--max-leaked-objects', '1000');
    for (const [mine, { code, doc }] of [[atBudget, cli[0]], [overBudget, cli[1]], [ignoring, cli3]] as const) {
      expect(mine.pass).toBe(doc.pass);
      expect(code).toBe(doc.pass ? 0 : 1);
      expect(mine.budgets).toEqual(doc.budgets);
      expect([mine.totalCount, mine.totalRetainedSize, mine.candidates, mine.ignored]).toEqual([doc.totalCount, doc.totalRetainedSize, doc.candidates, doc.ignored]);
      expect(mine.rows).toEqual(doc.leaks);
    }
    expect([atBudget.pass, overBudget.pass, ignoring.pass]).toEqual([true, false, true]);
    expect(ignoring.ignored.count).toBeGreaterThanOrEqual(20);
    expect(ignoring.rows.some((c) => c.name === 'Widget')).toBe(false);
  });

  it('snapshots of two processes: the SnapshotMismatchError check raises, word for word', async () => {
    const e = await failure('leaks.report', { baselineId: ids.other, targetId: ids.target, finalId: ids.final, start: 0, end: 10 });
    const cli = await runCli(['check', '--baseline', otherProcess, '--target', file('target'), '--final', file('final'), '--json', '-q']);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toBe('');
    expect(e).toMatchObject({ name: 'SnapshotMismatchError', exitCode: 2 });
    expect(cli.stderr).toBe(`heapscope: ${e.message}\n`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a bad regex (its index)', { budgets: { ignoreClass: ['^Ok$', '(unclosed'] } }, 'budgets.ignoreClass.1'],
    ['a negative byte budget', { budgets: { maxLeakedBytes: -1 } }, 'budgets.maxLeakedBytes'],
    ['a fractional object budget', { budgets: { maxLeakedObjects: 1.5 } }, 'budgets.maxLeakedObjects'],
    ['a pattern that is not a string', { budgets: { ignoreClass: [3] } }, 'budgets.ignoreClass.0'],
    ['a malformed id', { finalId: '/tmp/x.heapsnapshot' }, 'finalId'],
    ['end before start', { start: 3, end: 1 }, 'end'],
  ])('refuses %s', async (_what, extra, field) => {
    const e = await failure('leaks.report', { baselineId: ids.baseline, targetId: ids.target, finalId: ids.final, start: 0, end: 10, ...extra });
    expect(e).toMatchObject({ name: 'RequestError', field });
    expect(e.message).toContain(field);
  });

  it('names the regex error and an unknown snapshot', async () => {
    const bad = await failure('leaks.report', { baselineId: ids.baseline, targetId: ids.target, finalId: ids.final, start: 0, end: 10, budgets: { ignoreClass: ['[z-a]'] } });
    expect(bad.message).toMatch(/not a regular expression: .*range/i);
    expect(await failure('leaks.report', { baselineId: ids.baseline, targetId: ids.target, finalId: 'F'.repeat(22), start: 0, end: 10 })).toMatchObject({ name: 'UnknownSnapshotError', field: 'finalId' });
  });
});

describe('closing a snapshot', () => {
  it('drops what was computed from it: later calls on it fail instead of answering from a cache', async () => {
    const final = (await engine.call('snapshot.load', { path: file('final') })).snapshotId;
    const request = { baselineId: ids.baseline, targetId: ids.target, finalId: final, start: 0, end: 1 };
    expect((await engine.call('leaks.report', request)).total).toBeGreaterThan(0);
    const diff = { beforeId: ids.target, afterId: final, classKey: ',Array', kind: 'removed', start: 0, end: 1 } as const;
    await engine.call('diff.instances', diff);
    expect(await engine.call('snapshot.close', { snapshotId: final })).toEqual({ closed: true });
    expect(await failure('leaks.report', request)).toMatchObject({ name: 'UnknownSnapshotError', field: 'finalId' });
    expect(await failure('diff.instances', diff)).toMatchObject({ name: 'UnknownSnapshotError', field: 'afterId' });
    expect(await failure('diff.classes', { beforeId: ids.target, afterId: final, start: 0, end: 1 })).toMatchObject({ name: 'UnknownSnapshotError', field: 'afterId' });
  });
});
