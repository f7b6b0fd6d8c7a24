import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeIndex } from '../../src/analysis/cluster.js';
import { findLeaks } from '../../src/analysis/leaks.js';
import { pathShape } from '../../src/analysis/paths.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { SnapshotBuilder, type BuiltNode, type EdgeType, type NodeType } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/**
 * A tiny heap description shared by the three phases of one process: each object has a fixed id
 * (same id = same object), a list of phases it exists in, and edges from a holder. Ids start past
 * the builder's own root/(GC roots) ids.
 */
interface Obj { key: string; type?: NodeType; name: string; size: number; in: string; from: string; edge: string | number; edgeType?: EdgeType }
type Phase = 'A' | 'B' | 'C';

async function snapshots(objs: Obj[]): Promise<[LoadedSnapshot, LoadedSnapshot, LoadedSnapshot]> {
  const ids = new Map(objs.map((o, i) => [o.key, 1001 + 2 * i]));
  const load = async (phase: Phase) => {
    const b = new SnapshotBuilder();
    const global = b.node('object', 'global / ', 32, { id: 999 });
    b.edge(b.root, 'shortcut', 'global', global);
    const built = new Map<string, BuiltNode>([['global', global], ['gc', b.gcRoots]]);
    const present = objs.filter((o) => o.in.includes(phase));
    for (const o of present) built.set(o.key, b.node(o.type ?? 'object', o.name, o.size, { id: ids.get(o.key)! }));
    for (const o of present) {
      const from = built.get(o.from);
      if (from) b.edge(from, o.edgeType ?? 'property', o.edge, built.get(o.key)!);
    }
    return LoadedSnapshot.load(b.write(path.join(dir, `l${fileNo++}-${phase}.heapsnapshot`)));
  };
  return [await load('A'), await load('B'), await load('C')];
}

const old = (key: string, name: string, from = 'global', edge: string | number = key, extra: Partial<Obj> = {}): Obj =>
  ({ key, name, size: 16, in: 'ABC', from, edge, ...extra });
const leaked = (key: string, name: string, from: string, edge: string | number, extra: Partial<Obj> = {}): Obj =>
  ({ key, name, size: 40, in: 'BC', from, edge, ...extra });

describe('leak candidates and rules', () => {
  it('only objects born after baseline, present in target and still strongly reachable in final', async () => {
    const [a, b, c] = await snapshots([
      old('list', 'Array'),
      leaked('w1', 'Widget', 'list', 0, { edgeType: 'element' }),
      { key: 'early', name: 'Early', size: 40, in: 'ABC', from: 'list', edge: 1, edgeType: 'element' }, // in baseline: not a leak
      { key: 'late', name: 'Late', size: 40, in: 'C', from: 'list', edge: 2, edgeType: 'element' }, // born after target
      { key: 'freed', name: 'Freed', size: 40, in: 'B', from: 'list', edge: 3, edgeType: 'element' }, // gone in final
      old('ref', 'WeakRef'),
      leaked('weakOnly', 'Cached', 'ref', 'target', { edgeType: 'weak' }), // only weakly held in final
    ]);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count])).toEqual([['Widget', 1]]);
    expect(r.candidates).toBe(1);
  });

  it('V8 internals are not leaks but count toward the object that owns them; constants shared with code are not leaks', async () => {
    const [a, b, c] = await snapshots([
      old('list', 'Array'),
      leaked('w', 'Widget', 'list', 0, { edgeType: 'element' }),
      leaked('store', '', 'w', 'elements', { type: 'array', edgeType: 'internal', size: 100 }),
      leaked('shape', 'system / Map', 'w', 'map', { type: 'object shape', edgeType: 'internal', size: 30 }),
      leaked('ctx', 'system / Context', 'w', 'ctx', { edgeType: 'internal', size: 24 }),
      leaked('fv', 'system / FeedbackVector', 'gc', 7, { type: 'code', edgeType: 'element', size: 64 }),
      leaked('konst', 'theme', 'fv', 3, { type: 'string', edgeType: 'element', size: 24 }), // a constant held by code
    ]);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count])).toEqual([['Widget', 1]]);
    // 40 + the owned store moved into it by DevTools' shallow sizes (100) + shape 30 + context 24
    expect(r.leaks[0]!.retainedSize).toBe(40 + 100 + 30 + 24);
    expect(r.totalRetainedSize).toBe(194);
    expect(r.candidates).toBe(6);
  });

  it('a string held only by an old program object is a leak; one owned by a reported object is counted in it', async () => {
    const [a, b, c] = await snapshots([
      old('log', 'Array'),
      leaked('line', 'request 1 done', 'log', 0, { type: 'string', edgeType: 'element', size: 80 }),
      old('cache', 'Array'),
      leaked('entry', 'Entry', 'cache', 0, { edgeType: 'element' }),
      leaked('text', 'payload', 'entry', 'text', { type: 'string', size: 500 }),
    ]);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count, l.retainedSize])).toEqual([['Entry', 1, 540], ['(string)', 1, 80]]);
  });
});

describe('clustering', () => {
  it('array indexes are normalised: Widgets at different slots of one array are one cluster', async () => {
    const objs: Obj[] = [old('list', 'Array')];
    for (let i = 0; i < 7; i++) objs.push(leaked(`w${i}`, 'Widget', 'list', i * 3, { edgeType: 'element' }));
    const [a, b, c] = await snapshots(objs);
    const r = findLeaks(a, b, c);
    expect(r.leaks).toHaveLength(1);
    expect(r.leaks[0]).toMatchObject({ name: 'Widget', count: 7, retainedSize: 280, type: 'object', path: 'global / → list → Array[] → Widget' });
    expect(r.leaks[0]!.retainerPath.at(-1)!.name).toBe('Widget');
    expect(r.leaks[0]!.ids).toHaveLength(7);
  });

  it('different holders or classes are different clusters, ranked by retained size', async () => {
    const [a, b, c] = await snapshots([
      old('small', 'Array'), old('big', 'Map'),
      leaked('s1', 'Session', 'small', 0, { edgeType: 'element' }),
      leaked('s2', 'Session', 'small', 1, { edgeType: 'element' }),
      leaked('t1', 'Session', 'big', 'a', { size: 500 }),
      leaked('g1', 'Gadget', 'small', 2, { edgeType: 'element', size: 100 }),
    ]);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count, l.retainedSize])).toEqual([['Session', 1, 500], ['Gadget', 1, 100], ['Session', 2, 80]]);
    expect(r.totalCount).toBe(4);
    expect(r.totalRetainedSize).toBe(680);
  });

  it('no double counting: a leaked Widget owning a leaked Array owning leaked strings: each byte in exactly one cluster', async () => {
    const objs: Obj[] = [old('list', 'Array')];
    for (let i = 0; i < 3; i++) {
      objs.push(leaked(`w${i}`, 'Widget', 'list', i, { edgeType: 'element', size: 56 }));
      objs.push(leaked(`rows${i}`, 'Array', `w${i}`, 'rows', { size: 32 }));
      for (let k = 0; k < 4; k++) objs.push(leaked(`s${i}.${k}`, `row ${k}`, `rows${i}`, k, { type: 'string', edgeType: 'element', size: 24 }));
    }
    const [a, b, c] = await snapshots(objs);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count, l.retainedSize])).toEqual([['Array', 3, 3 * (32 + 4 * 24)], ['Widget', 3, 3 * 56]]);
    // The clusters together are exactly what the Widgets retain (DevTools' retained size of all three).
    const widgets = r.leaks.find((l) => l.name === 'Widget')!.ids.map((id) => c.ordinalOf(id));
    const union = widgets.reduce((s, o) => s + c.retainedSize(o), 0);
    expect(r.totalRetainedSize).toBe(union);
  });

  it('keeps at most 100 ids per cluster, largest first, and counts them all', async () => {
    const objs: Obj[] = [old('list', 'Array')];
    for (let i = 0; i < 150; i++) objs.push(leaked(`w${i}`, 'Widget', 'list', i, { edgeType: 'element', size: i === 120 ? 999 : 40 }));
    const [a, b, c] = await snapshots(objs);
    const [cluster] = findLeaks(a, b, c).leaks;
    expect(cluster!.count).toBe(150);
    expect(cluster!.ids).toHaveLength(100);
    expect(c.selfSize[c.ordinalOf(cluster!.ids[0]!)]).toBe(999);
    expect(cluster!.retainerPath.at(-1)!.id).toBe(cluster!.ids[0]);
    expect(cluster!.retainedSize).toBe(149 * 40 + 999);
  });

  it('--ignore-class leaves out the objects of a class and what they alone keep, and says how much', async () => {
    const [a, b, c] = await snapshots([
      old('list', 'Array'),
      leaked('w', 'Widget', 'list', 0, { edgeType: 'element' }),
      leaked('wstore', '', 'w', 'elements', { type: 'array', edgeType: 'internal', size: 60 }),
      leaked('cache', 'LRUCache', 'list', 1, { edgeType: 'element', size: 70 }),
      leaked('cstore', '', 'cache', 'elements', { type: 'array', edgeType: 'internal', size: 30 }),
    ]);
    const r = findLeaks(a, b, c, { ignoreClass: [/^LRU/] });
    expect(r.leaks.map((l) => l.name)).toEqual(['Widget']);
    expect(r.totalRetainedSize).toBe(100);
    expect(r.ignored).toEqual({ count: 1, retainedSize: 100 });
  });

  it('a leaked linked list is two clusters (its head, and every link after it), with a short path', async () => {
    const objs: Obj[] = [old('holder', 'Queue'), leaked('n0', 'Link', 'holder', 'head')];
    for (let i = 1; i < 1000; i++) objs.push(leaked(`n${i}`, 'Link', `n${i - 1}`, 'next'));
    const [a, b, c] = await snapshots(objs);
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.count, l.path])).toEqual([[999, 'global / → holder.head.next… → Link'], [1, 'global / → holder.head → Link']]);
    expect(r.leaks[0]!.retainerPath).toHaveLength(4); // the representative is the link nearest the head
  });

  it('ShapeIndex groups exactly as pathShape of the retainer paths does (runs folded alike)', async () => {
    const objs: Obj[] = [old('list', 'Array'), old('map', 'Map'), old('other', 'Array', 'map', 'inner')];
    objs.push(leaked('c0', 'Chain', 'list', 99, { edgeType: 'element' }));
    for (let i = 1; i < 6; i++) objs.push(leaked(`c${i}`, i === 3 ? 'Odd' : 'Chain', `c${i - 1}`, 'next'));
    for (let i = 0; i < 20; i++) {
      const holder = ['list', 'map', 'other'][i % 3]!;
      objs.push(leaked(`x${i}`, i % 2 ? 'Widget' : 'Gadget', holder, holder === 'map' ? `k${i}` : i, { edgeType: holder === 'map' ? 'property' : 'element' }));
      objs.push(leaked(`y${i}`, 'Leaf', `x${i}`, 'leaf'));
    }
    const [, , c] = await snapshots(objs);
    const shapes = new ShapeIndex(c);
    const byIndex = new Map<number, Set<string>>();
    const byString = new Map<string, Set<number>>();
    for (let o = 0; o < c.graph.nodeCount; o++) {
      if (!c.paths.isStronglyReachable(o) || o === c.graph.rootOrdinal) continue;
      const id = shapes.shapeOf(o);
      const key = pathShape(c.retainerPath(o));
      (byIndex.get(id) ?? byIndex.set(id, new Set()).get(id)!).add(key);
      (byString.get(key) ?? byString.set(key, new Set()).get(key)!).add(id);
    }
    for (const keys of byIndex.values()) expect(keys.size).toBe(1);
    for (const idsOfKey of byString.values()) expect(idsOfKey.size).toBe(1);
  });
});
