import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { formatPath, pathShape, type Step } from '../../src/analysis/paths.js';
import { SnapshotBuilder, type BuiltNode } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (b: SnapshotBuilder) => LoadedSnapshot.load(b.write(path.join(dir, `g${n++}.heapsnapshot`)));
const names = (s: LoadedSnapshot, o: number) => s.retainerPath(o).map((x) => x.node ?? x.name);

/** A chain of `count` internal nodes from `(GC roots)`, the way V8 reaches module records and handles. */
function internalChain(b: SnapshotBuilder, count: number): BuiltNode {
  let prev = b.gcRoots;
  for (let i = 0; i < count; i++) {
    const next = b.node('hidden', `system / Internal${i}`, 8);
    b.edge(prev, i === 0 ? 'element' : 'internal', i === 0 ? 1 : `slot${i}`, next);
    prev = next;
  }
  return prev;
}

/**
 * A module scope as V8 11.3 writes it: Context --extension--> SourceTextModule (ESM) or only
 * --previous--> NativeContext (CommonJS), its ScopeInfo owned by a SharedFunctionInfo that names the script.
 */
function moduleScope(b: SnapshotBuilder, nativeContext: BuiltNode, script: string, kind: 'esm' | 'cjs', scopeInfo?: BuiltNode): { context: BuiltNode; scopeInfo: BuiltNode } {
  const context = b.node('object', 'system / Context', 40);
  const si = scopeInfo ?? b.node('code', 'system / ScopeInfo', 16);
  b.edge(context, 'internal', 'scope_info', si).edge(context, 'internal', 'previous', nativeContext);
  if (kind === 'esm') b.edge(context, 'internal', 'extension', b.node('hidden', 'system / SourceTextModule', 64));
  if (!scopeInfo) {
    const sfi = b.node('code', '(shared function info)', 32);
    b.edge(sfi, 'internal', 'name_or_scope_info', si).edge(sfi, 'internal', 'script_or_debug_info', b.node('code', script, 80));
    // The SFI is held by its script's list, as in V8: make it reachable so nothing is orphaned.
    b.edge(b.gcRoots, 'element', 900 + n, sfi);
  }
  return { context, scopeInfo: si };
}

describe('retainer paths', () => {
  it('cycles: each node gets its shortest path and the walk ends', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const a = b.node('object', 'A', 8);
    const c = b.node('object', 'B', 8);
    b.edge(g, 'property', 'a', a).edge(a, 'property', 'b', c).edge(c, 'property', 'a', a).edge(c, 'property', 'self', c);
    const s = await load(b);
    expect(names(s, c.ordinal)).toEqual(['global / ', 'A', 'B']);
    expect(s.paths.distance[c.ordinal]).toBe(3);
    expect(formatPath(s.retainerPath(c.ordinal))).toBe(`global / → a.b → B @${c.id}`);
  });

  it('a 100k-deep chain: iterative search, path and one-line format', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    let prev = b.node('object', 'Link', 8);
    b.edge(g, 'property', 'head', prev);
    for (let i = 1; i < 100_000; i++) {
      const next = b.node('object', 'Link', 8);
      b.edge(prev, 'property', 'next', next);
      prev = next;
    }
    const s = await load(b);
    const steps = s.retainerPath(prev.ordinal);
    expect(steps).toHaveLength(100_001);
    expect(steps[0]!.edge).toBeNull();
    expect(steps[1]).toMatchObject({ edge: 'head', edgeType: 'property', name: 'Link' });
    // The run of 99,999 `.next` hops is written once with its length: one short line.
    expect(formatPath(steps)).toBe(`global / → head.next×99999 → Link @${prev.id}`);
    expect(formatPath(steps, { shape: true })).toBe('global / → head.next… → Link');
    // Every link past the head has one shape (runs fold), so a leaked list is one cluster.
    expect(pathShape(steps)).toBe(pathShape(steps.slice(0, 3)));
    expect(pathShape(steps.slice(0, 2))).not.toBe(pathShape(steps.slice(0, 3)));
  });

  it('prefers a user global over a shorter path through V8 internal roots', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const x = b.node('object', 'Widget', 10);
    const handle = b.node('hidden', 'system / Handle', 8);
    b.edge(b.gcRoots, 'element', 7, handle).edge(handle, 'internal', 'value', x); // 3 hops from the root
    const o1 = b.node('object', 'Object', 8);
    const o2 = b.node('object', 'Object', 8);
    b.edge(g, 'property', 'app', o1).edge(o1, 'property', 'state', o2).edge(o2, 'property', 'widget', x); // 4 hops
    const s = await load(b);
    expect(names(s, x.ordinal)).toEqual(['global / ', 'Object', 'Object', 'Widget']);
    // Only the internal path: used when the global does not reach it.
    const y = b.node('object', 'Orphan', 4);
    b.edge(handle, 'internal', 'other', y);
    const s2 = await load(b);
    expect(names(s2, y.ordinal)).toEqual(['(GC roots)', 'system / Handle', 'Orphan']);
  });

  it('prefers a module-level variable (ESM) over the same object reached from the global through internals', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const native = b.node('hidden', 'system / NativeContext', 100);
    b.edge(b.gcRoots, 'element', 2, native);
    const { context } = moduleScope(b, native, 'file:///srv/app/listener-app.mjs', 'esm');
    b.edge(internalChain(b, 6), 'internal', 'context', context); // the module record holds it
    const bus = b.node('object', 'EventEmitter', 40);
    const listeners = b.node('object', 'Array', 16);
    const fn = b.node('closure', 'onTheme', 32);
    const scope = b.node('object', 'system / Context', 24);
    const widget = b.node('object', 'Widget', 64);
    b.edge(context, 'context', 'bus', bus).edge(bus, 'property', 'listeners', listeners)
      .edge(listeners, 'element', 3, fn).edge(fn, 'internal', 'context', scope).edge(scope, 'context', 'widget', widget)
      .edge(scope, 'internal', 'previous', context);
    // The global reaches the bus too, but only through a Node-internal function's scope (longer).
    const custom = b.node('closure', 'CustomEvent', 32);
    const internalScope = b.node('object', 'system / Context', 24);
    const proc = b.node('object', 'process', 24);
    const events = b.node('object', 'Object', 24);
    const handler = b.node('closure', '', 24);
    const handlerScope = b.node('object', 'system / Context', 24);
    b.edge(g, 'property', 'CustomEvent', custom).edge(custom, 'internal', 'context', internalScope)
      .edge(internalScope, 'context', 'process', proc).edge(proc, 'property', '_events', events)
      .edge(events, 'property', 'SIGUSR2', handler).edge(handler, 'internal', 'context', handlerScope)
      .edge(handlerScope, 'context', 'bus', bus);
    const s = await load(b);
    const steps = s.retainerPath(widget.ordinal);
    expect(steps[0]).toMatchObject({ name: 'system / Context', module: 'file:///srv/app/listener-app.mjs', edge: null });
    expect(steps.map((x) => x.edge)).toEqual([null, 'bus', 'listeners', '3', 'context', 'widget']);
    expect(formatPath(steps)).toBe(`module listener-app.mjs → context.bus.listeners → Array[3] → onTheme() → context.widget → Widget @${widget.id}`);
    expect(s.paths.moduleScopes.get(context.ordinal)).toMatchObject({ kind: 'esm' });
    // The bus itself: one step from its module scope beats the global's six.
    expect(s.retainerPath(bus.ordinal).map((x) => x.edge)).toEqual([null, 'bus']);
  });

  it('CommonJS module scopes: one context per ScopeInfo in a user script; not Node\'s own, not a factory\'s', async () => {
    const b = new SnapshotBuilder();
    b.global();
    const native = b.node('hidden', 'system / NativeContext', 100);
    b.edge(b.gcRoots, 'element', 2, native);
    const holder = internalChain(b, 5);
    const user = moduleScope(b, native, '/srv/app/registry.cjs', 'cjs');
    const builtin = moduleScope(b, native, 'node:internal/timers', 'cjs');
    const factory1 = moduleScope(b, native, '/srv/app/factory.cjs', 'cjs');
    const factory2 = moduleScope(b, native, '/srv/app/factory.cjs', 'cjs', factory1.scopeInfo);
    const things: BuiltNode[] = [];
    for (const [i, m] of [user, builtin, factory1, factory2].entries()) {
      b.edge(holder, 'internal', `m${i}`, m.context);
      const t = b.node('object', 'Thing', 8);
      b.edge(m.context, 'context', 'registry', t);
      things.push(t);
    }
    const s = await load(b);
    expect([...s.paths.moduleScopes.values()].map((m) => [m.script, m.kind])).toEqual([['/srv/app/registry.cjs', 'cjs']]);
    expect(formatPath(s.retainerPath(things[0]!.ordinal))).toBe(`module registry.cjs → context.registry → Thing @${things[0]!.id}`);
    for (const t of things.slice(1)) expect(s.retainerPath(t.ordinal)[0]).toMatchObject({ name: '(synthetic)', node: '(GC roots)' });
  });

  it('a module scope that is not strongly reachable starts no path (no phantom paths)', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const native = b.node('hidden', 'system / NativeContext', 100);
    b.edge(b.gcRoots, 'element', 2, native);
    const { context } = moduleScope(b, native, 'file:///srv/app/dead.mjs', 'esm');
    const ref = b.node('object', 'WeakRef', 16);
    b.edge(g, 'property', 'ref', ref).edge(ref, 'weak', 'target', context);
    const x = b.node('object', 'Widget', 8);
    b.edge(context, 'context', 'w', x);
    const s = await load(b);
    expect(s.paths.isStronglyReachable(x.ordinal)).toBe(false);
    expect(s.retainerPath(x.ordinal)).toEqual([]);
    expect(formatPath([])).toBe('(no retaining path)');
  });

  it('weak edges and a WeakMap table\'s edge to a value are never on a path', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const wm = b.node('object', 'WeakMap', 16);
    const table = b.node('array', '', 64);
    const key = b.node('object', 'Key', 8);
    const value = b.node('object', 'Meta', 8);
    b.edge(g, 'property', 'wm', wm).edge(wm, 'internal', 'table', table).edge(g, 'property', 'key', key);
    b.weakMapEntry(table, key, value, 2);
    const s = await load(b);
    const steps = s.retainerPath(value.ordinal);
    expect(steps.map((x) => x.name)).toEqual(['global / ', 'Key', 'Meta']);
    expect(steps[2]!.edgeType).toBe('internal');
  });

  it('answers thousands of paths from one search', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const arr = b.node('object', 'Array', 16);
    b.edge(g, 'property', 'items', arr);
    const items: BuiltNode[] = [];
    for (let i = 0; i < 5000; i++) {
      const it = b.node('object', 'Item', 8);
      b.edge(arr, 'element', i, it);
      items.push(it);
    }
    const s = await load(b);
    const t0 = performance.now();
    const shapes = new Set(items.map((it) => pathShape(s.retainerPath(it.ordinal))));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(shapes.size).toBe(1);
  });
});

describe('formatPath and pathShape', () => {
  const step = (name: string, type: string, edge: string | null, edgeType?: string, extra: Partial<Step> = {}): Step =>
    ({ id: 100 + name.length, name, type, edge, ...(edgeType ? { edgeType } : {}), ...extra });
  const example: Step[] = [
    step('global / ', 'object', null),
    step('EventEmitter', 'object', 'bus', 'property'),
    step('Array', 'object', 'listeners', 'property'),
    step('Function', 'closure', '3', 'element'),
    step('system / Context', 'object', 'context', 'internal'),
    { ...step('Widget', 'object', 'widget', 'context'), id: 123 },
  ];

  it('prints the issue\'s example exactly', () => {
    expect(formatPath(example)).toBe('global / → bus.listeners → Array[3] → (closure) → context.widget → Widget @123');
    expect(formatPath(example, { shape: true })).toBe('global / → bus.listeners → Array[] → (closure) → context.widget → Widget');
  });

  it('names closures, quotes odd property names, keeps internal edges and enclosing scopes readable', () => {
    const steps: Step[] = [
      step('global / ', 'object', null),
      step('Object', 'object', 'a b', 'property'),
      step('Map', 'object', 'cache', 'property'),
      step('(object elements)', 'array', 'table', 'internal'),
      step('Function', 'closure', '7', 'internal', { function: 'handler' }),
      step('system / Context', 'object', 'context', 'internal'),
      step('system / Context', 'object', 'previous', 'internal'),
      step('Session', 'object', 'session', 'context'),
    ];
    expect(formatPath(steps)).toBe(`global / → ["a b"].cache.table → (object elements)[7] → handler() → context.session → Session @${steps[7]!.id}`);
  });

  it('short runs are written out; runs of four or more are counted; array runs keep the last index', () => {
    const list = (n: number): Step[] => [step('global / ', 'object', null), step('Link', 'object', 'head', 'property'),
      ...Array.from({ length: n }, (_, i) => ({ ...step('Link', 'object', 'next', 'property'), id: 500 + i }))];
    expect(formatPath(list(3))).toBe('global / → head.next.next.next → Link @502');
    expect(formatPath(list(4))).toBe('global / → head.next×4 → Link @503');
    const nested: Step[] = [step('global / ', 'object', null), step('Array', 'object', 'grid', 'property'),
      ...[4, 5, 6, 7].map((k) => step('Array', 'object', String(k), 'element')), { ...step('Cell', 'object', '2', 'element'), id: 9 }];
    expect(formatPath(nested)).toBe('global / → grid → Array[4]×4 → Array[2] → Cell @9');
    expect(formatPath(nested, { shape: true })).toBe('global / → grid → Array[]… → Array[] → Cell');
  });

  it('never lets control characters through', () => {
    const steps: Step[] = [step('global / ', 'object', null), step('X\u001b[31m', 'object', 'p\nq', 'property')];
    const line = formatPath(steps);
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line).toContain('\\n');
  });

  it('shape: indexes, numeric slots and WeakMap pair ids normalised; classes and names kept', () => {
    const at = (i: string, cls = 'Widget'): Step[] => [...example.slice(0, 3), step('Function', 'closure', i, 'element'), example[4]!, step(cls, 'object', 'widget', 'context')];
    expect(pathShape(at('3'))).toBe(pathShape(at('17')));
    expect(pathShape(at('3'))).not.toBe(pathShape(at('3', 'Gadget')));
    const pair = (k: number, t: number): Step[] => [step('global / ', 'object', null), step('Meta', 'object', `${k} / part of key (Key @${t}) -> value (Meta @${t + 2}) pair in WeakMap (table @${t + 4})`, 'internal')];
    expect(pathShape(pair(3, 41))).toBe(pathShape(pair(9, 77)));
    const mod = (m: string): Step[] => [step('system / Context', 'object', null, undefined, { module: m }), step('Widget', 'object', 'w', 'context')];
    expect(pathShape(mod('file:///a.mjs'))).not.toBe(pathShape(mod('file:///b.mjs')));
  });
});

describe('retainer paths on a real snapshot (fixtures/snapshots/listener-leak-final)', () => {
  it('a leaked Widget\'s path starts at the module variable `bus`, not in Node internals', async () => {
    const s = await LoadedSnapshot.load(path.join(import.meta.dirname, '../../fixtures/snapshots/listener-leak-final.heapsnapshot.gz'));
    const widgets: number[] = [];
    for (let o = 0; o < s.graph.nodeCount; o++) if (s.className(o) === 'Widget') widgets.push(o);
    expect(widgets).toHaveLength(20);
    const lines = new Set(widgets.map((o) => formatPath(s.retainerPath(o), { shape: true })));
    expect([...lines]).toEqual(['module listener-app.mjs → context.bus._events.theme → Array[] → (closure) → context.this → Widget']);
    const first = s.retainerPath(widgets[0]!)[0]!;
    expect(first.module).toMatch(/^file:\/\/\/.*\/listener-app\.mjs$/);
    expect(new Set(widgets.map((o) => pathShape(s.retainerPath(o)))).size).toBe(1);
  });
});
