/**
 * `heapscope weak` against real Node processes: each fixture target of fixtures/targets/ is stepped
 * through its phases, every snapshot of one target taken in ONE inspector session (V8 renumbers
 * objects when a session closes: fixtures/targets/README.md), and the report is checked against the
 * truths written at the top of each fixture. Names of objects (logger names, widget titles…) are
 * read with the independent test reader (test/helpers/snapshot-json.ts), not with the code under
 * test. Some checks go through the built CLI (`runCli`), JSON and text, with their exit codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { weakReport, type WeakReport, type WeakTargetDto } from '../../src/analysis/weak.js';
import { runCli } from '../helpers/cli.js';
import { SnapshotSession } from '../helpers/snapshot.js';
import { SnapshotJson } from '../helpers/snapshot-json.js';
import { startTarget, withTarget, type RunningTarget } from '../helpers/target.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-live-weak-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** One target, one session; `at(n)` steps the target to phase n and snapshots it there (once). */
function liveTarget(name: string) {
  let target: RunningTarget | undefined;
  let session: SnapshotSession | undefined;
  const files = new Map<number, string>();
  beforeAll(async () => {
    target = await startTarget(`${name}.mjs`);
    session = await SnapshotSession.open(target.wsUrl!);
  });
  afterAll(async () => {
    await session?.close();
    await target?.stop();
  });
  return {
    get target(): RunningTarget {
      if (!target) throw new Error(`${name} did not start`);
      return target;
    },
    async at(phase: number): Promise<string> {
      const done = files.get(phase);
      if (done) return done;
      while (this.target.phase < phase) await this.target.next();
      expect(this.target.phase, `${name} is past phase ${phase}`).toBe(phase);
      const file = path.join(dir, `${name}-${phase}.heapsnapshot`);
      await session!.take(file);
      files.set(phase, file);
      return file;
    },
  };
}

/** The report of a pair, plus the independent reader of both files (for names). */
async function pair(a: string, b: string) {
  const report = weakReport(await LoadedSnapshot.load(a), await LoadedSnapshot.load(b));
  return { report, before: SnapshotJson.read(a), after: SnapshotJson.read(b) };
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
const user = (r: WeakReport) => r.targets.filter((t) => !t.internal);
const withStatus = (r: WeakReport, status: string) => user(r).filter((t) => t.status === status);

/** A string property of the object with this id, read by the test's own reader. */
function prop(s: SnapshotJson, id: number, name: string): string {
  const o = s.byId(id);
  if (o === undefined) throw new Error(`@${id} is not in the snapshot`);
  return s.stringProperty(o, name) ?? `<no ${name}>`;
}
const labels = (s: SnapshotJson, ts: WeakTargetDto[], name: string) => sorted(ts.map((t) => prop(s, t.id, name)));
const edgesOf = (t: WeakTargetDto) => t.retainerPath.map((st) => st.edge);

describe('weakref-cache: Map<name, WeakRef<Logger>>', () => {
  const f = liveTarget('weakref-cache');
  const DROPPED = ['app', 'db', 'cache', 'queue', 'mailer', 'auth', 'billing', 'search'];

  test('created → dropped: 8 Loggers released, audit and http kept, each with the path that keeps it', async () => {
    const { report, before, after } = await pair(await f.at(0), await f.at(1));
    expect(report.targets.every((t) => t.internal === t.holders.every((h) => h.internal))).toBe(true);
    const released = withStatus(report, 'released');
    expect(labels(before, released, 'name')).toEqual(sorted(DROPPED));
    for (const t of released) {
      expect(t).toMatchObject({ name: 'Logger', internal: false });
      expect(t.holders).toEqual([{ kind: 'WeakRef', id: expect.any(Number), internal: false }]);
    }
    const kept = withStatus(report, 'kept');
    expect(labels(after, kept, 'name')).toEqual(['audit', 'http']);
    expect(withStatus(report, 'new')).toEqual([]);
    const byName = (n: string) => kept.find((t) => prop(after, t.id, 'name') === n)!;
    // Why: audit is an element of the module array activeLoggers; http is the closure variable
    // `logger` of a 'flush' listener on the module's EventEmitter shutdownHooks.
    expect(byName('audit').reachability).toBe('strong');
    expect(byName('audit').retainerPath[0]!.module).toMatch(/weakref-cache\.mjs$/);
    expect(edgesOf(byName('audit'))).toContain('activeLoggers');
    expect(edgesOf(byName('http'))).toEqual(expect.arrayContaining(['shutdownHooks', 'flush', 'logger']));
    expect(byName('http').retainerPath.at(-1)).toMatchObject({ id: byName('http').id, edge: 'logger', edgeType: 'context' });
    expect(report.counts.released).toBe(8);
    expect(report.counts.kept).toBe(2 + report.targets.filter((t) => t.internal && t.status === 'kept').length);
  });

  test('dropped → churn (CLI): the Map of dead WeakRefs grows from 8 to 48, by holder', async () => {
    const [a, b] = [await f.at(1), await f.at(2)];
    const r = await runCli(['weak', a, b, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as WeakReport;
    const s = SnapshotJson.read(b);
    const cache = s.node(s.variable('loggerCache')).id;
    const shells = doc.shells.filter((x) => !x.internal);
    expect(shells).toEqual([expect.objectContaining({ holderId: cache, holderName: 'Map', count: 48, before: 8, via: '.table[]' })]);
    expect(shells[0]!.retainerPath.at(-1)).toMatchObject({ id: cache, edge: 'loggerCache' });
    // The 40 request loggers came and went between the snapshots: never targets of either.
    expect(labels(s, user(doc).filter((t) => t.status === 'kept'), 'name')).toEqual(['audit', 'http']);
    expect(user(doc).filter((t) => t.status !== 'kept')).toEqual([]);

    const text = await runCli(['weak', a, b, '-q']);
    expect(text.stdout).toMatch(/48 in Map @\d+ via \.table\[\] {2}\(was 8: \+40\) {2}module weakref-cache\.mjs → context\.loggerCache/);
    expect(text.stdout).toContain("kept by closure flush()'s variable logger, not by the WeakRef");
    expect(text.stdout).toContain('kept by module variable activeLoggers[], not by the WeakRef');
  });
});

describe('weakref-tree: TreeNode.parent is a WeakRef', () => {
  const f = liveTarget('weakref-tree');

  test('built → detached: section b released although its children b1–b4 live; their parent links become shells', async () => {
    const { report, before, after } = await pair(await f.at(0), await f.at(1));
    const released = withStatus(report, 'released');
    expect(labels(before, released, 'label')).toEqual(['b']);
    expect(released[0]!.holders.map((h) => h.kind)).toEqual(['WeakRef', 'WeakRef', 'WeakRef', 'WeakRef']);
    expect(labels(after, withStatus(report, 'kept'), 'label')).toEqual(['a', 'c', 'doc']);
    // The children live on, held by the clipboard; each holds its dead parent link.
    const leaves = after.instances('TreeNode').filter((o) => /^b\d$/.test(after.stringProperty(o, 'label') ?? ''));
    expect(leaves).toHaveLength(4);
    const shells = report.shells.filter((s) => !s.internal);
    expect(sorted(shells.map((s) => prop(after, s.holderId, 'label')))).toEqual(['b1', 'b2', 'b3', 'b4']);
    for (const s of shells) {
      expect(s).toMatchObject({ holderName: 'TreeNode', count: 1, before: 0, via: '.parent' });
      expect(s.retainerPath.map((st) => st.edge)).toEqual(expect.arrayContaining(['clipboard', 'nodes']));
    }
  });

  test('detached → closed: the rest of the tree is released; the 4 shells stay', async () => {
    const { report, before } = await pair(await f.at(1), await f.at(2));
    expect(labels(before, withStatus(report, 'released'), 'label')).toEqual(['a', 'c', 'doc']);
    expect(withStatus(report, 'kept')).toEqual([]);
    expect(report.shells.filter((s) => !s.internal).map((s) => [s.count, s.before])).toEqual([[1, 1], [1, 1], [1, 1], [1, 1]]);
  });
});

describe('weakmap-registry: WeakMap<Widget, WidgetMeta>', () => {
  const f = liveTarget('weakmap-registry');

  test('registered → removed: w4–w10 released with their WidgetMeta; w11 kept by the undo stack, and its value with it', async () => {
    const { report, before, after } = await pair(await f.at(0), await f.at(1));
    const released = withStatus(report, 'released');
    expect(labels(before, released, 'title')).toEqual(sorted([4, 5, 6, 7, 8, 9, 10].map((i) => `Widget w${i}`)));
    const kept = withStatus(report, 'kept');
    expect(labels(after, kept, 'title')).toEqual(sorted([0, 1, 2, 3, 11].map((i) => `Widget w${i}`)));
    const registry = after.node(after.variable('widgetMeta')).id;
    for (const t of [...released, ...kept]) {
      expect(t.holders).toHaveLength(1);
      expect(t.holders[0]).toMatchObject({ kind: 'WeakMap', id: registry, internal: false });
    }
    // valueId is the WidgetMeta whose owner is this very key (read independently).
    for (const t of kept) {
      const meta = after.byId(t.holders[0]!.valueId!)!;
      expect(after.node(meta).name).toBe('WidgetMeta');
      expect(after.node(after.path(meta, 'owner')!).id).toBe(t.id);
    }
    const w11 = kept.find((t) => prop(after, t.id, 'title') === 'Widget w11')!;
    expect(edgesOf(w11)).toEqual(expect.arrayContaining(['undoStack', 'widget']));
    expect(edgesOf(w11)).not.toContain('panel');
    expect(w11.retainedSize).toBeGreaterThan(w11.selfSize); // the key retains its value
    for (const t of released) expect(before.node(before.byId(t.holders[0]!.valueId!)!).name).toBe('WidgetMeta');
  });

  test('removed → saved: the undo history is cleared and w11 goes', async () => {
    const { report, before } = await pair(await f.at(1), await f.at(2));
    expect(labels(before, withStatus(report, 'released'), 'title')).toEqual(['Widget w11']);
    expect(withStatus(report, 'kept')).toHaveLength(4);
  });
});

describe('weakset-observers: WeakSet of PriceObservers', () => {
  const f = liveTarget('weakset-observers');

  test('subscribed → closed (CLI): 5 members released; TSLA kept by a forgotten interval', async () => {
    const [a, b] = [await f.at(0), await f.at(1)];
    const r = await runCli(['weak', a, b, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as WeakReport;
    const [before, after] = [SnapshotJson.read(a), SnapshotJson.read(b)];
    expect(labels(before, withStatus(doc, 'released'), 'symbol')).toEqual(sorted(['META', 'NVDA', 'NFLX', 'ORCL', 'INTC']));
    const kept = withStatus(doc, 'kept');
    expect(labels(after, kept, 'symbol')).toEqual(sorted(['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA']));
    const set = after.node(after.variable('subscribed')).id;
    for (const t of kept) expect(t.holders).toEqual([{ kind: 'WeakSet', id: set, internal: false }]);
    const tsla = kept.find((t) => prop(after, t.id, 'symbol') === 'TSLA')!;
    expect(edgesOf(tsla)).toEqual(expect.arrayContaining(['_onTimeout', 'observer']));
    expect(edgesOf(tsla)).not.toContain('openCharts');
    const aapl = kept.find((t) => prop(after, t.id, 'symbol') === 'AAPL')!;
    expect(edgesOf(aapl)).toEqual(expect.arrayContaining(['openCharts', 'observer']));
    const text = await runCli(['weak', a, b, '-q']);
    expect(text.stdout).toContain("kept by closure _onTimeout()'s variable observer, not by the WeakSet");
  });
});

describe('finalization-tempdir: FinalizationRegistry and the held-value trap', () => {
  const f = liveTarget('finalization-tempdir');
  afterAll(() => {
    const base = /^heapscope-fixture tempdir (.+)$/m.exec(f.target.stdout)?.[1];
    if (base?.startsWith(os.tmpdir())) fs.rmSync(base, { recursive: true, force: true });
  });

  test('registered → dropped (CLI): ws-3…ws-7 released; the traps strong, kept through the registry and its WeakCell', async () => {
    const [a, b] = [await f.at(0), await f.at(1)];
    const r = await runCli(['weak', a, b, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as WeakReport;
    const [before, after] = [SnapshotJson.read(a), SnapshotJson.read(b)];
    expect(labels(before, withStatus(doc, 'released'), 'label')).toEqual(['ws-3', 'ws-4', 'ws-5', 'ws-6', 'ws-7']);
    const kept = withStatus(doc, 'kept');
    expect(labels(after, kept, 'label')).toEqual(sorted(['ws-0', 'ws-1', 'ws-2', 'trap-held', 'trap-closure']));
    const registry = after.node(after.variable('cleanup')).id;
    for (const t of kept) {
      expect(t.holders).toHaveLength(1);
      expect(t.holders[0]).toMatchObject({ kind: 'FinalizationRegistry', id: registry, internal: false, heldValueId: expect.any(Number) });
    }
    for (const t of kept) {
      const label = prop(after, t.id, 'label');
      if (!label.startsWith('trap-')) {
        expect(t.cause).toBeUndefined();
        expect(edgesOf(t)).toContain('openWorkspaces');
        continue;
      }
      // The trap: strong, and the path is the bug: cleanup → WeakCell → held value → the workspace.
      expect(t).toMatchObject({ reachability: 'strong', cause: 'finalization-held-value' });
      const ids = t.retainerPath.map((s) => s.id);
      expect(ids).toContain(registry);
      const cell = t.retainerPath.findIndex((s) => after.node(after.byId(s.id)!).name === 'system / WeakCell');
      expect(cell).toBeGreaterThan(ids.indexOf(registry));
      expect(ids.indexOf(t.holders[0]!.heldValueId!)).toBeGreaterThan(cell);
      expect(edgesOf(t).at(-1)).toBe('workspace');
    }
    const text = await runCli(['weak', a, b, '-q']);
    expect(text.stdout.match(/held value references the target/g)).toHaveLength(2);
  });

  test('dropped → disposed: ws-0…ws-2 released by dispose(); only the traps remain, still strong', async () => {
    const { report, before, after } = await pair(await f.at(1), await f.at(2));
    expect(labels(before, withStatus(report, 'released'), 'label')).toEqual(['ws-0', 'ws-1', 'ws-2']);
    const kept = withStatus(report, 'kept');
    expect(labels(after, kept, 'label')).toEqual(['trap-closure', 'trap-held']);
    for (const t of kept) expect(t.cause).toBe('finalization-held-value');
  });
});

describe("Node's own weak references and refusals", () => {
  test('a program with no weak references of its own: every target is internal, and the text says so', async () => {
    await withTarget('idle.mjs', async (t) => {
      const session = await SnapshotSession.open(t.wsUrl!);
      const file = path.join(dir, 'idle.heapsnapshot');
      try {
        await session.take(file);
      } finally {
        await session.close();
      }
      const report = weakReport(await LoadedSnapshot.load(file));
      expect(report.targets.length).toBeGreaterThan(0); // Node 20 has its own (diagnostics_channel…)
      expect(report.targets.filter((x) => !x.internal)).toEqual([]);
      expect(report.shells.filter((x) => !x.internal)).toEqual([]);
      const text = await runCli(['weak', file, '-q']);
      expect(text.stdout).toContain('No weak references of the program in this heap.');
      expect(text.stdout).toMatch(/\(\d+ more belong to Node itself: --all shows them\)/);
    });
  });

  test('snapshots of two processes exit 2 with a clear message; a cut file exits 5', async () => {
    const files = await Promise.all([1, 2].map((n) => withTarget('weakref-cache.mjs', async (t) => {
      const session = await SnapshotSession.open(t.wsUrl!);
      const file = path.join(dir, `process-${n}.heapsnapshot`);
      try {
        await session.take(file);
      } finally {
        await session.close();
      }
      return file;
    })));
    const r = await runCli(['weak', files[0]!, files[1]!, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not snapshots of one process taken in one inspector session/);

    const cut = path.join(dir, 'cut.heapsnapshot.gz');
    const bytes = fs.readFileSync(files[0]!);
    fs.writeFileSync(cut, zlib.gzipSync(bytes.subarray(0, Math.floor(bytes.length / 2))));
    const bad = await runCli(['weak', cut, files[0]!]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('cut.heapsnapshot.gz');
  });
});
