/**
 * The renderer's data models (paged class list, retainer tree, class → instance → retainer
 * expansion) driven by the real engine worker on a committed fixture snapshot: what the tables
 * show must be exactly what the engine answers, fetched page by page.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/engine/client.js';
import type { ClassRow, RetainerNode } from '../../src/shared/contract.js';
import { ClassTree, type ChildRow } from '../../renderer/lib/class-tree.js';
import { flatCount, locate } from '../../renderer/lib/flat-tree.js';
import { PageCache } from '../../renderer/lib/pages.js';
import { RetainerTree, type RetainerRow } from '../../renderer/lib/retainer-tree.js';

const file = path.resolve('fixtures/snapshots/listener-leak-target.heapsnapshot.gz');

let engine: EngineClient;
let snapshotId: string;

beforeAll(async () => {
  engine = await EngineClient.start();
  snapshotId = (await engine.call('snapshot.load', { path: file })).snapshotId;
});
afterAll(async () => {
  await engine?.close();
});

/** Resolves once `predicate` holds, polling the model's change callback. */
function until(predicate: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > 20_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

function countingSource() {
  const calls: [number, number][] = [];
  const fetch = (start: number, end: number) => {
    calls.push([start, end]);
    return engine.call('summary.range', { snapshotId, start, end });
  };
  return { calls, fetch };
}

describe('PageCache over summary.range', () => {
  it('serves the same rows as one large call, fetching each page once', async () => {
    const whole = await engine.call('summary.range', { snapshotId, start: 0, end: 60 });
    const { calls, fetch } = countingSource();
    let changes = 0;
    const cache = new PageCache<ClassRow>(fetch, { pageSize: 16, maxPages: 10, onChange: () => changes++ });
    expect(cache.total).toBeUndefined();
    await Promise.all([cache.ensure(0, 60), cache.ensure(10, 40)]);
    expect(calls).toEqual([[0, 16], [16, 32], [32, 48], [48, 64]]);
    expect(changes).toBe(4);
    expect(cache.total).toBe(whole.total);
    expect(Array.from({ length: 60 }, (_, i) => cache.get(i))).toEqual(whole.rows);
    await cache.ensure(5, 50);
    expect(calls).toHaveLength(4);
  });

  it('clamps to the total and forgets the least recently used pages', async () => {
    const { calls, fetch } = countingSource();
    const cache = new PageCache<ClassRow>(fetch, { pageSize: 10, maxPages: 2 });
    await cache.ensure(0, 1);
    const total = cache.total!;
    expect(total).toBeGreaterThan(50);
    await cache.ensure(total - 5, total + 1000);
    expect(calls.at(-1)).toEqual([Math.floor((total - 5) / 10) * 10, Math.floor((total - 5) / 10) * 10 + 10]);
    expect(cache.get(total - 1)).toBeDefined();
    expect(cache.get(total)).toBeUndefined();
    await cache.ensure(20, 21);
    // Page 0 was the least recently used of the two kept: it is gone and comes back on demand.
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(20)).toBeDefined();
    const before = calls.length;
    await cache.ensure(0, 1);
    expect(calls.length).toBe(before + 1);
    expect(cache.get(0)).toBeDefined();
  });

  it('reports a failed page and delivers nothing once disposed', async () => {
    const errors: unknown[] = [];
    const bad = new PageCache<ClassRow>(
      (start, end) => engine.call('summary.range', { snapshotId: 'A'.repeat(22), start, end }),
      { onError: (e) => errors.push(e) },
    );
    await bad.ensure(0, 10);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe('UnknownSnapshotError');

    let changes = 0;
    const cache = new PageCache<ClassRow>((s, e) => engine.call('summary.range', { snapshotId, start: s, end: e }), {
      onChange: () => changes++,
    });
    const pending = cache.ensure(0, 10);
    cache.dispose();
    await pending;
    expect(changes).toBe(0);
    expect(cache.get(0)).toBeUndefined();
  });
});

/** An instance whose depth-5 retainer tree, as the engine answers it, contains a cycle. */
async function objectWithCycle(): Promise<{ id: number; chain: number[] }> {
  const classes = await engine.call('summary.range', { snapshotId, start: 0, end: 20 });
  for (const cls of classes.rows) {
    const inst = await engine.call('class.instances', { snapshotId, classKey: cls.key, start: 0, end: 5 });
    for (const row of inst.rows) {
      const tree = await engine.call('node.retainers', { snapshotId, id: row.id, depth: 5, limit: 5 });
      const chain = findCycle(tree, []);
      if (chain) return { id: row.id, chain };
    }
  }
  throw new Error('no retainer cycle within depth 5 in the fixture');
}

/** Child indexes from the root down to a node flagged `cycle`. */
function findCycle(node: RetainerNode, at: number[]): number[] | undefined {
  for (let i = 0; i < node.children.length; i++) {
    const child = node.children[i];
    if (child.cycle) return [...at, i];
    const found = findCycle(child, [...at, i]);
    if (found) return found;
  }
  return undefined;
}

function nodeRows(rows: RetainerRow[]) {
  return rows.filter((r): r is Extract<RetainerRow, { kind: 'node' }> => r.kind === 'node');
}

describe('RetainerTree over node.retainers', () => {
  it('lists the root and its retainers, then fetches deeper levels on expand', async () => {
    const { id, chain } = await objectWithCycle();
    const limit = 5;
    const truth = await engine.call('node.retainers', { snapshotId, id, depth: 5, limit });
    let changes = 0;
    const tree = new RetainerTree(id, (nodeId, depth, lim) => engine.call('node.retainers', { snapshotId, id: nodeId, depth, limit: lim }), {
      initialDepth: 1,
      limit,
      onChange: () => changes++,
    });
    expect(tree.rows()).toEqual([]);
    const loading = tree.load();
    expect(tree.rows()).toEqual([{ kind: 'loading', key: String(id) + ':loading', depth: 0 }]);
    await loading;
    let rows = nodeRows(tree.rows());
    expect(rows[0]).toMatchObject({ depth: 0, expanded: true, node: { id } });
    expect(rows.slice(1).map((r) => r.node.id)).toEqual(truth.children.map((c) => c.id));
    expect(rows.slice(1).every((r) => r.depth === 1 && !r.expanded)).toBe(true);
    const more = tree.rows().find((r) => r.kind === 'more');
    if (truth.retainerCount > truth.children.length) expect(more).toMatchObject({ hidden: truth.retainerCount - truth.children.length });
    else expect(more).toBeUndefined();

    // Walk down the chain that ends in the engine's cycle, one fetch per level.
    let node = truth;
    let key = tree.rootKey;
    for (const index of chain.slice(0, -1)) {
      node = node.children[index];
      const row = nodeRows(tree.rows()).find((r) => r.key.startsWith(key + '/') && r.node.id === node.id && r.depth === key.split('/').length);
      expect(row, `row for ${node.id}`).toBeDefined();
      key = row!.key;
      tree.toggle(key, row!.node);
      await until(() => !tree.rows().some((r) => r.kind === 'loading'), 'retainers of ' + node.id);
    }
    rows = nodeRows(tree.rows());
    const cycled = node.children[chain.at(-1)!];
    const cycleRow = rows.find((r) => r.key.startsWith(key + '/') && r.node.id === cycled.id);
    expect(cycleRow).toMatchObject({ cycle: true, expandable: false });
    expect(changes).toBeGreaterThan(chain.length);

    // Collapsing hides the subtree; the fetched children are kept for the next expand.
    const top = rows[1];
    if (top.expanded) {
      const n = tree.rows().length;
      tree.toggle(top.key, top.node);
      expect(tree.rows().length).toBeLessThan(n);
      tree.toggle(top.key, top.node);
      expect(tree.rows().length).toBe(n);
    }
  });

  it('shows the error of a failed fetch as a row', async () => {
    const errors: unknown[] = [];
    const tree = new RetainerTree(1, (id, depth, limit) => engine.call('node.retainers', { snapshotId, id: 0xffffffff, depth, limit }), {
      onError: (e) => errors.push(e),
    });
    await tree.load();
    expect(errors).toHaveLength(1);
    expect(tree.rows()).toEqual([{ kind: 'error', key: '1:error', depth: 0, message: (errors[0] as Error).message }]);
  });
});

describe('ClassTree: class → instances → retainers as flat rows', () => {
  it('opens classes onto paged instances and instances onto retainers', async () => {
    const classes = await engine.call('summary.range', { snapshotId, start: 0, end: 10 });
    const big = classes.rows.findIndex((c) => c.count > 7);
    const small = classes.rows.findIndex((c, i) => i > big && c.count > 0);
    const tree = new ClassTree({
      pageSize: 3,
      retainerLimit: 4,
      retainers: (sid, id, depth, limit) => engine.call('node.retainers', { snapshotId: sid, id, depth, limit }),
    });
    const groups = (i: number) => () => [{
      id: 'instances',
      snapshotId,
      fetch: (start: number, end: number) => engine.call('class.instances', { snapshotId, classKey: classes.rows[i].key, start, end }),
    }];
    tree.toggle(small, groups(small));
    tree.toggle(big, groups(big));
    expect(tree.childRows(big)).toEqual([{ kind: 'loading', key: 'instances:loading' }]);
    const settled = () => ![big, small].some((t) => tree.childRows(t).some((r) => r.kind === 'loading'));
    await until(settled, 'first instance pages');

    const all = await engine.call('class.instances', { snapshotId, classKey: classes.rows[big].key, start: 0, end: 6 });
    let rows = tree.childRows(big);
    expect(rows.filter((r) => r.kind === 'instance').map((r) => (r as Extract<ChildRow, { kind: 'instance' }>).row)).toEqual(all.rows.slice(0, 3));
    expect(rows.at(-1)).toMatchObject({ kind: 'more', remaining: all.total - 3 });

    tree.more(big, 'instances');
    await until(settled, 'second page');
    rows = tree.childRows(big);
    expect(rows.filter((r) => r.kind === 'instance')).toHaveLength(6);

    // The flat list: class rows with their open children right below them.
    const expansions = tree.expansions();
    expect(expansions.map((e) => e.index)).toEqual([Math.min(big, small), Math.max(big, small)]);
    const flat = flatCount(classes.rows.length, expansions);
    expect(flat).toBe(classes.rows.length + tree.childRows(big).length + tree.childRows(small).length);
    expect(locate(big + 1 + (small < big ? tree.childRows(small).length : 0), expansions)).toEqual({ top: big, child: 0 });

    // An instance opens onto its retainers, one level, at depth 2.
    const first = rows[0] as Extract<ChildRow, { kind: 'instance' }>;
    tree.toggleInstance(big, 'instances', first.row.id);
    await until(() => !tree.childRows(big).some((r) => r.kind === 'retainer' && r.row.kind === 'loading'), 'retainers');
    const truth = await engine.call('node.retainers', { snapshotId, id: first.row.id, depth: 1, limit: 4 });
    rows = tree.childRows(big);
    expect(rows[0]).toMatchObject({ kind: 'instance', expanded: true });
    const retainers = rows.filter((r) => r.kind === 'retainer' && r.row.kind === 'node');
    expect(retainers.map((r) => r.kind === 'retainer' && r.row.kind === 'node' && r.row.node.id)).toEqual(truth.children.map((c) => c.id));
    expect(retainers.every((r) => r.kind === 'retainer' && r.row.depth === 2)).toBe(true);

    tree.toggleInstance(big, 'instances', first.row.id);
    expect(tree.childRows(big).some((r) => r.kind === 'retainer')).toBe(false);
    tree.toggle(big, groups(big));
    expect(tree.isOpen(big)).toBe(false);
    tree.clear();
    expect(tree.expansions()).toEqual([]);
  });
});
