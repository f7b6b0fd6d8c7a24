import { describe, expect, it } from 'vitest';
import { adjacency, assignLayers, preorder, spanningTree } from '../../renderer/graph/layers.js';
import { createLayoutJob, positionsById, ticksFor } from '../../renderer/graph/layout.js';
import { checkLayoutInput, LayoutInputError, type LayoutInput } from '../../renderer/graph/protocol.js';
import { GEOMETRY, seedLayout } from '../../renderer/graph/seed.js';
import { retentionGraph } from './graph-fixture.js';

const ys = (xy: Float32Array) => Array.from({ length: xy.length / 2 }, (_, i) => xy[2 * i + 1]!);

/** Mean y of the nodes at each distance, in distance order. */
function meanYByDistance(input: LayoutInput, xy: Float32Array): number[] {
  const sums = new Map<number, [number, number]>();
  input.nodes.forEach((n, i) => {
    const s = sums.get(n.distance) ?? [0, 0];
    s[0] += xy[2 * i + 1]!;
    s[1]++;
    sums.set(n.distance, s);
  });
  return [...sums.entries()].filter(([d]) => d >= 0).sort((a, b) => a[0] - b[0]).map(([, [sum, count]]) => sum / count);
}

describe('layers', () => {
  it('puts each node on the row of its distance from the roots, and weakly held nodes below all of them', () => {
    // 0 is the focus (distance 3), 1 and 2 retain it, 3 retains 1, 4 is held only weakly (via 0), 5 only via 4.
    const links = Uint32Array.from([1, 0, 2, 0, 3, 1, 0, 4, 4, 5]);
    const tree = spanningTree(6, links, 0);
    expect(Array.from(tree.hops)).toEqual([0, 1, 1, 2, 1, 2]);
    const layers = assignLayers([3, 2, 2, 1, -1, -1], tree.hops);
    // Strong rows keep their absolute distance; weak rows start under the deepest strong row,
    // the one farther from the focus higher up.
    expect(Array.from(layers)).toEqual([3, 2, 2, 1, 5, 4]);
  });

  it('reaches retainers before the objects a node retains and orders each subtree contiguously', () => {
    const links = Uint32Array.from([1, 0, 2, 0, 3, 1, 4, 2, 5, 1]);
    const { first, adj } = adjacency(6, links);
    expect(Array.from(adj.subarray(first[0]!, first[1]!))).toEqual([1, 2]);
    expect(Array.from(adj.subarray(first[1]!, first[2]!))).toEqual([3, 5, 0]);
    const tree = spanningTree(6, links, 0);
    const rank = preorder(tree.parent, tree.order);
    // 0, then 1's subtree (1, 3, 5), then 2's (2, 4).
    expect(Array.from(rank)).toEqual([0, 1, 4, 2, 5, 3]);
  });

  it('walks a 100,000-node chain without recursion', () => {
    const n = 100_000;
    const links = new Uint32Array(2 * (n - 1));
    for (let i = 1; i < n; i++) {
      links[2 * (i - 1)] = i;
      links[2 * (i - 1) + 1] = i - 1;
    }
    const tree = spanningTree(n, links, 0);
    expect(tree.hops[n - 1]).toBe(n - 1);
    expect(preorder(tree.parent, tree.order)[n - 1]).toBe(n - 1);
  });
});

describe('seed positions', () => {
  it('lays a new graph out in rows, roots on top, the focus at the origin, no two nodes on one spot', () => {
    const input = retentionGraph({ levels: 5, fanOut: 3, maxNodes: 300, crossLinks: 20, weak: 4 });
    const seed = seedLayout(input);
    expect(seed.reused).toBe(0);
    expect([seed.xy[0], seed.xy[1]]).toEqual([0, 0]);
    const rows = meanYByDistance(input, seed.xy);
    for (let d = 1; d < rows.length; d++) expect(rows[d]).toBeGreaterThan(rows[d - 1]!);
    // The weakly held nodes hang below the focus.
    input.nodes.forEach((n, i) => {
      if (n.distance < 0) expect(seed.xy[2 * i + 1]).toBeGreaterThan(0);
    });
    const spots = new Set(input.nodes.map((_, i) => `${seed.xy[2 * i]},${seed.xy[2 * i + 1]}`));
    expect(spots.size).toBe(input.nodes.length);
  });

  it('puts the focus in the middle of its own row', () => {
    // The focus (0) shares distance 3 with six objects that its retainer (1) also holds.
    const nodes = [{ id: 1, distance: 3, radius: 5 }, { id: 3, distance: 2, radius: 5 }, ...[5, 7, 9, 11, 13, 15].map((id) => ({ id, distance: 3, radius: 5 }))];
    const links = Uint32Array.from([1, 0, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7]);
    const seed = seedLayout({ nodes, links, focus: 0 });
    const row = nodes.map((_, i) => i).filter((i) => nodes[i]!.distance === 3).map((i) => seed.xy[2 * i]!).sort((a, b) => a - b);
    expect(row.indexOf(seed.xy[0]!)).toBe(3);
    expect(seed.xy[0]).toBe(0);
  });

  it('stacks a chain of thin rows at half the layer gap, full rows at the full gap', () => {
    // Focus (distance 6) retained by a 5-node row (distance 5), each of them by a chain 4 → 0.
    const nodes = [{ id: 1, distance: 6, radius: 5 }];
    const pairs: number[] = [];
    for (let k = 0; k < 5; k++) {
      nodes.push({ id: 3 + 2 * k, distance: 5, radius: 5 });
      pairs.push(nodes.length - 1, 0);
    }
    let below = 1;
    for (let d = 4; d >= 0; d--) {
      nodes.push({ id: 101 + 2 * d, distance: d, radius: 5 });
      pairs.push(nodes.length - 1, below);
      below = nodes.length - 1;
    }
    const seed = seedLayout({ nodes, links: Uint32Array.from(pairs), focus: 0 });
    const yOf = (d: number) => seed.xy[2 * nodes.findIndex((n) => n.distance === d) + 1]!;
    for (let d = 1; d <= 4; d++) expect(yOf(d) - yOf(d - 1)).toBe(GEOMETRY.layerGap / 2);
    expect(yOf(5) - yOf(4)).toBe(GEOMETRY.layerGap);
    expect(yOf(6) - yOf(5)).toBe(GEOMETRY.layerGap);
  });

  it('wraps a very wide layer onto several rows within its band', () => {
    const input = retentionGraph({ levels: 1, fanOut: 400, maxNodes: 401 });
    const seed = seedLayout(input);
    const retainerRows = new Set(ys(seed.xy).slice(1));
    expect(retainerRows.size).toBeGreaterThan(5);
    const width = Math.max(...Array.from(seed.xy).filter((_, k) => k % 2 === 0)) * 2;
    expect(width).toBeLessThan(60 * GEOMETRY.nodeGap);
    // Every retainer is above the focus.
    for (const y of retainerRows) expect(y).toBeLessThan(0);
  });

  /** A laid-out graph and the same graph grown deeper; node ids agree on the common part. */
  function grow(from: { levels: number; maxNodes: number }, to: { levels: number; maxNodes: number }) {
    const small = retentionGraph({ ...from, fanOut: 2 });
    const job = createLayoutJob(small);
    job.tick(500);
    const previous = positionsById(small.ids, job.xy);
    const grown = retentionGraph({ ...to, fanOut: 2 });
    const oldIds = new Set(small.ids);
    const seed = seedLayout({ ...grown, previous });
    expect(seed.reused).toBe(small.nodes.length);
    expect(grown.nodes.filter((n) => oldIds.has(n.id))).toHaveLength(small.nodes.length);
    const at = new Map(small.ids.map((id, k) => [id, k]));
    grown.nodes.forEach((n, i) => {
      const k = at.get(n.id);
      if (k !== undefined) expect([seed.xy[2 * i], seed.xy[2 * i + 1]]).toEqual([previous.xy[2 * k], previous.xy[2 * k + 1]]);
    });
    return { grown, oldIds, seed };
  }

  it('keeps the positions of nodes it already showed, by id, and puts a few new ones next to the node that reached them', () => {
    // 31 nodes shown, 19 more: each new retainer one layer gap above the node it retains.
    const { grown, oldIds, seed } = grow({ levels: 4, maxNodes: 1000 }, { levels: 5, maxNodes: 50 });
    let checked = 0;
    for (let k = 0; k < grown.links.length; k += 2) {
      const [s, t] = [grown.links[k]!, grown.links[k + 1]!];
      if (oldIds.has(grown.nodes[s]!.id) || !oldIds.has(grown.nodes[t]!.id)) continue;
      expect(seed.xy[2 * s + 1]).toBeCloseTo(seed.xy[2 * t + 1]! - GEOMETRY.layerGap, 3);
      expect(Math.abs(seed.xy[2 * s]! - seed.xy[2 * t]!)).toBeLessThanOrEqual(2 * GEOMETRY.nodeGap);
      checked++;
    }
    expect(checked).toBe(19);
  });

  it('lays most-new nodes out in fresh rows lined up with the shown picture at the focus', () => {
    // 15 nodes shown, 112 more: new nodes keep the fresh layout's shape around the old focus.
    const { grown, oldIds, seed } = grow({ levels: 3, maxNodes: 1000 }, { levels: 6, maxNodes: 1000 });
    const fresh = seedLayout(grown);
    const [fx, fy] = [seed.xy[0]!, seed.xy[1]!];
    grown.nodes.forEach((n, i) => {
      if (oldIds.has(n.id)) return;
      expect(seed.xy[2 * i]! - fx).toBeCloseTo(fresh.xy[2 * i]!, 3);
      expect(seed.xy[2 * i + 1]! - fy).toBeCloseTo(fresh.xy[2 * i + 1]!, 3);
    });
  });

  it('puts a new focus among its known retainers when only they were on screen', () => {
    const g = retentionGraph({ levels: 2, fanOut: 3, maxNodes: 100 });
    const first = seedLayout(g);
    const known = positionsById(g.ids.slice(1), first.xy.slice(2)); // all but the focus
    const seed = seedLayout({ ...g, previous: known });
    expect(seed.reused).toBe(g.nodes.length - 1);
    const retainers = [1, 2, 3];
    const meanX = retainers.reduce((s, i) => s + first.xy[2 * i]!, 0) / 3;
    expect(seed.xy[0]).toBeCloseTo(meanX, 3);
    expect(seed.xy[1]).toBeGreaterThan(first.xy[3]!);
  });
});

describe('force refinement', () => {
  it('is a pure function of its input: the same graph and previous positions give the same frames', () => {
    const input = retentionGraph({ levels: 6, fanOut: 2, maxNodes: 200, crossLinks: 30 });
    const a = createLayoutJob(input);
    const b = createLayoutJob(input);
    expect(a.xy).toEqual(b.xy);
    a.tick(50);
    b.tick(50);
    expect(a.xy).toEqual(b.xy);
    expect(a.ticks).toBe(50);
  });

  it('settles after a bounded number of ticks and keeps the layers in order', () => {
    const input = retentionGraph({ levels: 6, fanOut: 3, maxNodes: 600, crossLinks: 80, weak: 10 });
    const job = createLayoutJob(input);
    expect(job.totalTicks).toBe(ticksFor(600));
    while (!job.tick(25));
    expect(job.done).toBe(true);
    expect(job.ticks).toBe(job.totalTicks);
    expect(job.xy.every(Number.isFinite)).toBe(true);
    const rows = meanYByDistance(input, job.xy);
    for (let d = 1; d < rows.length; d++) expect(rows[d]! - rows[d - 1]!).toBeGreaterThan(GEOMETRY.layerGap / 2);
    expect(job.tick(10)).toBe(true);
    expect(job.ticks).toBe(job.totalTicks);
    // The selected object never moves from its seed position.
    expect([job.xy[0], job.xy[1]]).toEqual([0, 0]);
  });

  it('moves known nodes only a little when the graph grows', () => {
    const small = retentionGraph({ levels: 4, fanOut: 2, maxNodes: 1000, crossLinks: 5 });
    const first = createLayoutJob(small);
    while (!first.tick(50));
    const previous = positionsById(small.ids, first.xy);
    const grown = retentionGraph({ levels: 5, fanOut: 2, maxNodes: 1000, crossLinks: 5 });
    const second = createLayoutJob({ ...grown, previous });
    while (!second.tick(50));
    const at = new Map(small.ids.map((id, k) => [id, k]));
    let moved = 0;
    let count = 0;
    grown.nodes.forEach((n, i) => {
      const k = at.get(n.id);
      if (k === undefined) return;
      moved += Math.hypot(second.xy[2 * i]! - previous.xy[2 * k]!, second.xy[2 * i + 1]! - previous.xy[2 * k + 1]!);
      count++;
    });
    expect(count).toBe(small.nodes.length);
    expect(moved / count).toBeLessThan(2 * GEOMETRY.nodeGap);
  });

  it('lays out one node and an empty graph without ticking', () => {
    const one = createLayoutJob({ nodes: [{ id: 5, distance: 2, radius: 6 }], links: new Uint32Array(0), focus: 0 });
    expect(one.done).toBe(true);
    expect(Array.from(one.xy)).toEqual([0, 0]);
    const none = createLayoutJob({ nodes: [], links: new Uint32Array(0), focus: 0 });
    expect(none.xy.length).toBe(0);
    expect(none.done).toBe(true);
  });
});

describe('bad input', () => {
  const nodes = [{ id: 1, distance: 1, radius: 4 }, { id: 3, distance: 0, radius: 4 }];
  it.each([
    [{ links: Uint32Array.from([1, 0, 2, 0]), focus: 0 }, 'links[2]', /links\[2\] = 2 is not a node index \(2 nodes\)/],
    [{ links: Uint32Array.from([1]), focus: 0 }, 'links', /odd length/],
    [{ links: new Uint32Array(0), focus: 2 }, 'focus', /focus 2 is not a node index/],
    [{ links: new Uint32Array(0), focus: 0, previous: { ids: Float64Array.from([1]), xy: new Float32Array(3) } }, 'previous', /3 numbers for 1 ids/],
  ])('names the field: %#', (part, field, message) => {
    const input = { nodes, ...part } as LayoutInput;
    let error: unknown;
    try {
      checkLayoutInput(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LayoutInputError);
    expect((error as LayoutInputError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
    expect(() => createLayoutJob(input)).toThrow(LayoutInputError);
  });
});
