/**
 * The dashboard against a live target: `heapscope serve --attach PORT` on the listener-leak
 * fixture, three snapshots taken from the page (baseline, opened, closed: one inspector session),
 * then every view walked and its numbers checked against the CLI's JSON for the same files,
 * exported from the server. Each view is screenshotted (test-results/screenshots).
 */
import type { Page } from '@playwright/test';
import type { SnapshotMeta } from '../../src/shared/contract.js';
import { formatBytes, formatCount, signed } from '../../renderer/lib/format.js';
import type { CheckJson, DiffJson, SummaryJson, WeakJson } from './cli-json.js';
import { weakCounts } from './cli-json.js';
import {
  classCount, clickInList, cliJson, exactBytes, expect, exportSnapshot, norm, openDashboard, seenCount, shot, storedSnapshots, test, watchTestIds, WsApi,
} from './harness.js';

/** Rows of the Summary compared with `summary --json`, from the top. */
const TOP_ROWS = 12;

interface ClassRowText {
  name: string;
  count: string;
  selfSize: number;
  retainedSize: number;
}

async function summaryRows(page: Page): Promise<ClassRowText[]> {
  return page.getByTestId('summary-table').getByTestId('class-row').evaluateAll((rows) => rows.map((row) => {
    const cells = row.querySelectorAll(':scope > [role=gridcell]');
    return {
      name: cells[0]?.querySelector('.label')?.textContent ?? '',
      count: cells[4]?.textContent ?? '',
      selfSize: cells[2]?.querySelector('[title]')?.getAttribute('title') ?? '',
      retainedSize: cells[3]?.querySelector('[title]')?.getAttribute('title') ?? '',
    };
  })).then((rows) => rows.map((r) => ({ ...r, count: norm(r.count), selfSize: exactBytes(r.selfSize), retainedSize: exactBytes(r.retainedSize) })));
}

/** Clicks Take snapshot and waits until the new snapshot is in the list, loaded and shown. */
async function takeSnapshot(page: Page, api: WsApi, count: number): Promise<SnapshotMeta> {
  const progressBefore = await seenCount(page, 'capture-progress');
  await page.getByTestId('take-snapshot').click();
  await expect(page.getByTestId('snapshot-item')).toHaveCount(count, { timeout: 60_000 });
  const stored = await storedSnapshots(api);
  const meta = stored.at(-1)!;
  const item = page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${meta.snapshotId}"]`);
  await expect(item).toHaveAttribute('aria-selected', 'true');
  await expect(item).toHaveAttribute('data-loaded', 'true');
  expect(await seenCount(page, 'capture-progress'), 'a progress bar was shown during the capture').toBeGreaterThan(progressBefore);
  await expect(page.getByTestId('capture-progress')).toHaveCount(0);
  return meta;
}

test('attached target: three snapshots from the page, every view against the CLI', async ({ page, serve, target, tmp }) => {
  const t = await target('listener-leak.mjs');
  const server = await serve('serve', ['--attach', String(t.port)]);
  const api = await WsApi.connect(server);
  await watchTestIds(page, ['capture-progress']);
  await openDashboard(page, server);

  await expect(page.getByTestId('target-item')).toHaveCount(1);
  await expect(page.getByTestId('target-state')).toHaveText('attached');
  await expect(page.getByTestId('no-snapshots')).toBeVisible();

  // ---- Three snapshots of one session: baseline, 20 Widgets opened, the 20 closed (and leaked) ----
  const baseline = await takeSnapshot(page, api, 1);
  expect(t.phase).toBe(0);
  await t.next();
  const opened = await takeSnapshot(page, api, 2);
  await t.next();
  const closed = await takeSnapshot(page, api, 3);
  expect(new Set([baseline.sessionId, opened.sessionId, closed.sessionId]).size, 'one inspector session').toBe(1);
  await expect(page.getByTestId('snapshot-group')).toHaveCount(1);
  await shot(page, 'sidebar-three-snapshots');

  // The CLI on the very bytes the server stored.
  const [fileA, fileB, fileC] = await Promise.all([baseline, opened, closed].map((s) => exportSnapshot(server, s.snapshotId, tmp)));
  const cli = {
    summary: cliJson<SummaryJson>(['summary', fileC!]),
    diff: cliJson<DiffJson>(['diff', fileA!, fileC!]),
    weak: cliJson<WeakJson>(['weak', fileC!]),
    weakPair: cliJson<WeakJson>(['weak', fileA!, fileC!]),
    check: cliJson<CheckJson>(['check', '--baseline', fileA!, '--target', fileB!, '--final', fileC!]),
  };

  // ---- Summary ----
  await expect(page.getByTestId('tab-summary')).toHaveAttribute('aria-selected', 'true');
  const summary = await cli.summary;
  await expect(page.getByTestId('summary-counts')).toHaveText(
    norm(`${classCount(summary.classes.length)} · total ${formatBytes(summary.totalSize)}`), { useInnerText: true });
  await expect.poll(async () => (await summaryRows(page)).length).toBeGreaterThanOrEqual(TOP_ROWS);
  const top = (await summaryRows(page)).slice(0, TOP_ROWS);
  expect(top).toEqual(summary.classes.slice(0, TOP_ROWS).map((c) => ({
    name: c.name, count: norm(formatCount(c.count)), selfSize: c.selfSize, retainedSize: c.retainedSize,
  })));
  await shot(page, 'summary');

  // Filter: the engine's case-insensitive substring, the same classes the CLI lists.
  const widgetClasses = summary.classes.filter((c) => c.name.toLowerCase().includes('widget'));
  expect(widgetClasses.length).toBeGreaterThan(0);
  await page.getByTestId('summary-filter').fill('widget');
  await expect(page.getByTestId('summary-counts')).toContainText(`${classCount(widgetClasses.length)}`);
  await expect.poll(async () => (await summaryRows(page)).map((r) => r.name)).toEqual(widgetClasses.map((c) => c.name));
  await shot(page, 'summary-filtered');
  await page.getByTestId('summary-filter').fill('');
  await expect(page.getByTestId('summary-counts')).toContainText(`${classCount(summary.classes.length)}`);

  // Sort by Count: largest first, then smallest first on a second click.
  const counts = summary.classes.map((c) => c.count);
  await page.getByTestId('sort-count').click();
  await expect(page.getByTestId('sort-count')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(async () => (await summaryRows(page))[0]?.count).toBe(norm(formatCount(Math.max(...counts))));
  const desc = (await summaryRows(page)).map((r) => Number(r.count.replace(/\D/g, '')));
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  await page.getByTestId('sort-count').click();
  await expect(page.getByTestId('sort-count')).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(async () => (await summaryRows(page))[0]?.count).toBe(norm(formatCount(Math.min(...counts))));
  await page.getByTestId('sort-retainedSize').click();
  await expect(page.getByTestId('sort-retainedSize')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(async () => (await summaryRows(page))[0]?.name).toBe(summary.classes[0]!.name);

  // ---- Expand a class, an instance, select it: the leaked Widget the CLI names ----
  const check = await cli.check;
  expect(check.pass).toBe(false);
  const widgetLeak = check.leaks.find((l) => l.name === 'Widget');
  expect(widgetLeak, 'check finds the leaked Widgets').toBeDefined();
  const cliPath = widgetLeak!.retainerPath;
  const leaked = cliPath.at(-1)!;
  expect(leaked.name).toBe('Widget');

  await page.getByTestId('summary-filter').fill('Widget');
  // The filter applies after a pause: wait for it, or the click lands on the unfiltered list.
  await expect(page.getByTestId('summary-counts')).toContainText(`${classCount(widgetClasses.length)}`);
  const widgetRow = page.getByTestId('summary-table').getByTestId('class-row').filter({ has: page.locator('.label', { hasText: /^Widget$/ }) });
  await expect(widgetRow).toHaveCount(1);
  await clickInList(page.getByTestId('summary-table'), widgetRow.locator('.triangle'));
  await expect(widgetRow).toHaveAttribute('aria-expanded', 'true');
  const widgetKey = (await api.call('summary.range', { snapshotId: closed.snapshotId, start: 0, end: 50, filter: 'Widget' })).rows.find((r) => r.name === 'Widget')!.key;
  const instances = await api.call('class.instances', { snapshotId: closed.snapshotId, classKey: widgetKey, start: 0, end: 100 });
  expect(instances.total).toBe(20);
  const instanceRows = page.getByTestId('summary-table').getByTestId('instance-row');
  await expect(instanceRows).toHaveCount(instances.rows.length);
  const shownIds = await instanceRows.locator('.object-id').allTextContents();
  expect(shownIds.map((s) => Number(s.replace(/\D/g, '')))).toEqual(instances.rows.map((r) => r.id));

  const leakedRow = instanceRows.filter({ hasText: `@${leaked.id}` });
  await expect(leakedRow).toHaveCount(1);
  await clickInList(page.getByTestId('summary-table'), leakedRow.locator('.triangle'));
  const retainersOfLeaked = await api.call('node.retainers', { snapshotId: closed.snapshotId, id: leaked.id, depth: 1, limit: 50 });
  const treeRetainers = page.getByTestId('summary-table').getByTestId('retainer-row');
  await expect(treeRetainers).toHaveCount(retainersOfLeaked.children.length);
  await expect(treeRetainers.first()).toContainText(`@${retainersOfLeaked.children[0]!.id}`);
  await expect(treeRetainers.first()).toContainText(retainersOfLeaked.children[0]!.edge ?? '');
  await clickInList(page.getByTestId('summary-table'), leakedRow);
  await expect(page.locator('.pane-title')).toContainText(`@${leaked.id}`);
  await expect(page.getByTestId('summary-retainers').getByTestId('retainer-row').first()).toBeVisible();
  await shot(page, 'summary-expanded');

  // ---- Retainers: the shortest strong path, as `check --json` gives it for this object ----
  await page.getByTestId('tab-retainers').click();
  await expect(page.getByTestId('view-retainers')).toBeVisible();
  const nodePath = await api.call('node.path', { snapshotId: closed.snapshotId, id: leaked.id });
  expect(nodePath).toEqual(cliPath);
  const steps = page.getByTestId('path-step');
  await expect(steps).toHaveCount(cliPath.length);
  for (const [i, step] of cliPath.entries()) {
    await expect(steps.nth(i)).toContainText(`@${step.id}`);
    if (step.edge !== null) await expect(steps.nth(i).locator('.edge-name')).toContainText(step.edge);
  }
  await expect(page.getByTestId('retainers-table').getByTestId('retainer-row').first()).toBeVisible();
  await shot(page, 'retainers');

  // ---- Comparison: base = the first snapshot, rows as `diff --json` ----
  const diff = await cli.diff;
  await page.getByTestId('tab-comparison').click();
  await page.getByTestId('base-picker').selectOption(baseline.snapshotId);
  await expect(page.getByTestId('comparison-counts')).toContainText(`${classCount(diff.classes.length)} changed`);
  const comparisonRows = () => page.getByTestId('comparison-table').getByTestId('class-row').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll(':scope > [role=gridcell]')].map((c) => c.textContent ?? '')));
  await expect.poll(async () => (await comparisonRows()).length).toBeGreaterThanOrEqual(Math.min(TOP_ROWS, diff.classes.length));
  const shownDiff = (await comparisonRows()).slice(0, TOP_ROWS).map((cells) => cells.map(norm));
  expect(shownDiff).toEqual(diff.classes.slice(0, TOP_ROWS).map((c) => [
    c.name, formatCount(c.added), formatCount(c.removed), signed(c.countDelta, formatCount),
    formatBytes(c.addedSize), formatBytes(c.removedSize), signed(c.sizeDelta, formatBytes),
  ].map(norm)));
  const widgetDiff = page.getByTestId('comparison-table').getByTestId('class-row').filter({ has: page.locator('.label', { hasText: /^Widget$/ }) });
  await clickInList(page.getByTestId('comparison-table'), widgetDiff.locator('.triangle'));
  await expect(page.getByTestId('comparison-table').getByTestId('instance-row')).toHaveCount(20);
  await expect(page.getByTestId('comparison-table').getByTestId('instance-row').first()).toContainText('+');
  await shot(page, 'comparison');

  // ---- Retention graph of the selected object, then the before/after overlay ----
  await page.getByTestId('tab-graph').click();
  const graph = page.getByTestId('retention-graph');
  await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });
  const sub = await api.call('graph.subgraph', { snapshotId: closed.snapshotId, id: leaked.id, depth: 6, maxNodes: 300 });
  const graphCounts = (answer: typeof sub) => {
    const ids = new Set(answer.nodes.map((n) => n.id));
    return { nodes: ids.size, links: answer.links.filter((l) => ids.has(l.source) && ids.has(l.target)).length };
  };
  const plain = graphCounts(sub);
  expect(plain.nodes).toBeGreaterThanOrEqual(cliPath.length);
  await expect(graph).toHaveAttribute('data-node-count', String(plain.nodes));
  await expect(graph.locator('g.node')).toHaveCount(plain.nodes);
  await expect(page.getByTestId('graph-status')).toContainText(norm(`${formatCount(plain.nodes)} objects, ${formatCount(plain.links)} references`));
  for (const step of cliPath) await expect(graph.locator(`g.node[data-id="${step.id}"]`)).toHaveCount(1);
  await expect(graph.locator('g.node[data-focus="true"]')).toHaveAttribute('data-id', String(leaked.id));
  await expect(page.getByTestId('graph-legend')).toBeVisible();
  // Hover: the card names the object under the pointer.
  const focusBox = (await graph.locator('g.node[data-focus="true"] circle').boundingBox())!;
  await page.mouse.move(focusBox.x + focusBox.width / 2, focusBox.y + focusBox.height / 2);
  await expect(page.getByTestId('graph-tooltip')).toContainText('Widget');
  await shot(page, 'graph');

  await page.getByTestId('graph-overlay').check();
  await expect(graph.locator('g.node[data-status]').first()).toBeVisible();
  await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });
  const over = await api.call('graph.subgraph', { snapshotId: closed.snapshotId, id: leaked.id, depth: 6, maxNodes: 300, baseId: baseline.snapshotId });
  await expect(graph).toHaveAttribute('data-node-count', String(graphCounts(over).nodes));
  for (const status of ['added', 'kept', 'removed'] as const) {
    const expected = new Set(over.nodes.filter((n) => n.status === status).map((n) => n.id)).size;
    await expect(graph.locator(`g.node[data-status="${status}"]`), `${status} nodes`).toHaveCount(expected);
  }
  expect(over.nodes.find((n) => n.id === leaked.id)?.status).toBe('added');
  await shot(page, 'graph-overlay');

  // Click another node: it becomes the selection and the graph re-centres on it.
  const closure = cliPath.at(-2)!;
  const closureBox = (await graph.locator(`g.node[data-id="${closure.id}"] circle`).boundingBox())!;
  await page.mouse.click(closureBox.x + closureBox.width / 2, closureBox.y + closureBox.height / 2);
  await expect(graph.locator('g.node[data-focus="true"]')).toHaveAttribute('data-id', String(closure.id));
  await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });

  // ---- Dominators: cells from dominators.tree, click zooms in, breadcrumbs zoom out ----
  await page.getByTestId('tab-dominators').click();
  const dom = await api.call('dominators.tree', { snapshotId: closed.snapshotId, start: 0, end: 40, depth: 2, childLimit: 12 });
  const domIds = new Set([...dom.rows.map((r) => r.id), ...dom.rows.flatMap((r) => (r.children ?? []).map((c) => c.id))]);
  const cells = page.getByTestId('dominator-cell');
  await expect(cells.first()).toBeVisible();
  const cellIds = await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-id'))));
  for (const id of cellIds) expect(domIds.has(id), `cell @${id} is a dominee in dominators.tree`).toBe(true);
  expect(cellIds).toContain(dom.rows[0]!.id);
  await expect(page.getByTestId('dominator-breadcrumbs').locator('[aria-current="location"]')).toHaveCount(1);
  await expect(page.getByTestId('dominator-breadcrumbs').locator('button.crumb')).toHaveCount(0);
  await shot(page, 'dominators');
  const zoomInto = dom.rows.find((r) => r.childCount > 0 && cellIds.includes(r.id))!;
  await page.locator(`[data-testid="dominator-cell"][data-id="${zoomInto.id}"]`).click({ position: { x: 3, y: 3 } });
  await expect(page.getByTestId('dominator-breadcrumbs').locator('button.crumb')).toHaveCount(1);
  await expect(page.getByTestId('dominators-view')).toContainText(norm(`retains ${formatBytes(zoomInto.retainedSize)}`));
  const zoomed = await api.call('dominators.tree', { snapshotId: closed.snapshotId, id: zoomInto.id, start: 0, end: 40, depth: 2, childLimit: 12 });
  await expect(page.locator(`[data-testid="dominator-cell"][data-id="${zoomed.rows[0]!.id}"]`)).toHaveCount(1);
  await shot(page, 'dominators-zoomed');
  await page.getByTestId('dominator-breadcrumbs').locator('button.crumb').first().click();
  await expect(page.getByTestId('dominator-breadcrumbs').locator('button.crumb')).toHaveCount(0);

  // ---- Weak references: counts as `weak --json`, alone and paired with a later snapshot ----
  const [weak, weakPair] = await Promise.all([cli.weak, cli.weakPair]);
  await page.getByTestId('tab-weak').click();
  const chip = (status: string) => page.getByTestId('weak-counts').locator(`[data-status="${status}"] strong`);
  const expectChips = async (expected: Record<string, number>, statuses: string[]) => {
    for (const s of statuses) await expect(chip(s), `${s} count`).toHaveText(norm(formatCount(expected[s]!)));
  };
  const own = weakCounts(weak, false);
  await expect(page.getByTestId('weak-counts').locator('.total strong')).toHaveText(norm(formatCount(own.shown)));
  await expectChips(own, ['strong', 'weak-only']);
  await page.getByLabel('show Node internals').first().check();
  await expect(page.getByTestId('weak-counts').locator('.total strong')).toHaveText(norm(formatCount(weak.targets.length)));
  await expectChips(weak.counts, ['strong', 'weak-only']);
  await shot(page, 'weak');
  // Paired: the first snapshot compared with the last.
  await page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${baseline.snapshotId}"]`).click();
  await page.getByLabel('later snapshot to compare with').selectOption(closed.snapshotId);
  await expect(chip('released')).toBeVisible();
  await expectChips(weakPair.counts, ['released', 'kept', 'new', 'strong', 'weak-only']);
  await page.getByLabel('show Node internals').first().uncheck();
  await expectChips(weakCounts(weakPair, false), ['released', 'kept', 'new', 'strong', 'weak-only']);
  await shot(page, 'weak-paired');
  await page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${closed.snapshotId}"]`).click();

  // ---- Leaks: the three snapshots, check's verdict and totals; then budgets that let it pass ----
  await page.getByTestId('tab-leaks').click();
  await page.getByTestId('leaks-baseline').selectOption(baseline.snapshotId);
  await page.getByTestId('leaks-target').selectOption(opened.snapshotId);
  await page.getByTestId('leaks-final').selectOption(closed.snapshotId);
  await page.getByTestId('leaks-run').click();
  const verdict = page.getByTestId('leaks-verdict');
  await expect(verdict).toHaveAttribute('data-pass', 'false', { timeout: 60_000 });
  await expect(verdict.locator('.word')).toHaveText('FAIL');
  await expect(verdict).toContainText(norm(`${formatCount(check.totalCount)} objects / budget 0`));
  await expect(verdict).toContainText(norm(formatBytes(check.totalRetainedSize)));
  const clusters = page.getByTestId('leak-cluster');
  await expect(clusters).toHaveCount(check.leaks.length);
  const clusterCells = await clusters.evaluateAll((rows) => rows.map((row) => {
    const cells = [...row.querySelectorAll('td')];
    return [cells[0]?.querySelector('.name')?.textContent ?? '', cells[1]?.textContent ?? '', cells[2]?.textContent ?? ''];
  }));
  expect(clusterCells.map((cells) => cells.map(norm))).toEqual(check.leaks.map((l) => [l.name, formatCount(l.count), formatBytes(l.retainedSize)].map(norm)));
  await shot(page, 'leaks');

  const budgets = ['--max-leaked-bytes', String(check.totalRetainedSize), '--max-leaked-objects', String(check.totalCount)];
  const allowed = await cliJson<CheckJson>(['check', '--baseline', fileA!, '--target', fileB!, '--final', fileC!, ...budgets]);
  expect(allowed.pass).toBe(true);
  await page.getByRole('textbox', { name: /max leaked bytes/ }).fill(String(check.totalRetainedSize));
  await page.getByRole('textbox', { name: /max leaked objects/ }).fill(String(check.totalCount));
  await page.getByTestId('leaks-run').click();
  await expect(verdict).toHaveAttribute('data-pass', 'true');
  await expect(verdict.locator('.word')).toHaveText('PASS');
  await expect(verdict).toContainText(norm(`${formatCount(allowed.totalCount)} objects / budget ${formatCount(check.totalCount)}`));
  await shot(page, 'leaks-pass');

  api.close();
});
