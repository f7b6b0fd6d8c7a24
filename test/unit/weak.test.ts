/**
 * The weak-reference analysis on heaps built in code: every holder kind, the dead-entry junk V8
 * leaves in ephemeron tables, WeakRef shells, the FinalizationRegistry held-value trap, Node's own
 * weak references told from the program's, and the released / kept / new statuses of a pair.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { SnapshotMismatchError } from '../../src/analysis/match.js';
import { weakReport, type WeakReport, type WeakTargetDto } from '../../src/analysis/weak.js';
import type { BuiltNode } from '../helpers/builder.js';
import { WeakWorld } from '../helpers/weak-world.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-weak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (w: WeakWorld) => LoadedSnapshot.load(w.b.write(path.join(dir, `w${n++}.heapsnapshot`)));
const report = async (w: WeakWorld) => weakReport(await load(w));
const target = (r: WeakReport, node: BuiltNode): WeakTargetDto | undefined => r.targets.find((t) => t.id === node.id);
const pathIds = (t: WeakTargetDto | undefined) => t?.retainerPath.map((s) => s.id);

describe('WeakRef', () => {
  it('a target also held strongly is strong, with the shortest strong path; one held only by the WeakRef is weak-only', async () => {
    const w = new WeakWorld();
    const kept = w.node('Logger', 100);
    const loose = w.node('Logger', 100);
    const activeLoggers = w.node('Array');
    w.b.edge(w.global, 'property', 'activeLoggers', activeLoggers).edge(activeLoggers, 'element', 0, kept);
    const r1 = w.weakRef(kept);
    const r2 = w.weakRef(loose);
    w.b.edge(w.global, 'property', 'r1', r1).edge(w.global, 'property', 'r2', r2);
    const r = await report(w);

    expect(r.targets).toHaveLength(2);
    const k = target(r, kept)!;
    expect(k).toMatchObject({ name: 'Logger', type: 'object', selfSize: 100, retainedSize: 100, reachability: 'strong', internal: false });
    expect(k.holders).toEqual([{ kind: 'WeakRef', id: r1.id, internal: false }]);
    expect(pathIds(k)).toEqual([w.global.id, activeLoggers.id, kept.id]);
    expect(k.retainerPath.at(-1)).toMatchObject({ edge: '0' });
    expect(k.status).toBeUndefined();
    expect(target(r, loose)).toMatchObject({ reachability: 'weak-only', retainerPath: [] });
    expect(r.counts).toEqual({ strong: 1, 'weak-only': 1, released: 0, kept: 0, new: 0 });
    expect(r.after).toBeNull();
  });

  it('V8-internal weak edges (transitions, feedback) and WeakRef.prototype are not weak references', async () => {
    const w = new WeakWorld();
    const map = w.b.node('object shape', 'system / Map', 40);
    const other = w.b.node('object shape', 'system / Map', 40);
    w.b.edge(w.global, 'internal', 'map', map).edge(map, 'weak', 'transition', other).edge(map, 'weak', 'target', other);
    const r = await report(w);
    expect(r.targets).toEqual([]);
    expect(r.shells).toEqual([]);
  });

  it('shells: dead WeakRefs still held, grouped by the object that holds them (a Map, through its table)', async () => {
    const w = new WeakWorld();
    const scope = w.scope('file:///app/cache.mjs', 'getLogger');
    const cache = w.node('Map', 32);
    const table = w.b.node('array', '', 200);
    w.b.edge(scope.context, 'context', 'loggerCache', cache).edge(cache, 'internal', 'table', table);
    const live = w.node('Logger', 50);
    w.b.edge(w.global, 'property', 'audit', live);
    const shells: BuiltNode[] = [];
    for (let i = 0; i < 5; i++) {
      const ref = w.weakRef(i === 0 ? live : undefined);
      w.b.edge(table, 'internal', String(3 + 3 * i + 1), ref);
      if (i > 0) shells.push(ref);
    }
    // A tree node's dead parent link: held by its TreeNode directly.
    const leaf = w.node('TreeNode');
    const parentRef = w.weakRef(undefined);
    w.b.edge(w.global, 'property', 'leaf', leaf).edge(leaf, 'property', 'parent', parentRef);
    // `class ParentRef extends WeakRef`: its prototype is no shell, its instances are WeakRefs.
    const sub = w.subclass('ParentRef', 'WeakRef');
    const subRef = w.weakRef(live, { proto: sub });
    w.b.edge(leaf, 'property', 'sibling', subRef);
    const r = await report(w);

    expect(r.targets.map((t) => t.id)).toEqual([live.id]);
    expect(r.targets[0]!.holders.map((h) => h.kind)).toEqual(['WeakRef', 'WeakRef']);
    expect(r.targets[0]!.holders.map((h) => h.id)).toContain(subRef.id);
    expect(r.shells).toHaveLength(2);
    expect(r.shells[0]).toMatchObject({ holderId: cache.id, holderName: 'Map', count: 4, via: '.table[]', internal: false });
    expect(r.shells[0]!.ids.sort()).toEqual(shells.map((s) => s.id).sort());
    expect(r.shells[0]!.retainerPath.map((s) => s.id)).toEqual([w.global.id, scope.fn.id, scope.context.id, cache.id]);
    expect(r.shells[1]).toMatchObject({ holderId: leaf.id, holderName: 'TreeNode', count: 1, via: '.parent' });
  });
});

describe('WeakMap and WeakSet', () => {
  it('pairs keys with values from the pair edges, skips dead entries (the hole), and keeps Smi-valued keys', async () => {
    const w = new WeakWorld();
    const { holder, table } = w.collection('WeakMap');
    w.b.edge(w.global, 'property', 'widgetMeta', holder);
    const panel = w.node('Panel');
    w.b.edge(w.global, 'property', 'panel', panel);
    const widgets = [0, 1, 2].map(() => w.node('Widget', 50));
    const metas = widgets.map(() => w.node('WidgetMeta', 30));
    widgets.forEach((wd, i) => {
      if (i < 2) w.b.edge(panel, 'element', i, wd);
      w.b.edge(metas[i]!, 'property', 'owner', wd);
      w.b.weakMapEntry(table, wd, metas[i]!, 3 + 2 * i);
    });
    w.deadEntry(table, 9);
    // `counts.set(key, 7)`: a Smi value has no node, so no pair edges, only the weak edge to the key.
    const counted = w.node('Session', 20);
    w.b.edge(w.global, 'property', 'session', counted).edge(table, 'weak', '11', counted);
    const r = await report(w);

    expect(r.targets.map((t) => t.id).sort()).toEqual([...widgets.map((x) => x.id), counted.id].sort());
    expect(r.targets.some((t) => t.name === 'system / Oddball')).toBe(false);
    const w0 = target(r, widgets[0]!)!;
    expect(w0.holders).toEqual([{ kind: 'WeakMap', id: holder.id, valueId: metas[0]!.id, internal: false }]);
    expect(w0).toMatchObject({ reachability: 'strong', retainedSize: 80 }); // the key retains its value (DevTools' rule)
    expect(target(r, widgets[2]!)).toMatchObject({ reachability: 'weak-only', retainerPath: [] });
    expect(target(r, counted)!.holders).toEqual([{ kind: 'WeakMap', id: holder.id, internal: false }]);
  });

  it('a key name that imitates the pair syntax does not fool the parser', async () => {
    const w = new WeakWorld();
    const { holder, table } = w.collection('WeakMap');
    w.b.edge(w.global, 'property', 'm', holder);
    const decoy = w.node('Decoy');
    const key = w.node(`Evil @${decoy.id}) -> value (X`);
    const value = w.node('V');
    w.b.edge(w.global, 'property', 'k', key).edge(w.global, 'property', 'decoy', decoy);
    w.b.weakMapEntry(table, key, value, 3);
    const r = await report(w);
    expect(r.targets.map((t) => t.id)).toEqual([key.id]);
    expect(r.targets[0]!.holders[0]).toMatchObject({ kind: 'WeakMap', valueId: value.id });
  });

  it('WeakSet: members from one weak edge and the pair edges to `true`; no valueId', async () => {
    const w = new WeakWorld();
    const { holder, table } = w.collection('WeakSet');
    w.b.edge(w.global, 'property', 'subscribed', holder);
    const observers = [0, 1, 2].map(() => w.node('PriceObserver', 40));
    observers.forEach((o, i) => w.weakSetEntry(table, o, 3 + 2 * i));
    w.deadEntry(table, 9);
    const charts = w.node('Array');
    w.b.edge(w.global, 'property', 'openCharts', charts).edge(charts, 'element', 0, observers[0]!);
    const r = await report(w);

    expect(r.targets.map((t) => t.id).sort()).toEqual(observers.map((o) => o.id).sort());
    for (const t of r.targets) expect(t.holders).toEqual([{ kind: 'WeakSet', id: holder.id, internal: false }]);
    expect(target(r, observers[0]!)!.reachability).toBe('strong');
    expect(r.counts).toMatchObject({ strong: 1, 'weak-only': 2 });
  });

  it('a subclass (`class Cache extends WeakMap`) is a WeakMap holder; a plain Map with a table is not', async () => {
    const w = new WeakWorld();
    const proto = w.subclass('Cache', 'WeakMap');
    const { holder, table } = w.collection('WeakMap', { proto, name: 'Cache' });
    const plain = w.node('Map');
    const plainTable = w.b.node('array', '', 40);
    w.b.edge(plain, 'internal', 'table', plainTable);
    const key = w.node('Key');
    const value = w.node('Value');
    w.b.edge(w.global, 'property', 'cache', holder).edge(w.global, 'property', 'map', plain).edge(w.global, 'property', 'key', key);
    w.b.weakMapEntry(table, key, value, 3);
    w.b.edge(plainTable, 'internal', '3', key);
    const r = await report(w);
    expect(r.targets).toHaveLength(1);
    expect(r.targets[0]!.holders).toEqual([{ kind: 'WeakMap', id: holder.id, valueId: value.id, internal: false }]);
  });
});

describe('FinalizationRegistry', () => {
  function tempdirWorld() {
    const w = new WeakWorld();
    const scope = w.scope('file:///app/tempdir.mjs', 'openWorkspace');
    const registry = w.registry();
    const open = w.node('Array');
    w.b.edge(scope.context, 'context', 'cleanup', registry).edge(scope.context, 'context', 'openWorkspaces', open);
    const good = w.node('TempWorkspace', 64);
    w.b.edge(open, 'element', 0, good);
    const dir = w.b.node('string', '/tmp/ws-0', 32);
    const c1 = w.cell(registry, good, dir, { token: good });
    // The trap: the held value references its own target, and the cell holds it strongly.
    const trap = w.node('TempWorkspace', 64);
    const held = w.node('Object', 24);
    w.b.edge(held, 'property', 'workspace', trap);
    const c2 = w.cell(registry, trap, held, { after: c1 });
    // A cleared cell: its target was collected, its callback has not run yet.
    const gone = w.b.node('string', '/tmp/ws-3', 32);
    w.cell(registry, undefined, gone, { after: c2 });
    const dropped = w.node('TempWorkspace', 64);
    w.cell(registry, dropped, w.b.node('string', '/tmp/ws-4', 32), { after: c2 });
    return { w, registry, good, trap, held, c1, c2, dir, dropped };
  }

  it('cells give target and held value; cleared cells are not targets; the token edge is not a second registration', async () => {
    const { w, registry, good, dir, dropped } = tempdirWorld();
    const r = await report(w);
    expect(r.targets).toHaveLength(3);
    expect(target(r, good)!.holders).toEqual([{ kind: 'FinalizationRegistry', id: registry.id, heldValueId: dir.id, internal: false }]);
    expect(target(r, good)!.cause).toBeUndefined();
    expect(target(r, dropped)).toMatchObject({ reachability: 'weak-only', retainerPath: [] });
  });

  it('the held-value trap: strong, with the path through the registry and its WeakCell, cause finalization-held-value', async () => {
    const { w, registry, trap, held, c1, c2 } = tempdirWorld();
    const r = await report(w);
    const t = target(r, trap)!;
    expect(t.reachability).toBe('strong');
    expect(t.cause).toBe('finalization-held-value');
    const ids = pathIds(t)!;
    expect(ids.slice(-5)).toEqual([registry.id, c1.id, c2.id, held.id, trap.id]);
    expect(t.retainerPath.at(-1)).toMatchObject({ edge: 'workspace', edgeType: 'property' });
  });
});

describe("Node's own weak references", () => {
  it('instances of the primordials (SafeWeakRef…) are internal wherever they are held', async () => {
    const w = new WeakWorld();
    const safe = w.safeClass('WeakRef');
    const channel = w.node('Channel');
    const userScope = w.scope('file:///app/main.mjs', 'main');
    const safeRef = w.weakRef(channel, { proto: safe });
    w.b.edge(userScope.context, 'context', 'ref', safeRef).edge(userScope.context, 'context', 'channel', channel);
    const r = await report(w);
    expect(target(r, channel)).toMatchObject({ internal: true, holders: [{ kind: 'WeakRef', id: safeRef.id, internal: true }] });
  });

  it('a builtin WeakRef is judged by the code nearest it on its path: Node\'s only, or any of the program\'s', async () => {
    const w = new WeakWorld();
    const nodeScope = w.scope('node:diagnostics_channel', 'channel');
    // Only Node's code reaches this one.
    const thing = w.node('Thing');
    const nodeOnly = w.weakRef(thing);
    w.b.edge(nodeScope.context, 'context', 'plain', nodeOnly).edge(w.global, 'property', 'thing', thing);
    // The program's listener on a Node object: Node's code first, then the program's closure and scope.
    const emitter = w.node('EventEmitter');
    w.b.edge(nodeScope.context, 'context', 'emitter', emitter);
    const listenerScope = w.node('system / Context', 32);
    const listener = w.closure('onFlush', 'file:///app/main.mjs', listenerScope);
    w.b.edge(emitter, 'property', 'flush', listener);
    const logger = w.node('Logger');
    const userRef = w.weakRef(logger);
    w.b.edge(listenerScope, 'context', 'ref', userRef).edge(w.global, 'property', 'logger', logger);
    // One target, two holders: Node's and the program's.
    const shared = w.node('Shared');
    const both = w.weakRef(shared);
    w.b.edge(listenerScope, 'context', 'sharedRef', both).edge(nodeScope.context, 'context', 'sharedRef2', w.weakRef(shared));
    w.b.edge(w.global, 'property', 'shared', shared);
    // A plain global: no code on the path at all, so the program's.
    const bare = w.node('Bare');
    w.b.edge(w.global, 'property', 'bareRef', w.weakRef(bare)).edge(w.global, 'property', 'bare', bare);
    const r = await report(w);

    expect(target(r, thing)!.internal).toBe(true);
    expect(target(r, logger)!.internal).toBe(false);
    expect(target(r, shared)!.internal).toBe(false);
    expect(target(r, shared)!.holders.map((h) => h.internal).sort()).toEqual([false, true]);
    expect(target(r, bare)!.internal).toBe(false);
  });
});

describe('SNAPSHOT AFTER: released, kept, new', () => {
  /** The same little program at two moments; ids are fixed so that the pair matches like one session. */
  function moment(after: boolean) {
    const w = new WeakWorld();
    const cache = w.node('Map', 32, 1001);
    const table = w.b.node('array', '', 100, { id: 1003 });
    w.b.edge(w.global, 'property', 'cache', cache).edge(cache, 'internal', 'table', table);
    const kept = w.node('Logger', 40, 1005);
    w.b.edge(w.global, 'property', 'audit', kept);
    const keptRef = w.weakRef(kept, { id: 1007 });
    w.b.edge(table, 'internal', '4', keptRef);
    const goneRef = w.weakRef(after ? undefined : w.node('Logger', 40, 1009), { id: 1011 });
    w.b.edge(table, 'internal', '7', goneRef);
    // Alive in both, weakly held only before (the WeakRef was dropped).
    const plain = w.node('Plain', 8, 1013);
    w.b.edge(w.global, 'property', 'plain', plain);
    if (!after) w.b.edge(w.global, 'property', 'plainRef', w.weakRef(plain, { id: 1015 }));
    if (after) {
      const fresh = w.node('Logger', 40, 2001);
      w.b.edge(w.global, 'property', 'fresh', fresh);
      w.b.edge(table, 'internal', '10', w.weakRef(fresh, { id: 2003 }));
      w.b.edge(table, 'internal', '13', w.weakRef(undefined, { id: 2005 }));
    }
    return w;
  }

  it('each target listed once with its status; fields of released targets describe SNAPSHOT; shells count their growth', async () => {
    const before = await load(moment(false));
    const after = await load(moment(true));
    const r = weakReport(before, after);
    expect(r.after).toBe(after.file);
    const byId = new Map(r.targets.map((t) => [t.id, t]));
    expect(r.targets).toHaveLength(4);
    expect(byId.get(1005)).toMatchObject({ status: 'kept', reachability: 'strong' });
    expect(byId.get(1009)).toMatchObject({ status: 'released', name: 'Logger', reachability: 'weak-only' });
    expect(byId.get(1009)!.holders).toEqual([{ kind: 'WeakRef', id: 1011, internal: false }]);
    expect(byId.get(2001)).toMatchObject({ status: 'new', reachability: 'strong' });
    expect(byId.get(1013)).toMatchObject({ status: 'kept', unheld: true, holders: [{ kind: 'WeakRef', id: 1015 }] });
    expect(r.counts).toEqual({ strong: 3, 'weak-only': 1, released: 1, kept: 2, new: 1 });
    expect(r.shells).toEqual([expect.objectContaining({ holderId: 1001, count: 2, before: 0, via: '.table[]' })]);

    const again = weakReport(after, after);
    expect(again.shells[0]).toMatchObject({ count: 2, before: 2 });
    expect(again.counts).toMatchObject({ released: 0, kept: 2, new: 0 });
  });

  it('refuses two snapshots whose ids do not match (another process or session)', async () => {
    const a = new WeakWorld();
    const b = new WeakWorld();
    for (let i = 0; i < 40; i++) {
      a.b.edge(a.global, 'element', i, a.node(`A${i}`, 8, 5001 + 2 * i));
      b.b.edge(b.global, 'element', i, b.node(`B${i}`, 8, 5001 + 2 * i));
    }
    const [x, y] = [await load(a), await load(b)];
    expect(() => weakReport(x, y)).toThrow(SnapshotMismatchError);
  });
});
