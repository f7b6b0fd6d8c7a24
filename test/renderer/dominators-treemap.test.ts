import { describe, expect, it } from 'vitest';
import type { DominatorNode } from '../../src/shared/contract.js';
import { cellFill, cellLabel, LABEL_MAX } from '../../renderer/views/dominators/cell-style.js';
import { layoutSunburst } from '../../renderer/views/dominators/sunburst-layout.js';
import { otherAggregate, treemapData, type TreemapDatum } from '../../renderer/views/dominators/treemap-data.js';
import { HEADER, layoutTreemap } from '../../renderer/views/dominators/treemap-layout.js';

const dom = (id: number, retainedSize: number, selfSize: number, childCount = 0, children?: DominatorNode[]): DominatorNode => ({
  id, name: `C${id}`, type: 'object', selfSize, retainedSize, childCount, ...(children ? { children } : {}),
});

/** Every datum of a tree, depth first. */
function flat(d: TreemapDatum): TreemapDatum[] {
  return [d, ...(d.children ?? []).flatMap(flat)];
}

describe('"other" aggregate', () => {
  it('is retained − self − the shown children, and counts the dominees not shown', () => {
    expect(otherAggregate({ retainedSize: 1000, selfSize: 100, childCount: 5 }, [{ retainedSize: 500 }, { retainedSize: 300 }])).toEqual({ size: 100, count: 3 });
    expect(otherAggregate({ retainedSize: 1000, selfSize: 100, childCount: 2 }, [{ retainedSize: 600 }, { retainedSize: 300 }])).toEqual({ size: 0, count: 0 });
    // Never negative, whatever the engine rounds.
    expect(otherAggregate({ retainedSize: 10, selfSize: 8, childCount: 1 }, [{ retainedSize: 5 }])).toEqual({ size: 0, count: 0 });
  });
});

describe('treemap data', () => {
  // Root 10,000 = self 0 + A 6,000 + B 3,000 + 1,000 in 3 dominees not on the page.
  // A 6,000 = self 1,000 + A1 2,500 + A2 1,500 + 1,000 in 4 dominees past childLimit.
  const answer = {
    node: dom(1, 10_000, 0, 5),
    rows: [
      dom(3, 6000, 1000, 6, [dom(31, 2500, 2500), dom(33, 1500, 500, 2)]),
      dom(5, 3000, 3000, 0, []),
    ],
  };

  it('puts an "other" cell beside the shown children so every parent adds up to its retained size', () => {
    const root = treemapData(answer);
    expect(root.children!.map((c) => [c.key, c.retainedSize])).toEqual([['n3', 6000], ['n5', 3000], ['other:1', 1000]]);
    const other = root.children![2]!;
    expect(other).toMatchObject({ kind: 'other', name: '3 more', childCount: 3, own: 1000 });
    const a = root.children![0]!;
    expect(a.children!.map((c) => [c.key, c.retainedSize, c.own])).toEqual([['n31', 2500, 2500], ['n33', 1500, 1500], ['other:3', 1000, 1000]]);
    expect(a.own).toBe(1000);
    // d3's sum of `own` over a subtree gives back each object's retained size.
    const sum = (d: TreemapDatum): number => d.own + (d.children ?? []).reduce((s, c) => s + sum(c), 0);
    for (const d of flat(root)) if (d.kind === 'node') expect(sum(d)).toBe(d.retainedSize);
    // B has no children: a leaf of its retained size.
    expect(root.children![1]).toMatchObject({ own: 3000 });
    expect(root.children![1]!.children).toBeUndefined();
  });

  it('leaves out "other" when the children shown are all of them', () => {
    const root = treemapData({ node: dom(1, 300, 100, 2), rows: [dom(3, 150, 150), dom(5, 50, 50)] });
    expect(root.children!.map((c) => c.key)).toEqual(['n3', 'n5']);
  });

  it('keeps at most `cap` cells, the largest, folding the rest into their parent\'s "other"', () => {
    const rows: DominatorNode[] = [];
    let total = 0;
    for (let i = 0; i < 60; i++) {
      const kids = Array.from({ length: 20 }, (_, k) => dom(1000 * (i + 1) + 2 * k + 1, 100 + k, 100 + k));
      const size = 10_000 - i * 10;
      rows.push(dom(2 * i + 3, size, size - kids.reduce((s, c) => s + c.retainedSize, 0), 20, kids));
      total += size;
    }
    const root = treemapData({ node: dom(1, total, 0, 60), rows }, 500);
    const cells = flat(root).length - 1;
    expect(cells).toBeLessThanOrEqual(500);
    expect(cells).toBeGreaterThan(400);
    // All 60 rows survive (they are the largest), and every parent still adds up.
    expect(root.children!.filter((c) => c.kind === 'node')).toHaveLength(60);
    for (const d of flat(root)) {
      if (d.kind !== 'node' || !d.children) continue;
      expect(d.own + d.children.reduce((s, c) => s + c.retainedSize, 0)).toBe(d.retainedSize);
    }
    // The budget keeps the largest grandchildren of all: none dropped is larger than one kept.
    const kept = new Set(flat(root).map((d) => d.key));
    const grandchildren = rows.flatMap((r) => r.children!);
    const keptSizes = grandchildren.filter((g) => kept.has(`n${g.id}`)).map((g) => g.retainedSize);
    const droppedSizes = grandchildren.filter((g) => !kept.has(`n${g.id}`)).map((g) => g.retainedSize);
    expect(droppedSizes.length).toBeGreaterThan(0);
    expect(Math.max(...droppedSizes)).toBeLessThanOrEqual(Math.min(...keptSizes));
    expect(root.children!.some((c) => c.children?.some((k) => k.kind === 'other'))).toBe(true);
  });
});

describe('treemap layout', () => {
  const root = treemapData({
    node: dom(1, 10_000, 0, 3),
    rows: [dom(3, 6000, 1000, 2, [dom(31, 3000, 3000), dom(33, 2000, 2000)]), dom(5, 3000, 3000), dom(7, 1000, 1000)],
  });

  it('sizes rectangles by retained size within the box, children inside their parent below its header', () => {
    const cells = layoutTreemap(root, 800, 500);
    const byKey = new Map(cells.map((c) => [c.key, c]));
    expect([...byKey.keys()].sort()).toEqual(['n3', 'n31', 'n33', 'n5', 'n7']);
    const area = (k: string) => byKey.get(k)!.width * byKey.get(k)!.height;
    // Top level fills the box by retained size (rounding to whole pixels and 1 px gaps aside).
    expect(area('n3') / (800 * 500)).toBeCloseTo(0.6, 1);
    expect(area('n5') / area('n7')).toBeCloseTo(3, 0);
    const a = byKey.get('n3')!;
    expect(a.parent).toBe(true);
    for (const k of ['n31', 'n33']) {
      const c = byKey.get(k)!;
      expect(c.depth).toBe(2);
      expect(c.x).toBeGreaterThanOrEqual(a.x);
      expect(c.y).toBeGreaterThanOrEqual(a.y + HEADER);
      expect(c.x + c.width).toBeLessThanOrEqual(a.x + a.width);
      expect(c.y + c.height).toBeLessThanOrEqual(a.y + a.height);
    }
    for (const c of cells) {
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.x + c.width).toBeLessThanOrEqual(800);
    }
    // A's self size (1,000 of 6,000) is the part of its box its children leave free.
    expect((area('n31') + area('n33')) / area('n3')).toBeLessThan(0.9);
    expect(layoutTreemap(root, 0, 500)).toEqual([]);
  });

  it('labels cells that fit with class and size, cut to the width, never past 80 characters', () => {
    const hostile = dom(9, 2_000_000, 2_000_000);
    hostile.name = `<script>alert(1)</script>\n${'x'.repeat(10_000)}`;
    expect(cellLabel(hostile, 20, 100)).toBe('');
    expect(cellLabel(hostile, 100, 10)).toBe('');
    const narrow = cellLabel(hostile, 100, 20);
    expect(narrow.length).toBe(Math.floor((100 - 6) / 6.5));
    expect(narrow.endsWith('\u2026')).toBe(true);
    const wide = cellLabel(hostile, 5000, 20);
    expect(wide.length).toBeLessThanOrEqual(LABEL_MAX + 12);
    expect(wide).not.toContain('\n');
    expect(wide.endsWith('2.0\u00a0MB')).toBe(true);
    expect(cellLabel(dom(3, 1200, 1), 300, 20)).toBe('C3 1.2\u00a0kB');
  });

  it('colours one class the same everywhere and aggregates grey', () => {
    expect(cellFill({ kind: 'node', name: 'Session' }, 1)).toBe(cellFill({ kind: 'node', name: 'Session' }, 1));
    expect(cellFill({ kind: 'node', name: 'Session' }, 2)).not.toBe(cellFill({ kind: 'node', name: 'Session' }, 1));
    expect(cellFill({ kind: 'other', name: '3 more' }, 1)).toBe('#e8eaed');
  });

  it('draws the same tree as a sunburst: one ring per level, angles by retained size', () => {
    const arcs = layoutSunburst(root, 200);
    expect(arcs.map((a) => a.key).sort()).toEqual(['n3', 'n31', 'n33', 'n5', 'n7']);
    for (const a of arcs) expect(a.path).toMatch(/^M[-\d.e,]+A/);
    expect(arcs.find((a) => a.key === 'n3')!.depth).toBe(1);
    expect(arcs.find((a) => a.key === 'n31')!.depth).toBe(2);
    expect(layoutSunburst(root, 0)).toEqual([]);
  });
});
