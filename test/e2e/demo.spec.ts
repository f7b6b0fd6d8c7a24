/**
 * `heapscope demo`: the built-in demo app with real leaks, three snapshots of one session taken
 * before the dashboard is served. The Leaks view fails with clusters, the Weak view shows the
 * FinalizationRegistry held-value trap and the WeakRef targets a strong array keeps; then the
 * sidebar's life cycle: a fourth snapshot, rename, export (the bytes stored), delete.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatBytes, formatCount } from '../../renderer/lib/format.js';
import type { CheckJson, WeakJson } from './cli-json.js';
import {
  cliJson, expect, exportSnapshot, norm, openDashboard, shot, storedSnapshots, test, watchTestIds, WsApi,
} from './harness.js';

test('demo: leaks fail with clusters, weak traps shown, a fourth snapshot renamed, exported and deleted', async ({ page, serve, tmp }) => {
  const server = await serve('demo');
  const api = await WsApi.connect(server);
  await watchTestIds(page, ['capture-progress']);
  await openDashboard(page, server);

  const stored = await storedSnapshots(api);
  expect(stored.map((s) => s.name)).toEqual(['baseline', 'target', 'final']);
  const [baseline, targetSnap, final] = stored as [typeof stored[0], typeof stored[0], typeof stored[0]];
  await expect(page.getByTestId('snapshot-item')).toHaveCount(3);
  await expect(page.getByTestId('snapshot-item').locator('.name')).toHaveText(['baseline', 'target', 'final']);
  await expect(page.getByTestId('target-state')).toHaveText('attached');
  // The newest is shown on the first visit.
  await expect(page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${final.snapshotId}"]`)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('summary-table').getByTestId('class-row').first()).toBeVisible();
  await shot(page, 'demo-summary');

  const [fileA, fileB, fileC] = await Promise.all([baseline, targetSnap, final].map((s) => exportSnapshot(server, s.snapshotId, tmp)));
  const cli = {
    check: cliJson<CheckJson>(['check', '--baseline', fileA!, '--target', fileB!, '--final', fileC!]),
    weak: cliJson<WeakJson & { targets: { cause?: string }[] }>(['weak', fileC!]),
  };

  // ---- Leaks: the three pickers default to the one session; FAIL with check's clusters ----
  await page.getByTestId('tab-leaks').click();
  await expect(page.getByTestId('leaks-baseline')).toHaveValue(baseline.snapshotId);
  await expect(page.getByTestId('leaks-target')).toHaveValue(targetSnap.snapshotId);
  await expect(page.getByTestId('leaks-final')).toHaveValue(final.snapshotId);
  await page.getByTestId('leaks-run').click();
  const verdict = page.getByTestId('leaks-verdict');
  await expect(verdict).toHaveAttribute('data-pass', 'false', { timeout: 60_000 });
  const check = await cli.check;
  expect(check.pass).toBe(false);
  await expect(verdict).toContainText(norm(`${formatCount(check.totalCount)} objects / budget 0`));
  await expect(verdict).toContainText(norm(formatBytes(check.totalRetainedSize)));
  await expect(page.getByTestId('leak-cluster')).toHaveCount(check.leaks.length);
  await expect(page.getByTestId('leak-cluster').locator('.name')).toHaveText(check.leaks.map((l) => l.name));
  for (const name of ['Document', 'FileHandle', 'CacheEntry']) expect(check.leaks.map((l) => l.name)).toContain(name);
  await shot(page, 'demo-leaks');
  // A cluster opens onto its path and ids.
  await page.getByTestId('leak-cluster').first().getByRole('button', { name: 'show path and ids' }).click();
  // A long path shows its first and last hops with a gap that opens: the steps shown are the CLI's, in order.
  const leakPath = check.leaks[0]!.retainerPath.map((s) => `@${s.id}`);
  const chainIds = page.locator('tr.detail ol.chain .id');
  await expect(chainIds.first()).toHaveText(leakPath[0]!);
  await expect(chainIds.last()).toHaveText(leakPath.at(-1)!);
  const shownSteps = await chainIds.allTextContents();
  expect(shownSteps.filter((id) => leakPath.includes(id))).toEqual(shownSteps);
  expect(shownSteps.map((id) => leakPath.indexOf(id))).toEqual([...shownSteps.map((id) => leakPath.indexOf(id))].sort((a, b) => a - b));
  const gap = page.locator('tr.detail ol.chain button.gap');
  if (shownSteps.length < leakPath.length) {
    await gap.click();
    await expect(chainIds).toHaveText(leakPath);
  }
  await shot(page, 'demo-leaks-path');

  // From a cluster's path to the object: its retainers, then its retention graph.
  await page.getByTestId('leak-cluster').first().getByRole('button', { name: 'hide path and ids' }).click();
  const documents = check.leaks.find((l) => l.name === 'Document')!;
  const representative = documents.retainerPath.at(-1)!;
  const documentRow = page.getByTestId('leak-cluster').filter({ has: page.locator('.name', { hasText: /^Document$/ }) });
  await documentRow.getByRole('button', { name: 'show path and ids' }).click();
  await page.locator('tr.detail ol.chain button.step').last().click();
  await expect(page.getByTestId('tab-retainers')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('path-step').last()).toContainText(`@${representative.id}`);
  await page.getByTestId('tab-graph').click();
  const graph = page.getByTestId('retention-graph');
  await expect(graph.locator('g.node[data-focus="true"]')).toHaveAttribute('data-id', String(representative.id));
  await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });
  await shot(page, 'demo-graph');

  // ---- Weak references of the final snapshot: the held-value trap, WeakRef targets kept, dead shells ----
  const weak = await cli.weak;
  const program = weak.targets.filter((t) => !t.internal);
  const trapped = program.filter((t) => t.cause === 'finalization-held-value');
  const keptCache = program.filter((t) => t.name === 'CacheEntry' && t.reachability === 'strong' && t.holders.some((h) => h.kind === 'WeakRef'));
  expect(trapped.length, 'the demo has FinalizationRegistry held-value traps').toBeGreaterThan(0);
  expect(keptCache.length, 'the demo has WeakRef targets a strong array keeps').toBeGreaterThan(0);
  await page.getByTestId('tab-weak').click();
  await expect(page.getByTestId('weak-counts').locator('[data-status="strong"] strong')).toHaveText(formatCount(program.filter((t) => t.reachability === 'strong').length));
  await shot(page, 'demo-weak');

  const trap = page.locator('[data-testid="weak-group"][data-kind="FinalizationRegistry"][data-status="strong"]')
    .filter({ hasText: 'held by its own FinalizationRegistry held value' });
  await expect(trap).toHaveCount(1);
  await expect(trap.locator('.count')).toHaveText(norm(`${formatCount(trapped.length)} ×`));
  await expect(trap.locator('.name')).toHaveText(trapped[0]!.name);
  await trap.locator('button.head').click();
  await expect(trap.getByTestId('weak-target')).toHaveCount(trapped.length);
  const firstTrapped = trap.getByTestId('weak-target').first();
  await expect(firstTrapped).toContainText('Held by its own FinalizationRegistry held value');
  await expect(firstTrapped.locator('.holders')).toContainText('held value');

  const cache = page.locator('[data-testid="weak-group"][data-kind="WeakRef"][data-status="strong"]').filter({ has: page.locator('.name', { hasText: /^CacheEntry$/ }) });
  await expect(cache).toHaveCount(1);
  await expect(cache.locator('.count')).toHaveText(norm(`${formatCount(keptCache.length)} ×`));
  await expect(cache.locator('.shape')).toContainText('recentThumbnails');
  await cache.locator('button.head').click();
  await expect(cache.getByTestId('weak-target')).toHaveCount(keptCache.length);
  await expect(cache.getByTestId('weak-target').first()).toContainText('not by the WeakRef');
  await expect(cache.getByTestId('weak-target').first().locator('ol.chain')).toContainText('recentThumbnails');

  const programShells = weak.shells.filter((s) => !s.internal);
  expect(programShells.length, 'the demo leaves dead WeakRefs in its cache Map').toBeGreaterThan(0);
  await expect(page.getByTestId('weak-shells')).toBeVisible();
  await expect(page.getByTestId('weak-shell').first().locator('td.num').first()).toHaveText(formatCount(programShells[0]!.count));
  await shot(page, 'demo-weak-expanded');

  // ---- A fourth snapshot from the page ----
  await page.getByTestId('take-snapshot').click();
  await expect(page.getByTestId('snapshot-item')).toHaveCount(4, { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen['capture-progress'])).toBeGreaterThan(0);
  const fourth = (await storedSnapshots(api)).at(-1)!;
  expect(fourth.sessionId, 'the fourth snapshot is of the demo\'s session').toBe(final.sessionId);
  const item = page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${fourth.snapshotId}"]`);
  await expect(item).toHaveAttribute('aria-selected', 'true');
  await expect(item).toHaveAttribute('data-loaded', 'true');

  // Rename: the markup stays text.
  const newName = 'after the demo <b>bold</b>';
  await item.getByTestId('snapshot-menu').click();
  await item.getByTestId('snapshot-rename').click();
  await item.getByTestId('snapshot-rename-input').fill(newName);
  await item.getByTestId('snapshot-rename-input').press('Enter');
  await expect(item.locator('.name')).toHaveText(newName);
  await expect.poll(async () => (await storedSnapshots(api)).find((s) => s.snapshotId === fourth.snapshotId)?.name).toBe(newName);
  await shot(page, 'demo-renamed');

  // Export: the download is the stored file, byte for byte.
  const storeDir = path.join(tmp, 'store');
  const storedFile = [`${fourth.snapshotId}.heapsnapshot`, `${fourth.snapshotId}.heapsnapshot.gz`].map((f) => path.join(storeDir, f)).find((f) => existsSync(f));
  expect(storedFile, 'the store holds the snapshot as <id>.heapsnapshot[.gz]').toBeDefined();
  await item.getByTestId('snapshot-menu').click();
  const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('snapshot-export').click()]);
  // The snapshot's name, made a safe file name (no path separators; the browser replaces markup characters too).
  expect(download.suggestedFilename()).toMatch(/^after the demo [^/\\]*\.heapsnapshot(\.gz)?$/);
  await expect(item.getByRole('menu'), 'the menu closes once an action is picked').toHaveCount(0);
  const downloaded = readFileSync((await download.path())!);
  expect(downloaded.equals(readFileSync(storedFile!)), 'downloaded bytes equal the stored file').toBe(true);

  // Delete: gone from the list, the server's state, the index and the disk.
  await item.getByTestId('snapshot-menu').click();
  await item.getByTestId('snapshot-delete').click();
  await item.getByTestId('snapshot-delete-confirm').click();
  await expect(page.getByTestId('snapshot-item')).toHaveCount(3);
  await expect(item).toHaveCount(0);
  expect((await storedSnapshots(api)).map((s) => s.snapshotId)).toEqual([baseline.snapshotId, targetSnap.snapshotId, final.snapshotId]);
  expect(existsSync(storedFile!)).toBe(false);
  expect(readFileSync(path.join(storeDir, 'index.json'), 'utf8')).not.toContain(fourth.snapshotId);
  api.close();
});
