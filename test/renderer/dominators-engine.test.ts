import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { Channel, Request, Response } from '../../src/shared/contract.js';
import { layoutSunburst } from '../../renderer/views/dominators/sunburst-layout.js';
import { CELL_CAP, treemapData, type TreemapDatum } from '../../renderer/views/dominators/treemap-data.js';
import { layoutTreemap } from '../../renderer/views/dominators/treemap-layout.js';

// The engine in-process on a committed snapshot: the treemap is built from real `dominators.tree`
// answers with the view's own parameters, and the "other" cells are checked against the full
// lists of dominees, fetched page by page.
const engine = new Engine();
const call = async <C extends Channel>(channel: C, request: Request<C>) => (await engine.handle(channel, request, () => {})) as Response<C>;
const VIEW = { start: 0, end: 40, depth: 2, childLimit: 12 };

let snapshotId: string;

/** All immediate dominees of a node (root when id is undefined), every page. */
async function allDominees(id: number | undefined): Promise<Response<'dominators.tree'>['rows']> {
  const rows: Response<'dominators.tree'>['rows'] = [];
  for (;;) {
    const page = await call('dominators.tree', { snapshotId, ...(id === undefined ? {} : { id }), start: rows.length, end: rows.length + 1000 });
    rows.push(...page.rows);
    if (rows.length >= page.total || page.rows.length === 0) return rows;
  }
}

const flat = (d: TreemapDatum): TreemapDatum[] => [d, ...(d.children ?? []).flatMap(flat)];

beforeAll(async () => {
  snapshotId = (await call('snapshot.load', { path: path.resolve('fixtures/snapshots/listener-leak-final.heapsnapshot.gz') })).snapshotId;
});

describe('dominator treemap on a real snapshot', () => {
  it('accounts for the whole heap: shown cells, "other" cells and self sizes add up to every retained size', async () => {
    const answer = await call('dominators.tree', { snapshotId, ...VIEW });
    const root = treemapData(answer);
    expect(root.retainedSize).toBe(answer.node.retainedSize);
    const data = flat(root);
    expect(data.length - 1).toBeLessThanOrEqual(CELL_CAP);
    for (const d of data) {
      if (d.kind !== 'node' || !d.children) continue;
      const sum = d.children.reduce((s, c) => s + c.retainedSize, 0);
      expect(d.selfSize + sum, `${d.name} @${d.id}`).toBe(d.retainedSize);
    }
    // The root's "other" is exactly the dominees that were not shown.
    const all = await allDominees(undefined);
    expect(all.length).toBe(answer.node.childCount);
    const shown = new Set(root.children!.filter((c) => c.kind === 'node').map((c) => c.id));
    const other = root.children!.find((c) => c.kind === 'other');
    const rest = all.filter((r) => !shown.has(r.id));
    expect(other?.childCount ?? 0).toBe(rest.length);
    expect(other?.retainedSize ?? 0).toBe(rest.reduce((s, r) => s + r.retainedSize, 0));
  });

  it('zooms into the largest dominee: breadcrumbs end at the root, cells fill the box by size', async () => {
    const top = await call('dominators.tree', { snapshotId, ...VIEW });
    const biggest = top.rows.find((r) => r.childCount > 0)!;
    const zoomed = await call('dominators.tree', { snapshotId, id: biggest.id, ...VIEW });
    expect(zoomed.node.id).toBe(biggest.id);
    expect(zoomed.ancestors[0]!.id).toBe(top.node.id);
    const root = treemapData(zoomed);
    const cells = layoutTreemap(root, 1000, 600);
    expect(cells.length).toBeGreaterThan(0);
    const level1 = cells.filter((c) => c.depth === 1);
    const area = level1.reduce((s, c) => s + c.width * c.height, 0);
    const covered = (root.retainedSize - root.selfSize) / root.retainedSize;
    // Whole pixels and 1 px gaps cost a little area; the rest is the node's own self size.
    expect(area / (1000 * 600)).toBeGreaterThan(covered * 0.85);
    expect(area / (1000 * 600)).toBeLessThanOrEqual(covered + 0.001);
    for (const c of cells) {
      expect(c.label.length).toBeLessThanOrEqual(81 + 12);
      if (c.datum.kind === 'node') expect(c.key).toBe(`n${c.datum.id}`);
    }
    expect(layoutSunburst(root, 280).length).toBeGreaterThan(0);
  });
});
