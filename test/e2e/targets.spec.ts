/**
 * Several targets in one dashboard (issue 5, "Desktop UIs as targets"): `heapscope serve --attach A
 * --attach B` on two live Node fixture targets, "Snapshot all" capturing both at the same moment,
 * the sidebar grouping snapshots by target with each target's memory chart (JS heap vs RSS, growth
 * outside the heap named), Comparison picking per target; then a Chromium page (a list that keeps
 * its removed rows) attached by port from the sidebar, captured from the page, and its detached DOM
 * in the Summary and the retention graph.
 */
import type { Locator, Page } from '@playwright/test';
import type { CaptureProgressDto, SnapshotMeta, TargetDto } from '../../src/shared/contract.js';
import { chromiumMissing, launchChromium, type PageDriver, type RunningChromium } from '../helpers/chromium.js';
import { startPagesServer, type PagesServer } from '../helpers/pages-server.js';
import { clickInList, expect, norm, openDashboard, shot, storedSnapshots, test, WsApi } from './harness.js';

function targetCard(page: Page, t: TargetDto): Locator {
  return page.locator(`[data-testid="target-item"][data-target-id="${t.targetId}"]`);
}

function item(page: Page, s: SnapshotMeta): Locator {
  return page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${s.snapshotId}"]`);
}

/** Clicks "Snapshot all" and returns every capture.progress event until each target has a finished capture. */
async function snapshotAll(page: Page, api: WsApi, targets: TargetDto[]): Promise<CaptureProgressDto[]> {
  const seen: CaptureProgressDto[] = [];
  const finished = api.waitFor('capture.progress', (p) => {
    seen.push(p);
    return targets.every((t) => seen.some((e) => e.targetId === t.targetId && e.state !== 'running'));
  }, 120_000);
  await page.getByTestId('snapshot-all').click();
  await finished;
  return seen;
}

test('two Node targets: Snapshot all, grouped by target, memory charts (not read while hidden), Comparison per target', async ({ page, serve, target }) => {
  const leaky = await target('listener-leak.mjs');
  const native = await target('native-growth.mjs');
  const server = await serve('serve', ['--attach', String(leaky.port), '--attach', String(native.port)]);
  const api = await WsApi.connect(server);
  const { targets } = await api.call('session.state', {});
  expect(targets.map((t) => t.address)).toEqual([`127.0.0.1:${leaky.port}`, `127.0.0.1:${native.port}`]);
  const [a, b] = targets as [TargetDto, TargetDto];
  await openDashboard(page, server);

  // ---- Both targets: kind, state, and a memory chart that fills as the dashboard polls ----
  await expect(page.getByTestId('target-item')).toHaveCount(2);
  for (const t of [a, b]) {
    const card = targetCard(page, t);
    await expect(card.getByTestId('target-kind')).toHaveText('node');
    await expect(card.getByTestId('target-state')).toHaveText('attached');
    const chart = card.getByTestId('memory-chart');
    // A reading every 2 s: two readings make a line.
    await expect.poll(async () => Number(await chart.getAttribute('data-samples')), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await expect(chart.getByTestId('memory-heap-line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
    await expect(chart.getByTestId('memory-rss-line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
    await expect(card.getByTestId('target-memory')).toHaveText(/^heap [\d.,]+\s(kB|MB) of [\d.,]+\sMB\s·\sRSS [\d.,]+\sMB$/);
  }
  await expect(page.getByTestId('no-snapshots')).toBeVisible();

  // ---- Snapshot all: one capture per target, both running at once ----
  const round1 = await snapshotAll(page, api, [a, b]);
  const captures = [...new Set(round1.map((e) => e.captureId))];
  expect(captures).toHaveLength(2);
  expect(new Set(round1.map((e) => e.targetId))).toEqual(new Set([a.targetId, b.targetId]));
  const firstEvent = captures.map((id) => round1.findIndex((e) => e.captureId === id));
  const doneEvent = captures.map((id) => round1.findIndex((e) => e.captureId === id && e.state !== 'running'));
  expect(Math.max(...firstEvent), 'both captures had begun before either finished').toBeLessThan(Math.min(...doneEvent));
  expect(round1.filter((e) => e.state !== 'running').map((e) => e.state)).toEqual(['done', 'done']);

  await expect(page.getByTestId('snapshot-item')).toHaveCount(2, { timeout: 60_000 });
  let stored = await storedSnapshots(api);
  expect(stored.map((s) => s.targetId).sort()).toEqual([a.targetId, b.targetId].sort());
  expect(stored[0]!.name, 'one name for the round').toBe(stored[1]!.name);
  const apart = Math.abs(Date.parse(stored[0]!.createdAt) - Date.parse(stored[1]!.createdAt));
  expect(apart, 'taken at the same moment').toBeLessThan(5_000);

  // Grouped by target, in attach order; each snapshot shows the memory read just before it.
  const groups = page.getByTestId('snapshot-target-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.nth(0)).toHaveAttribute('data-target-id', a.targetId);
  await expect(groups.nth(1)).toHaveAttribute('data-target-id', b.targetId);
  for (const s of stored) {
    await expect(page.locator(`[data-testid="snapshot-target-group"][data-target-id="${s.targetId}"]`).getByTestId('snapshot-item')).toHaveCount(1);
    expect(s.heapUsed).toBeGreaterThan(0);
    expect(s.rss).toBeGreaterThan(s.heapUsed!);
    await expect(item(page, s).getByTestId('snapshot-memory')).toHaveText(/^heap [\d.,]+\s(kB|MB)\s·\sRSS [\d.,]+\sMB$/);
  }

  // ---- The leaky target opens its widgets, the other grows 80 MB of Buffers: the chart names that ----
  // Readings taken after the snapshots first: RSS that jumped across a capture (V8's generator)
  // is left out of the verdict, and growth in the same interval would be too.
  const samplesOf = async (t: TargetDto) => Number(await targetCard(page, t).getByTestId('memory-chart').getAttribute('data-samples'));
  const after = await samplesOf(b);
  await expect.poll(() => samplesOf(b), { timeout: 20_000 }).toBeGreaterThanOrEqual(after + 2);
  await leaky.next();
  await native.next();
  const growth = targetCard(page, b).getByTestId('memory-growth');
  await expect(growth).toHaveText(/^RSS \+[\d.]+\sMB outside the JS heap \(heap [^)]*\): native memory, e.g. Buffers, native modules, the DOM$/, { timeout: 30_000 });
  await expect(targetCard(page, a).getByTestId('memory-chart')).toHaveAttribute('data-growth', /steady|heap/);

  // ---- A second round ----
  await snapshotAll(page, api, [a, b]);
  await expect(page.getByTestId('snapshot-item')).toHaveCount(4, { timeout: 60_000 });
  stored = await storedSnapshots(api);
  const of = (t: TargetDto) => stored.filter((s) => s.targetId === t.targetId);
  for (const t of [a, b]) {
    expect(of(t)).toHaveLength(2);
    expect(of(t)[0]!.sessionId, 'one session per target').toBe(of(t)[1]!.sessionId);
    const group = page.locator(`[data-testid="snapshot-target-group"][data-target-id="${t.targetId}"]`);
    await expect(group.getByTestId('snapshot-group')).toHaveCount(1);
    await expect(group.getByTestId('snapshot-item')).toHaveCount(2);
    // Each snapshot's own reading is marked on its target's chart.
    await expect(targetCard(page, t).getByTestId('memory-mark')).toHaveCount(2);
  }
  expect(of(a)[0]!.sessionId).not.toBe(of(b)[0]!.sessionId);
  // 80 MB outside the JS heap: the snapshots' own figures show it, and the chart says it in words.
  const [nativeBefore, nativeAfter] = of(b) as [SnapshotMeta, SnapshotMeta];
  expect(nativeAfter.rss! - nativeBefore.rss!).toBeGreaterThan(60_000_000);
  expect(Math.abs(nativeAfter.heapUsed! - nativeBefore.heapUsed!)).toBeLessThan(10_000_000);
  await expect(growth).toContainText('outside the JS heap');
  await expect(targetCard(page, b).getByTestId('memory-chart')).toHaveAttribute('data-growth', 'outside-heap');
  await expect(targetCard(page, a).getByTestId('memory-chart')).toHaveAttribute('data-growth', /steady|heap/);
  await shot(page, 'targets-sidebar-two-targets-memory');

  // ---- Comparison on the leaky target: its own session first, the other target after, labelled ----
  const [leakyBefore, leakyAfter] = of(a) as [SnapshotMeta, SnapshotMeta];
  await item(page, leakyAfter).click();
  await expect(item(page, leakyAfter)).toHaveAttribute('data-loaded', 'true');
  // Node snapshots carry no DOM: the toggle is there, off and disabled, and says why.
  const detachedToggle = page.getByTestId('summary-detached');
  await expect(detachedToggle).toBeDisabled();
  await expect(page.locator('label.toggle', { has: detachedToggle })).toHaveAttribute('title', /no detached DOM nodes/);
  await page.getByTestId('tab-comparison').click();
  const picker = page.getByTestId('base-picker');
  await expect(picker).toHaveValue(leakyBefore.snapshotId);
  const optgroups = await picker.locator('optgroup').evaluateAll((els) => els.map((g) => ({
    label: g.getAttribute('label') ?? '',
    relation: g.getAttribute('data-relation'),
    options: [...g.querySelectorAll('option')].map((o) => o.value),
  })));
  expect(optgroups.map((g) => g.relation)).toEqual(['session', 'other-target']);
  expect(optgroups[0]!.options).toEqual([leakyBefore.snapshotId]);
  expect(optgroups[0]!.label).toMatch(/^Same session, comparable: .+ \(node\)$/);
  expect(optgroups[1]!.options).toEqual(of(b).map((s) => s.snapshotId));
  expect(optgroups[1]!.label).toMatch(/^Other target: .+ \(node\) \(not comparable\)$/);
  await expect(page.getByTestId('comparison-counts')).toContainText('classes changed');
  const widget = page.getByTestId('comparison-table').getByTestId('class-row').filter({ hasText: 'Widget' }).first();
  await expect(widget).toBeVisible();
  expect(norm(await widget.locator(':scope > [role=gridcell]').nth(1).textContent())).toBe('20');

  // A base of the other target: said plainly before and after the engine refuses the pair.
  await picker.selectOption(nativeAfter.snapshotId);
  await expect(page.getByTestId('comparison-error')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('comparison-error')).toContainText(`“${nativeAfter.name}” is a snapshot of`);
  await expect(page.getByTestId('comparison-error')).toContainText('two targets (two processes or threads) number their objects independently');
  await expect(page.getByTestId('comparison-error')).not.toContainText('object ids name different objects');
  await shot(page, 'targets-comparison-mixed');
  await picker.selectOption(leakyBefore.snapshotId);
  await expect(page.getByTestId('comparison-error')).toHaveCount(0);
  await expect(page.getByTestId('pick-mix')).toHaveCount(0);

  // Leaks defaults to the current snapshot's target: only two there, so it asks for a third rather than mixing.
  await page.getByTestId('tab-leaks').click();
  await expect(page.getByTestId('leaks-baseline').locator('optgroup').first()).toHaveAttribute('data-relation', 'session');
  await page.getByTestId('leaks-baseline').selectOption(leakyBefore.snapshotId);
  await page.getByTestId('leaks-target').selectOption(leakyAfter.snapshotId);
  await page.getByTestId('leaks-final').selectOption(nativeAfter.snapshotId);
  await expect(page.getByTestId('pick-mix')).toContainText('number their objects independently');

  // ---- Hidden, the dashboard stops reading memory (every reading costs the target a round trip); shown again, it resumes ----
  const setVisibility = (state: 'hidden' | 'visible') => page.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { value: v, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
  await setVisibility('hidden');
  await page.waitForTimeout(500); // a reading already under way may still land
  const hiddenAt = await samplesOf(a);
  await page.waitForTimeout(5_000); // two and a half polling periods
  expect(await samplesOf(a), 'no readings while hidden').toBe(hiddenAt);
  await setVisibility('visible');
  await expect.poll(() => samplesOf(a), { timeout: 10_000 }).toBeGreaterThan(hiddenAt);
});

test('a Chromium page attached by port: captured from the dashboard, its detached rows in Summary and the graph', async ({ page, serve }) => {
  const missing = chromiumMissing();
  test.skip(missing !== undefined, `skipped: ${missing}`);
  let pages: PagesServer | undefined;
  let browser: RunningChromium | undefined;
  let driver: PageDriver | undefined;
  try {
    pages = await startPagesServer();
    browser = await launchChromium(pages.url('detached-rows.html'));
    // The driver's session stays open to the end: any session closing makes V8 renumber the page's heap.
    driver = await browser.openPage('detached-rows');
    expect(await driver.step()).toBe('target'); // 20 rows added and removed, kept by the undo history

    const server = await serve('serve', []);
    const api = await WsApi.connect(server);
    await openDashboard(page, server);
    await page.getByTestId('attach-input').fill(String(browser.port));
    await page.getByTestId('attach-button').click();
    const card = page.getByTestId('target-item');
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId('target-kind')).toHaveText('page');
    await expect(card.getByTestId('target-state')).toHaveText('attached');
    await expect.poll(async () => Number(await card.getByTestId('memory-chart').getAttribute('data-samples')), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await expect(card.getByTestId('target-memory')).toHaveText(/^heap [\d.,]+\u00a0(kB|MB) of /);

    await card.getByTestId('take-snapshot').click();
    await expect(page.getByTestId('snapshot-item')).toHaveCount(1, { timeout: 60_000 });
    const [snap] = await storedSnapshots(api);
    await expect(item(page, snap!)).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('snapshot-target-group').locator('.kind')).toHaveText('page');

    // ---- Summary: "Detached DOM only" ----
    await page.getByTestId('tab-summary').click();
    const toggle = page.getByTestId('summary-detached');
    await expect(toggle).toBeEnabled();
    const rows = page.getByTestId('summary-table').getByTestId('class-row');
    await expect(rows.first()).toBeVisible();
    const allCount = Number(norm(await page.getByTestId('summary-counts').textContent()).split(' ')[0]!.replace(/\D/g, ''));
    await toggle.check();
    await expect(page.getByTestId('summary-counts')).toContainText('detached classes');
    const tr = rows.filter({ hasText: 'Detached <tr>' });
    await expect(tr).toHaveCount(1);
    await expect(tr.locator(':scope > [role=gridcell]').nth(4)).toHaveText('20');
    await expect(tr.getByTestId('detached-badge')).toHaveText('detached');
    const shown = await rows.evaluateAll((els) => els.map((r) => [r.getAttribute('data-detached') ?? '', r.querySelector('.label')?.textContent ?? '']));
    expect(shown.length).toBeGreaterThanOrEqual(3); // <tr>, <td> and their Text at least
    for (const [flag, name] of shown) {
      expect(flag, name).toBe('true');
      expect(name, 'only detached classes').toMatch(/^Detached /);
    }
    const detachedCount = Number(norm(await page.getByTestId('summary-counts').textContent()).split(' ')[0]!.replace(/\D/g, ''));
    expect(detachedCount).toBeLessThan(allCount);
    await expect(rows.filter({ hasText: 'Detached <td>' }).locator(':scope > [role=gridcell]').nth(4)).toHaveText('40');
    await shot(page, 'targets-page-detached-summary');

    // ---- A detached row in the retention graph: its own colour and a legend key ----
    await clickInList(page.getByTestId('summary-table'), tr.locator('.triangle'));
    await expect(page.getByTestId('summary-table').getByTestId('instance-row')).toHaveCount(20);
    const instance = page.getByTestId('summary-table').getByTestId('instance-row').first();
    await expect(instance).toBeVisible();
    await clickInList(page.getByTestId('summary-table'), instance);
    await page.getByTestId('tab-graph').click();
    const graph = page.getByTestId('retention-graph');
    await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });
    await expect.poll(async () => Number(await graph.getAttribute('data-detached-count'))).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('legend-detached')).toHaveText(/detached DOM node/);
    await expect(graph.locator('[data-detached="true"][data-focus="true"]')).toHaveCount(1);
    await shot(page, 'targets-page-detached-graph');
  } finally {
    await driver?.close();
    await browser?.stop();
    await pages?.close();
  }
});
