import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/analysis/diff.js';
import { SnapshotMismatchError } from '../../src/analysis/match.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { SnapshotBuilder, type BuiltNode } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (b: SnapshotBuilder) => LoadedSnapshot.load(b.write(path.join(dir, `d${n++}.heapsnapshot`)));

/**
 * One process at two moments: objects listed with explicit ids, so the same id means the same
 * object. `embedder` nodes get even ids that differ between the two, as V8 renumbers them.
 */
interface Obj { id: number; name: string; size: number; type?: 'object' | 'string' | 'closure' | 'array'; owner?: number }
function heap(objects: Obj[], embedder: Array<{ id: number; name: string }> = []): SnapshotBuilder {
  const b = new SnapshotBuilder();
  const g = b.node('object', 'global / ', 32, { id: 999 });
  b.edge(b.root, 'shortcut', 'global', g);
  const built = new Map<number, BuiltNode>();
  // Object ids are offset past the builder's own root and (GC roots) ids (1 and 3).
  for (const o of objects) built.set(o.id, b.node(o.type ?? 'object', o.name, o.size, { id: o.id + 1000 }));
  for (const o of objects) {
    const from = o.owner !== undefined ? built.get(o.owner)! : g;
    b.edge(from, o.type === 'array' ? 'internal' : 'property', o.type === 'array' ? 'elements' : `p${o.id}`, built.get(o.id)!);
  }
  for (const e of embedder) b.edge(b.root, 'element', e.id, b.node('native', e.name, 16, { id: e.id }));
  return b;
}

describe('diffSnapshots', () => {
  it('added, removed and unchanged objects per class, sorted by size delta; unchanged classes left out', async () => {
    const before = await load(heap([
      { id: 3, name: 'Session', size: 100 }, { id: 5, name: 'Session', size: 100 }, { id: 7, name: 'Cache', size: 40 },
      { id: 9, name: 'Stable', size: 10 },
    ]));
    const after = await load(heap([
      { id: 3, name: 'Session', size: 100 }, { id: 11, name: 'Session', size: 100 }, { id: 13, name: 'Session', size: 100 },
      { id: 15, name: 'Token', size: 8 }, { id: 9, name: 'Stable', size: 10 },
    ]));
    const d = diffSnapshots(before, after);
    expect(d.classes.map(({ key: _k, ...r }) => r)).toEqual([
      { name: 'Session', added: 2, removed: 1, countDelta: 1, addedSize: 200, removedSize: 100, sizeDelta: 100 },
      { name: 'Token', added: 1, removed: 0, countDelta: 1, addedSize: 8, removedSize: 0, sizeDelta: 8 },
      { name: 'Cache', added: 0, removed: 1, countDelta: -1, addedSize: 0, removedSize: 40, sizeDelta: -40 },
    ]);
    expect(d.match.matched).toBeGreaterThanOrEqual(3);
  });

  it('an id whose node changed type or name is one object gone and another new (never merged)', async () => {
    const before = await load(heap([{ id: 3, name: 'Old', size: 10 }]));
    const after = await load(heap([{ id: 3, name: 'New', size: 12 }]));
    const d = diffSnapshots(before, after);
    expect(d.classes.map((c) => [c.name, c.added, c.removed])).toEqual([['New', 1, 0], ['Old', 0, 1]]);
    expect(d.match.renamed).toBe(1);
  });

  it('embedder nodes renumbered in every snapshot are paired by name, never churn; a real extra one counts', async () => {
    const before = await load(heap([{ id: 3, name: 'A', size: 1 }], [{ id: 2, name: 'Node / Environment' }, { id: 4, name: 'Node / TCPWrap' }]));
    const after = await load(heap([{ id: 3, name: 'A', size: 1 }], [
      { id: 6, name: 'Node / Environment' }, { id: 8, name: 'Node / TCPWrap' }, { id: 10, name: 'Node / TCPWrap' },
    ]));
    const d = diffSnapshots(before, after);
    expect(d.classes.map((c) => [c.name, c.added, c.removed])).toEqual([['Node / TCPWrap', 1, 0]]);
  });

  it('sizes are DevTools\' adjusted self sizes: an owned array is charged to its owner and not counted on its own', async () => {
    const before = await load(heap([]));
    const after = await load(heap([{ id: 3, name: 'Widget', size: 40 }, { id: 5, name: '', size: 200, type: 'array', owner: 3 }]));
    const d = diffSnapshots(before, after);
    expect(d.classes.map((c) => [c.name, c.added, c.addedSize])).toEqual([['Widget', 1, 240]]);
  });

  it('refuses snapshots of different processes or sessions (exit 2) and names the fix', async () => {
    const objs = (name: string) => Array.from({ length: 60 }, (_, i) => ({ id: 3 + 2 * i, name: `${name}${i % 3}`, size: 8 }));
    const a = await load(heap(objs('Left')));
    const b = await load(heap(objs('Right')));
    let err: unknown;
    try { diffSnapshots(a, b); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SnapshotMismatchError);
    expect((err as SnapshotMismatchError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/not snapshots of one process taken in one inspector session/);
  });

  it('refuses a pair given in the wrong order', async () => {
    const early = await load(heap(Array.from({ length: 50 }, (_, i) => ({ id: 3 + 2 * i, name: 'Item', size: 8 }))));
    const late = await load(heap(Array.from({ length: 100 }, (_, i) => ({ id: 3 + 2 * i, name: 'Item', size: 8 }))));
    expect(() => diffSnapshots(late, early)).not.toThrow(); // removals only: a legal order
    const grown = await load(heap([...Array.from({ length: 50 }, (_, i) => ({ id: 3 + 2 * i, name: 'Item', size: 8 })),
      ...Array.from({ length: 50 }, (_, i) => ({ id: 1001 + 2 * i, name: 'Late', size: 8 }))]));
    const base = await load(heap([...Array.from({ length: 50 }, (_, i) => ({ id: 3 + 2 * i, name: 'Item', size: 8 })),
      ...Array.from({ length: 50 }, (_, i) => ({ id: 501 + 2 * i, name: 'Mid', size: 8 }))]));
    expect(() => diffSnapshots(grown, base)).toThrow(/taken before .*give the older snapshot first/);
  });
});

describe('plain-object shapes across a pair', () => {
  /** A heap with `count` plain objects of shape {a, b} (the first one always id 1001). */
  function shapes(count: number): SnapshotBuilder {
    const b = new SnapshotBuilder();
    const g = b.node('object', 'global / ', 32, { id: 999 });
    b.edge(b.root, 'shortcut', 'global', g);
    for (let i = 0; i < count; i++) {
      const o = b.node('object', 'Object', 24, { id: 1001 + 2 * i });
      b.edge(g, 'element', i, o).edge(o, 'property', 'a', g).edge(o, 'property', 'b', g);
    }
    return b;
  }

  it("names BEFORE's objects with AFTER's shapes, as DevTools' Comparison view does", async () => {
    // One {a, b} object is too rare to name in BEFORE (DevTools names shapes of ≥ 2 objects), three
    // are named in AFTER: the surviving object must not show as an Object removed and a {a, b} added.
    const before = await load(shapes(1));
    const after = await load(shapes(3));
    expect(before.className(before.ordinalOf(1001))).toBe('Object');
    const { classes } = diffSnapshots(before, after);
    expect(classes.map((c) => [c.name, c.added, c.removed])).toEqual([['{a, b}', 2, 0]]);
  });
});
