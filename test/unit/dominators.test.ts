import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHeapGraph } from '../../src/snapshot/load.js';
import { computeDominators } from '../../src/analysis/dominators.js';
import { analyze, summarizeClasses } from '../../src/analysis/summary.js';
import { SnapshotBuilder, type BuiltNode } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-dom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (b: SnapshotBuilder) => loadHeapGraph(b.write(path.join(dir, `g${n++}.heapsnapshot`)));

describe('dominators and retained sizes', () => {
  it('diamond: the join is dominated by the fork, not by either branch', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const a = b.node('object', 'A', 10);
    const l = b.node('object', 'L', 20);
    const r = b.node('object', 'R', 30);
    const j = b.node('object', 'J', 40);
    b.edge(g, 'property', 'a', a).edge(a, 'property', 'l', l).edge(a, 'property', 'r', r)
      .edge(l, 'property', 'j', j).edge(r, 'property', 'j', j);
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.dominator[j.ordinal]).toBe(a.ordinal);
    expect(d.retainedSize[a.ordinal]).toBe(100);
    expect(d.retainedSize[l.ordinal]).toBe(20);
    expect(d.retainedSize[graph.rootOrdinal]).toBe(32 + 100);
  });

  it('a 100k-deep chain and a cycle back to its head need no recursion', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    let prev: BuiltNode = g;
    const first = b.node('object', 'Link', 8);
    b.edge(g, 'property', 'head', first);
    prev = first;
    for (let i = 1; i < 100_000; i++) {
      const next = b.node('object', 'Link', 8);
      b.edge(prev, 'property', 'next', next);
      prev = next;
    }
    b.edge(prev, 'property', 'head', first); // cycle
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.retainedSize[first.ordinal]).toBe(800_000);
    expect(d.dominator[prev.ordinal]).toBe(prev.ordinal - 1);
    const [link] = summarizeClasses(analyze(graph)).filter((c) => c.name === 'Link');
    expect(link).toMatchObject({ count: 100_000, selfSize: 800_000, retainedSize: 800_000 });
  });

  it('weak edges retain nothing: a WeakRef target held only weakly is not in its holder\'s retained size', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const ref = b.node('object', 'WeakRef', 16);
    const target = b.node('object', 'Widget', 100);
    b.edge(g, 'property', 'ref', ref).edge(ref, 'weak', 'target', target);
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.retainedSize[ref.ordinal]).toBe(16);
    // Only weak retainers: DevTools hangs such nodes off the root.
    expect(d.dominator[target.ordinal]).toBe(graph.rootOrdinal);
    expect(graph.isRetaining(ref.ordinal, graph.firstEdge[ref.ordinal]!)).toBe(false);
  });

  it('a WeakMap value is retained by its key, not by the table', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const wm = b.node('object', 'WeakMap', 24);
    const table = b.node('array', '', 40);
    const key = b.node('object', 'Key', 10);
    const value = b.node('object', 'Value', 500);
    b.edge(g, 'property', 'map', wm).edge(wm, 'internal', 'table', table).edge(g, 'property', 'key', key);
    b.weakMapEntry(table, key, value, 2);
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.dominator[value.ordinal]).toBe(key.ordinal);
    expect(d.retainedSize[key.ordinal]).toBe(510);
    expect(d.retainedSize[wm.ordinal]).toBe(24 + 40);
  });

  it('shortcut edges retain only from the root; self edges never', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const x = b.node('object', 'X', 10);
    const y = b.node('object', 'Y', 10);
    b.edge(g, 'property', 'x', x).edge(x, 'shortcut', 'y', y).edge(x, 'property', 'self', x);
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.retainedSize[x.ordinal]).toBe(10);
    expect(d.dominator[y.ordinal]).toBe(graph.rootOrdinal);
  });

  it('an island that only retains itself hangs off the root, and every byte is counted once', async () => {
    const b = new SnapshotBuilder();
    b.global();
    const p = b.node('object', 'P', 7);
    const q = b.node('object', 'Q', 11);
    b.edge(p, 'property', 'q', q).edge(q, 'property', 'p', p);
    const graph = await load(b);
    const d = computeDominators(graph);
    expect(d.dominator[p.ordinal]).toBe(graph.rootOrdinal);
    expect(d.retainedSize[graph.rootOrdinal]).toBe([...graph.nodeSelfSize].reduce((s, v) => s + v, 0));
  });
});

describe('class summary as DevTools groups it', () => {
  it('names by type, cuts DOM tags, names popular plain-object shapes, and moves owned array bytes to their owner', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    for (let i = 0; i < 3; i++) {
      const o = b.node('object', 'Object', 12);
      b.edge(g, 'element', i, o).edge(o, 'property', 'a', g).edge(o, 'property', 'b', g);
    }
    const div = b.node('native', '<div id="x" class="y">', 50);
    const fn = b.node('closure', 'handler', 32);
    const code = b.node('code', 'foo', 100);
    const sys = b.node('hidden', 'system / Foo', 8);
    const owner = b.node('object', 'Owner', 10);
    const backing = b.node('array', '', 90);
    b.edge(g, 'property', 'div', div).edge(g, 'property', 'fn', fn).edge(fn, 'internal', 'code', code)
      .edge(g, 'property', 'sys', sys).edge(g, 'property', 'owner', owner).edge(owner, 'internal', 'elements', backing);
    const classes = summarizeClasses(analyze(await load(b)));
    const byName = Object.fromEntries(classes.map((c) => [c.name, c]));
    expect(byName['{a, b}']).toMatchObject({ count: 3, selfSize: 36 });
    expect(byName['<div>']).toMatchObject({ count: 1, selfSize: 50 });
    expect(byName['Function']).toMatchObject({ count: 1, retainedSize: 32 + 100 });
    expect(byName['(compiled code)']).toMatchObject({ count: 1 });
    // The hidden node is owned by the global alone, so its bytes move there, like the owner's backing array.
    expect(byName['(system)']).toBeUndefined();
    expect(byName['(array)']).toBeUndefined();
    expect(byName['Owner']).toMatchObject({ count: 1, selfSize: 100, retainedSize: 100 });
    expect(classes.reduce((s, c) => s + c.selfSize, 0)).toBe(12 * 3 + 50 + 32 + 100 + 8 + 100 + 32);
  });

  it('a class\'s retained size does not count instances nested in other instances twice', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const outer = b.node('object', 'Node', 10);
    const inner = b.node('object', 'Node', 10);
    const leaf = b.node('object', 'Leaf', 5);
    b.edge(g, 'property', 'tree', outer).edge(outer, 'property', 'child', inner).edge(inner, 'property', 'leaf', leaf);
    const [node] = summarizeClasses(analyze(await load(b))).filter((c) => c.name === 'Node');
    expect(node).toMatchObject({ count: 2, selfSize: 20, retainedSize: 25 });
  });
});
