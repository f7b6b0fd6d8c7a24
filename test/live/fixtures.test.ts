/**
 * Ground truth for fixtures/targets/: every fixture is started for real, stepped phase by phase
 * with SIGUSR2, and snapshotted through the real inspector. Each phase's assertions restate the
 * truth written in the fixture's header comment, with exact counts, so a fixture that stops
 * telling the truth (or a V8 that writes weak references differently) fails here first.
 *
 * "Kept, and why" is checked as reachability with an edge cut: X is strongly reachable, and stops
 * being so when the edges named in the fixture's comment are removed.
 *
 * This file doubles as executable documentation of FACTS.md §3 on Node 20 / V8 11.3; differences
 * are written down in fixtures/targets/README.md. The last block checks the committed snapshots in
 * fixtures/snapshots/ against their README (no target needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, startTarget, type RunningTarget } from '../helpers/target.js';
import { SnapshotSession } from '../helpers/snapshot.js';
import { SnapshotJson, parseEphemeronEdgeName, type HeapEdge } from '../helpers/snapshot-json.js';

/**
 * One target per describe block, stepped forward as the phase tests ask for later phases. All its
 * snapshots come from one inspector session, so node ids are comparable between them.
 */
function liveFixture(name: string) {
  let target: RunningTarget | undefined;
  let session: SnapshotSession | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `heapscope-${name}-`));
    target = await startTarget(`${name}.mjs`);
    session = await SnapshotSession.open(target.wsUrl!);
  });
  afterAll(async () => {
    await session?.close();
    await target?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get target(): RunningTarget {
      if (!target) throw new Error(`${name} did not start`);
      return target;
    },
    /** Steps the target to `phase` (checking its label) and takes a snapshot there. */
    async snapshotAt(phase: number, label: string): Promise<SnapshotJson> {
      const t = this.target;
      while (t.phase < phase) await t.next();
      expect(t.phase, `${name} is already past phase ${phase}`).toBe(phase);
      expect(t.label).toBe(label);
      return this.snapshot(session!, `${phase}`);
    },
    /** A snapshot of the target as it is now, through `via`. */
    async snapshot(via: SnapshotSession, tag: string): Promise<SnapshotJson> {
      const file = path.join(dir, `${name}-${tag}-${Date.now()}.heapsnapshot`);
      await via.take(file);
      return SnapshotJson.read(file);
    },
    get session(): SnapshotSession {
      if (!session) throw new Error(`${name} has no inspector session`);
      return session;
    },
  };
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The `prop` string of each object, sorted: which instances exist, by name. */
function names(s: SnapshotJson, ordinals: number[], prop: string): string[] {
  return sorted(ordinals.map((o) => s.stringProperty(o, prop) ?? `<no ${prop}>`));
}

const cutContext = (variable: string) => (e: HeapEdge) => e.type === 'context' && e.name === variable;

describe('weakref-cache: Map<name, WeakRef<Logger>>', () => {
  const f = liveFixture('weakref-cache');
  const SERVICES = ['app', 'db', 'http', 'cache', 'queue', 'mailer', 'auth', 'billing', 'search', 'audit'];

  /** loggerCache's entries: key string, the WeakRef, and its target (if still alive). */
  function cache(s: SnapshotJson) {
    return s.mapEntries(s.variable('loggerCache')).map(({ key, value }) => {
      expect(s.node(value).name).toBe('WeakRef');
      return { name: s.node(key).name, weakRef: value, target: s.weakRefTarget(value) };
    });
  }

  test('phase 0 created: 10 Loggers held by Services; 10 cached WeakRefs, all with a target', async () => {
    const s = await f.snapshotAt(0, 'created');
    expect(names(s, s.instances('Logger'), 'name')).toEqual(sorted(SERVICES));
    const entries = cache(s);
    expect(entries).toHaveLength(10);
    for (const e of entries) {
      expect(e.target, `WeakRef for ${e.name}`).toBeDefined();
      expect(s.node(e.target!).name).toBe('Logger');
      expect(s.stringProperty(e.target!, 'name')).toBe(e.name);
    }
  });

  test('phase 1 dropped: 8 released; audit kept by activeLoggers, http by a listener closure', async () => {
    const s = await f.snapshotAt(1, 'dropped');
    const loggers = s.instances('Logger');
    expect(names(s, loggers, 'name')).toEqual(['audit', 'http']);

    const entries = cache(s);
    expect(entries).toHaveLength(10);
    expect(sorted(entries.filter((e) => e.target !== undefined).map((e) => e.name))).toEqual(['audit', 'http']);
    expect(entries.filter((e) => e.target === undefined)).toHaveLength(8);

    const audit = loggers.find((o) => s.stringProperty(o, 'name') === 'audit')!;
    const http = loggers.find((o) => s.stringProperty(o, 'name') === 'http')!;
    expect(s.isStronglyReachable(audit)).toBe(true);
    expect(s.isStronglyReachable(audit, cutContext('activeLoggers'))).toBe(false);
    expect(s.isStronglyReachable(http)).toBe(true);
    // The listener closure's own variable, and the emitter it hangs on, are on every path.
    expect(s.isStronglyReachable(http, cutContext('logger'))).toBe(false);
    expect(s.isStronglyReachable(http, cutContext('shutdownHooks'))).toBe(false);
    expect(s.isStronglyReachable(http, cutContext('activeLoggers'))).toBe(true);
  });

  test('phase 2 churn: still 2 Loggers; the Map grew to 50 WeakRefs, 48 of them dead shells', async () => {
    const s = await f.snapshotAt(2, 'churn');
    expect(names(s, s.instances('Logger'), 'name')).toEqual(['audit', 'http']);
    const entries = cache(s);
    expect(entries).toHaveLength(50);
    const shells = entries.filter((e) => e.target === undefined);
    expect(shells).toHaveLength(48);
    for (let i = 0; i < 40; i++) expect(shells.some((e) => e.name === `request-${i}`), `shell request-${i}`).toBe(true);
  });
});

describe('weakref-tree: children hold their parent through a WeakRef', () => {
  const f = liveFixture('weakref-tree');
  const LEAVES = (s: string) => [1, 2, 3, 4].map((i) => `${s}${i}`);

  /** label → the label of the parent the node's `parent` WeakRef still points at (null: dead shell). */
  function parents(s: SnapshotJson): Map<string, string | null> {
    const out = new Map<string, string | null>();
    for (const n of s.instances('TreeNode')) {
      const label = s.stringProperty(n, 'label')!;
      const ref = s.path(n, 'parent')!;
      if (s.node(ref).name !== 'WeakRef') continue; // the root: parent is null
      const target = s.weakRefTarget(ref);
      out.set(label, target === undefined ? null : s.stringProperty(target, 'label')!);
    }
    return out;
  }

  test('phase 0 built: 16 TreeNodes, 15 parent WeakRefs with their target', async () => {
    const s = await f.snapshotAt(0, 'built');
    const all = ['doc', 'a', 'b', 'c', ...LEAVES('a'), ...LEAVES('b'), ...LEAVES('c')];
    expect(names(s, s.instances('TreeNode'), 'label')).toEqual(sorted(all));
    const p = parents(s);
    expect(p.size).toBe(15);
    for (const [child, parent] of p) expect(parent, child).toBe(child.length === 1 ? 'doc' : child[0]);
  });

  test('phase 1 detached: section b released although its children b1–b4 live', async () => {
    const s = await f.snapshotAt(1, 'detached');
    const labels = names(s, s.instances('TreeNode'), 'label');
    expect(labels).toEqual(sorted(['doc', 'a', 'c', ...LEAVES('a'), ...LEAVES('b'), ...LEAVES('c')]));
    const p = parents(s);
    expect(p.size).toBe(14);
    for (const leaf of LEAVES('b')) expect(p.get(leaf), `${leaf}'s parent`).toBeNull();
    for (const leaf of [...LEAVES('a'), ...LEAVES('c')]) expect(p.get(leaf)).toBe(leaf[0]);
    expect(p.get('a')).toBe('doc');
    expect(p.get('c')).toBe('doc');
    // b1–b4 live only through the clipboard.
    const b1 = s.instances('TreeNode').find((n) => s.stringProperty(n, 'label') === 'b1')!;
    expect(s.isStronglyReachable(b1)).toBe(true);
    expect(s.isStronglyReachable(b1, cutContext('clipboard'))).toBe(false);
  });

  test('phase 2 closed: only b1–b4 remain, their parent WeakRefs are dead shells', async () => {
    const s = await f.snapshotAt(2, 'closed');
    expect(names(s, s.instances('TreeNode'), 'label')).toEqual(LEAVES('b'));
    expect([...parents(s)]).toEqual(expect.arrayContaining(LEAVES('b').map((l) => [l, null])));
    expect(parents(s).size).toBe(4);
  });
});

describe('weakmap-registry: WidgetMeta kept through its Widget key', () => {
  const f = liveFixture('weakmap-registry');
  const W = (...ids: number[]) => sorted(ids.map((i) => `Widget w${i}`));

  /** The registry's live entries as key title → value ordinal; checks each value's shape. */
  function registry(s: SnapshotJson): Map<string, number> {
    const out = new Map<string, number>();
    for (const { key, value } of s.ephemeronEntries(s.variable('widgetMeta'))) {
      expect(s.node(key).name).toBe('Widget');
      expect(s.node(value).name).toBe('WidgetMeta');
      expect(s.path(value, 'owner'), 'WidgetMeta.owner points back at its key').toBe(key);
      out.set(s.stringProperty(key, 'title')!, value);
    }
    return out;
  }

  test('phase 0 registered: 12 entries; each value retained through its key only', async () => {
    const s = await f.snapshotAt(0, 'registered');
    expect(names(s, s.instances('Widget'), 'title')).toEqual(W(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    expect(s.instances('WidgetMeta')).toHaveLength(12);
    const entries = registry(s);
    expect(sorted(entries.keys())).toEqual(W(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));

    // FACTS.md §3: per entry, weak edges from the table to key and value, and two internal
    // "part of key" edges to the value, one from the key and one from the table.
    const table = s.edge(s.variable('widgetMeta'), 'internal', 'table')!.to;
    const meta = entries.get('Widget w5')!;
    const widget = s.path(meta, 'owner')!;
    const intoMeta = s.retainers(meta);
    expect(intoMeta.filter((e) => e.type === 'weak' && e.from === table)).toHaveLength(1);
    expect(s.retainers(widget).filter((e) => e.type === 'weak' && e.from === table)).toHaveLength(1);
    const pairEdges = intoMeta.filter((e) => e.type === 'internal' && parseEphemeronEdgeName(String(e.name)));
    expect(sorted(pairEdges.map((e) => (e.from === widget ? 'key' : e.from === table ? 'table' : 'other')))).toEqual(['key', 'table']);

    // The value's only retaining path runs through its key: cut the key-side pair edge and it is gone.
    expect(s.isStronglyReachable(meta)).toBe(true);
    expect(s.isStronglyReachable(meta, (e) => e.from === widget && e.to === meta)).toBe(false);
  });

  test('phase 1 removed: 7 entries released; w11 and its WidgetMeta kept by the undo stack', async () => {
    const s = await f.snapshotAt(1, 'removed');
    expect(names(s, s.instances('Widget'), 'title')).toEqual(W(0, 1, 2, 3, 11));
    expect(s.instances('WidgetMeta')).toHaveLength(5);
    const entries = registry(s);
    expect(sorted(entries.keys())).toEqual(W(0, 1, 2, 3, 11));
    const w11Meta = entries.get('Widget w11')!;
    const w0Meta = entries.get('Widget w0')!;
    expect(s.isStronglyReachable(w11Meta)).toBe(true);
    expect(s.isStronglyReachable(w11Meta, cutContext('undoStack'))).toBe(false);
    expect(s.isStronglyReachable(w0Meta, cutContext('undoStack'))).toBe(true);
  });

  test('phase 2 saved: undo history cleared, 4 entries left', async () => {
    const s = await f.snapshotAt(2, 'saved');
    expect(names(s, s.instances('Widget'), 'title')).toEqual(W(0, 1, 2, 3));
    expect(s.instances('WidgetMeta')).toHaveLength(4);
    expect(sorted(registry(s).keys())).toEqual(W(0, 1, 2, 3));
  });
});

describe('weakset-observers: WeakSet of subscribed observers', () => {
  const f = liveFixture('weakset-observers');
  const ALL = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'META', 'NVDA', 'TSLA', 'NFLX', 'ORCL', 'INTC'];

  function members(s: SnapshotJson): string[] {
    return names(s, s.ephemeronEntries(s.variable('subscribed')).map(({ key, value }) => {
      expect(s.node(key).name).toBe('PriceObserver');
      expect(s.node(value).name, 'a WeakSet value is the true Oddball').toBe('system / Oddball');
      return key;
    }), 'symbol');
  }

  test('phase 0 subscribed: 10 Charts, 10 PriceObservers, 10 WeakSet members', async () => {
    const s = await f.snapshotAt(0, 'subscribed');
    expect(names(s, s.instances('Chart'), 'symbol')).toEqual(sorted(ALL));
    expect(names(s, s.instances('PriceObserver'), 'symbol')).toEqual(sorted(ALL));
    expect(members(s)).toEqual(sorted(ALL));
  });

  test('phase 1 closed: 6 charts closed; TSLA observer kept by a forgotten interval', async () => {
    const s = await f.snapshotAt(1, 'closed');
    expect(names(s, s.instances('Chart'), 'symbol')).toEqual(sorted(['AAPL', 'MSFT', 'GOOG', 'AMZN']));
    const observers = s.instances('PriceObserver');
    expect(names(s, observers, 'symbol')).toEqual(sorted(['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA']));
    expect(members(s)).toEqual(sorted(['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA']));
    const bySymbol = (sym: string) => observers.find((o) => s.stringProperty(o, 'symbol') === sym)!;
    expect(s.isStronglyReachable(bySymbol('TSLA'), cutContext('observer'))).toBe(false);
    expect(s.isStronglyReachable(bySymbol('TSLA'), cutContext('openCharts'))).toBe(true);
    expect(s.isStronglyReachable(bySymbol('AAPL'), cutContext('observer'))).toBe(true);
    expect(s.isStronglyReachable(bySymbol('AAPL'), cutContext('openCharts'))).toBe(false);
  });
});

describe('finalization-tempdir: FinalizationRegistry removing temp directories, and the trap', () => {
  const f = liveFixture('finalization-tempdir');
  const GOOD = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `ws-${i}`);
  const TRAPS = ['trap-held', 'trap-closure'];
  let base = '';
  afterAll(() => { if (base) fs.rmSync(base, { recursive: true, force: true }); });

  const dirOf = (label: string) => {
    const found = fs.readdirSync(base).filter((d) => d.startsWith(`${label}-`));
    return found.length === 1 ? path.join(base, found[0]!) : undefined;
  };
  const cleaned = () => [...f.target.stdout.matchAll(/^heapscope-fixture cleaned (.+)$/gm)].map((m) => path.basename(m[1]!).replace(/-[^-]+$/, ''));

  /** The registry's cells: label of the live target (or null once collected) and the held value node. */
  function cells(s: SnapshotJson) {
    const registry = s.variable('cleanup');
    expect(s.node(registry).name).toBe('FinalizationRegistry');
    return s.weakCells(registry).map((cell) => {
      const target = s.weakCellTarget(cell);
      return { cell, target, label: target === undefined ? null : s.stringProperty(target, 'label')!, held: s.weakCellHeld(cell) };
    });
  }

  test('phase 0 registered: 10 TempWorkspaces, 10 directories, 10 WeakCells with a target', async () => {
    const s = await f.snapshotAt(0, 'registered');
    base = /^heapscope-fixture tempdir (.+)$/m.exec(f.target.stdout)![1]!;
    expect(names(s, s.instances('TempWorkspace'), 'label')).toEqual(sorted([...GOOD, ...TRAPS]));
    for (const label of [...GOOD, ...TRAPS]) expect(dirOf(label), label).toBeDefined();
    const c = cells(s);
    expect(sorted(c.map((x) => x.label ?? '<collected>'))).toEqual(sorted([...GOOD, ...TRAPS]));
    // Held values: the path string for ws-*, an Object for trap-held, a closure for trap-closure.
    for (const x of c) {
      const held = s.node(x.held!);
      const want = x.label === 'trap-held' ? 'object' : x.label === 'trap-closure' ? 'closure' : 'string';
      expect(held.type, `held value of ${x.label}`).toBe(want);
      if (want === 'string') expect(held.name).toBe(dirOf(x.label!));
    }
  });

  test('phase 1 dropped: ws-3…ws-7 released and their directories removed; the traps are never released', async () => {
    const s = await f.snapshotAt(1, 'dropped');
    const alive = ['ws-0', 'ws-1', 'ws-2', ...TRAPS];
    const workspaces = s.instances('TempWorkspace');
    expect(names(s, workspaces, 'label')).toEqual(sorted(alive));
    const c = cells(s);
    expect(sorted(c.filter((x) => x.target !== undefined).map((x) => x.label!))).toEqual(sorted(alive));
    // Cleared cells wait, held value and all, until their callback runs after the snapshot's GC.
    for (const x of c.filter((x) => x.target === undefined)) {
      expect(s.node(x.held!).name).toMatch(/\/ws-[3-7]-[^/]+$/);
    }

    // The trap: the registry → WeakCell → held value → the workspace itself.
    const trapHeld = workspaces.find((w) => s.stringProperty(w, 'label') === 'trap-held')!;
    const trapClosure = workspaces.find((w) => s.stringProperty(w, 'label') === 'trap-closure')!;
    const heldValueEdges = new Set(c.map((x) => x.held));
    const cutHeld = (e: HeapEdge) => s.node(e.from).name === 'system / WeakCell' && heldValueEdges.has(e.to);
    for (const trap of [trapHeld, trapClosure]) {
      expect(s.isStronglyReachable(trap)).toBe(true);
      expect(s.isStronglyReachable(trap, cutContext('cleanup'))).toBe(false);
      expect(s.isStronglyReachable(trap, cutHeld)).toBe(false);
    }
    expect(s.isStronglyReachable(trapHeld, (e) => e.type === 'property' && e.name === 'workspace')).toBe(false);
    expect(s.isStronglyReachable(trapClosure, cutContext('workspace'))).toBe(false);
    const ws0 = workspaces.find((w) => s.stringProperty(w, 'label') === 'ws-0')!;
    expect(s.isStronglyReachable(ws0, cutContext('openWorkspaces'))).toBe(false);

    // The callbacks run once the snapshot's GC has cleared the cells.
    await expect.poll(() => sorted(cleaned()), { timeout: 10_000 }).toEqual(['ws-3', 'ws-4', 'ws-5', 'ws-6', 'ws-7']);
    for (const label of ['ws-3', 'ws-4', 'ws-5', 'ws-6', 'ws-7']) expect(dirOf(label), label).toBeUndefined();
    for (const label of alive) expect(dirOf(label), label).toBeDefined();
  });

  test('phase 2 disposed: ws-0…ws-2 disposed; only the 2 traps and their 2 WeakCells remain', async () => {
    const s = await f.snapshotAt(2, 'disposed');
    expect(names(s, s.instances('TempWorkspace'), 'label')).toEqual(sorted(TRAPS));
    const c = cells(s);
    expect(sorted(c.map((x) => x.label ?? '<collected>'))).toEqual(sorted(TRAPS));
    expect(sorted(cleaned())).toEqual(sorted(GOOD));
    for (const label of GOOD) expect(dirOf(label), label).toBeUndefined();
    for (const label of TRAPS) expect(dirOf(label), label).toBeDefined();
  });
});

describe.each([
  // survivors: JS objects and closures born between baseline (0) and target (1) still in final (2),
  // by node name. Leaky: per Widget, its rows Array, its listener closure and that closure's
  // Context, plus the bus's listener Array. Fixed: none (only V8 bookkeeping survives: code, maps,
  // internalized strings; see fixtures/targets/README.md).
  { name: 'listener-leak', closed: 20, reopened: 40, survivors: { Widget: 20, Array: 21, '': 20, 'system / Context': 20 } },
  { name: 'listener-fixed', closed: 0, reopened: 20, survivors: {} },
])('$name: widgets listening on an app-wide bus', ({ name, closed, reopened, survivors }) => {
  const f = liveFixture(name);
  /** Per phase: id → name of every JS object and closure (what a leak check compares). */
  const objects: Array<Map<number, string>> = [];
  const widgetIdsAt: Array<Set<number>> = [];
  let closedSnapshot: SnapshotJson | undefined;

  /** Number of 'theme' listeners on the bus: one function, an Array of them, or none. */
  function listeners(s: SnapshotJson): number {
    const theme = s.path(s.variable('bus'), '_events', 'theme');
    if (theme === undefined) return 0;
    return s.node(theme).type === 'closure' ? 1 : s.arrayElements(theme).length;
  }
  function widgets(s: SnapshotJson, phase: number): number[] {
    objects[phase] = new Map(s.filter((n) => n.type === 'object' || n.type === 'closure').map((o) => [s.node(o).id, s.node(o).name]));
    const w = s.instances('Widget');
    widgetIdsAt[phase] = new Set(w.map((o) => s.node(o).id));
    return w;
  }

  test('phase 0 baseline: no widgets, no listeners', async () => {
    const s = await f.snapshotAt(0, 'baseline');
    expect(widgets(s, 0)).toHaveLength(0);
    expect(listeners(s)).toBe(0);
  });

  test('phase 1 opened: 20 widgets, 20 listeners', async () => {
    const s = await f.snapshotAt(1, 'opened');
    expect(widgets(s, 1)).toHaveLength(20);
    expect(listeners(s)).toBe(20);
  });

  test(`phase 2 closed: ${closed} widgets remain`, async () => {
    const s = await f.snapshotAt(2, 'closed');
    closedSnapshot = s;
    const w = widgets(s, 2);
    expect(w).toHaveLength(closed);
    expect(listeners(s)).toBe(closed);
    // Whatever survives is kept by the bus's 'theme' listeners and nothing else. (The listener
    // Array is cut by its incoming edges: `_events` is in dictionary mode, so besides the property
    // edge an internal edge from its "(object properties)" store points at the Array too.)
    const theme = s.path(s.variable('bus'), '_events', 'theme');
    const cutTheme = (e: HeapEdge) => e.to === theme;
    for (const o of w) {
      expect(s.isStronglyReachable(o)).toBe(true);
      expect(s.isStronglyReachable(o, cutTheme)).toBe(false);
    }
  });

  test(`three-snapshot check (0, 1, 2): ${closed} Widgets born by the target snapshot survive to the final one`, () => {
    expect(objects[0] && objects[1] && objects[2], 'phases 0–2 ran').toBeTruthy();
    const [baseline, target, final] = objects as [Map<number, string>, Map<number, string>, Map<number, string>];
    const born = [...target.keys()].filter((id) => !baseline.has(id));
    expect(born.filter((id) => widgetIdsAt[1]!.has(id))).toHaveLength(20);
    const survived: Record<string, number> = {};
    for (const id of born) if (final.get(id) === target.get(id)) survived[final.get(id)!] = (survived[final.get(id)!] ?? 0) + 1;
    expect(survived).toEqual(survivors);
  });

  test('node ids survive only while no inspector session closes', async () => {
    // FACTS.md §3 says ids survive GC within one process. They do, until any inspector session on
    // the target closes: V8 then forgets every id, and the next snapshot numbers the heap afresh,
    // reusing numbers for other objects.
    const widgetIds = (s: SnapshotJson) => sorted(s.instances('Widget').map((o) => String(s.node(o).id)));
    const renamed = (a: SnapshotJson, b: SnapshotJson) => {
      let n = 0;
      for (let i = 0; i < a.nodeCount; i++) {
        const o = b.byId(a.node(i).id);
        if (o !== undefined && b.node(o).name !== a.node(i).name) n++;
      }
      return n;
    };
    const before = await f.snapshot(f.session, 'before');
    expect(widgetIds(before)).toEqual(sorted([...widgetIdsAt[2]!].map(String)));
    // Within one session an id very rarely changes hands (measured 0–1 of ~45,000 between two
    // back-to-back snapshots: a short string such as "theme" in one, a
    // `system / UncompiledDataWithoutPreparseData` in the next), so matching by id alone is not
    // quite enough even there.
    expect(renamed(closedSnapshot!, before)).toBeLessThan(10);

    const other = await SnapshotSession.open(f.target.wsUrl!);
    await other.close();
    const after = await f.snapshot(f.session, 'after');
    // Measured: ~24,000 of ~45,000 ids name a different object afterwards; the leaked Widgets get
    // new ids (some of which happen to be old numbers of other Widgets).
    expect(renamed(before, after)).toBeGreaterThan(1000);
    if (closed > 0) expect(widgetIds(after)).not.toEqual(widgetIds(before));
  });

  test(`phase 3 reopened: ${reopened} widgets`, async () => {
    const s = await f.snapshotAt(3, 'reopened');
    expect(widgets(s, 3)).toHaveLength(reopened);
    expect(listeners(s)).toBe(reopened);
  });
});

describe('committed snapshots (fixtures/snapshots/) hold what their README says', () => {
  const dir = path.join(repoRoot, 'fixtures/snapshots');
  const read = (name: string) => SnapshotJson.read(path.join(dir, `${name}.heapsnapshot.gz`));
  const NAMES = ['finalization-tempdir', 'listener-leak-baseline', 'listener-leak-target', 'listener-leak-final'];

  test('all four are there, well under 5 MB together', () => {
    const total = NAMES.reduce((sum, n) => sum + fs.statSync(path.join(dir, `${n}.heapsnapshot.gz`)).size, 0);
    expect(total).toBeLessThan(4e6);
  });

  test('finalization-tempdir (phase 1 dropped): 5 workspaces, 5 live cells, 5 cleared cells awaiting their callback', () => {
    const s = read('finalization-tempdir');
    const workspaces = s.instances('TempWorkspace');
    expect(names(s, workspaces, 'label')).toEqual(sorted(['ws-0', 'ws-1', 'ws-2', 'trap-held', 'trap-closure']));
    const cells = s.weakCells(s.variable('cleanup'));
    expect(cells).toHaveLength(10);
    const cleared = cells.filter((c) => s.weakCellTarget(c) === undefined);
    expect(sorted(cleared.map((c) => /\/(ws-\d)-[^/]+$/.exec(s.node(s.weakCellHeld(c)!).name)?.[1] ?? '?'))).toEqual(['ws-3', 'ws-4', 'ws-5', 'ws-6', 'ws-7']);
    for (const trap of workspaces.filter((w) => s.stringProperty(w, 'label')!.startsWith('trap-'))) {
      expect(s.isStronglyReachable(trap)).toBe(true);
      expect(s.isStronglyReachable(trap, cutContext('cleanup'))).toBe(false);
    }
  });

  test('listener-leak baseline/target/final (phases 0, 1, 2, one session): the 20 Widgets born by target survive', () => {
    const [baseline, target, final] = ['baseline', 'target', 'final'].map((x) => read(`listener-leak-${x}`)) as [SnapshotJson, SnapshotJson, SnapshotJson];
    expect([baseline, target, final].map((s) => s.instances('Widget').length)).toEqual([0, 20, 20]);
    const objects = (s: SnapshotJson) => new Map(s.filter((n) => n.type === 'object' || n.type === 'closure').map((o) => [s.node(o).id, s.node(o).name]));
    const [b, t, f] = [objects(baseline), objects(target), objects(final)];
    const survived: Record<string, number> = {};
    for (const [id, name] of t) if (!b.has(id) && f.get(id) === name) survived[name] = (survived[name] ?? 0) + 1;
    expect(survived).toEqual({ Widget: 20, Array: 21, '': 20, 'system / Context': 20 });
  });
});
