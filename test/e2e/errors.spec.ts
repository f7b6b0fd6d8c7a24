/**
 * What goes wrong, shown as it should be: a bad file imported (a banner naming the file and the
 * byte offset, nothing added), a good file dropped on the window (imported and loaded), the
 * attached target killed (a banner, state "died"), and the server gone (connection lost).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatCount } from '../../renderer/lib/format.js';
import type { SummaryJson } from './cli-json.js';
import {
  classCount, cliJson, expect, norm, openDashboard, repoRoot, runCli, seenCount, shot, storedSnapshots, test, watchTestIds, WsApi,
} from './harness.js';

const GOOD = path.join(repoRoot, 'fixtures', 'snapshots', 'listener-leak-baseline.heapsnapshot.gz');

test('a truncated file is refused with its name and byte offset; a dropped good file is imported and opened', async ({ page, serve, tmp }) => {
  const server = await serve('serve');
  const api = await WsApi.connect(server);
  await watchTestIds(page, ['upload-progress', 'drop-overlay']);
  await openDashboard(page, server);
  await expect(page.getByTestId('no-snapshots')).toBeVisible();

  // A snapshot cut off inside its edges: the CLI names the offset where it ends, the banner must too.
  const whole = gunzipSync(readFileSync(GOOD));
  const bad = path.join(tmp, 'truncated.heapsnapshot');
  writeFileSync(bad, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const cli = await runCli(['summary', bad, '--json']);
  expect(cli.code).toBe(5);
  const offset = /byte offset (\d+)/.exec(cli.stderr)?.[1];
  expect(offset, `the CLI names the offset: ${cli.stderr}`).toBeDefined();

  await page.getByTestId('import-input').setInputFiles(bad);
  const banner = page.getByTestId('banner').filter({ hasText: 'truncated.heapsnapshot' });
  await expect(banner).toHaveAttribute('data-kind', 'error');
  await expect(banner).toContainText(offset!);
  await expect(banner).toContainText(/byte offset|offset/);
  await expect(page.getByTestId('upload-progress')).toHaveCount(0);
  await expect(page.getByTestId('snapshot-item')).toHaveCount(0);
  await expect(page.getByTestId('no-snapshots')).toBeVisible();
  expect(await storedSnapshots(api)).toEqual([]);
  await shot(page, 'error-bad-import');
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);

  // Drag and drop: a File built in the page from the committed snapshot's bytes.
  const summary = await cliJson<SummaryJson>(['summary', GOOD]);
  const dropped = await page.evaluateHandle(({ name, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'application/gzip' }));
    return dt;
  }, { name: path.basename(GOOD), base64: readFileSync(GOOD).toString('base64') });
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dropped });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await shot(page, 'drop-overlay');
  await page.dispatchEvent('body', 'dragover', { dataTransfer: dropped });
  await page.dispatchEvent('body', 'drop', { dataTransfer: dropped });
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  const item = page.getByTestId('snapshot-item');
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-loaded', 'true');
  await expect(item).toHaveAttribute('aria-selected', 'true');
  expect(await seenCount(page, 'upload-progress'), 'an upload progress bar was shown').toBeGreaterThan(0);
  await expect(item).toContainText(norm(`${formatCount(summary.nodes)} nodes`), { useInnerText: true });
  await expect(page.getByTestId('summary-counts')).toContainText(norm(`${classCount(summary.classes.length)}`));
  const [stored] = await storedSnapshots(api);
  expect(stored).toMatchObject({ source: 'import', name: path.basename(GOOD), nodes: summary.nodes });
  await shot(page, 'dropped-import');
  expect(await page.getByTestId('banner').count()).toBe(0);
  api.close();
});

test('a killed target shows as died with a banner; a stopped server shows the connection lost', async ({ page, serve, target }) => {
  const t = await target('idle.mjs');
  const server = await serve('serve');
  await openDashboard(page, server);

  // Attach from the page, by port.
  await page.getByTestId('attach-input').fill(String(t.port));
  await page.getByTestId('attach-button').click();
  await expect(page.getByTestId('target-item')).toHaveCount(1);
  await expect(page.getByTestId('target-state')).toHaveText('attached');
  await expect(page.getByTestId('take-snapshot')).toBeEnabled();

  await t.stop();
  await expect(page.getByTestId('target-state')).toHaveText('died');
  await expect(page.getByTestId('target-item')).toHaveAttribute('data-state', 'died');
  await expect(page.getByTestId('take-snapshot')).toBeDisabled();
  const died = page.getByTestId('banner').filter({ hasText: 'died' });
  await expect(died).toHaveAttribute('data-kind', 'error');
  await expect(died).toContainText(`127.0.0.1:${t.port}`);
  await shot(page, 'error-target-died');

  await server.stop();
  await expect(page.getByTestId('connection-state')).not.toHaveText('open');
  await expect(page.getByTestId('app')).not.toHaveAttribute('data-connection', 'open');
  const lost = page.getByTestId('banner').filter({ hasText: /connection to the heapscope host lost/i });
  await expect(lost).toHaveAttribute('data-kind', 'error');
  await shot(page, 'error-connection-lost');
});
