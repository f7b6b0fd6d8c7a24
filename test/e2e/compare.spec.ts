/**
 * Leaks › Compare runs in the browser against a real `heapscope serve`: two real leak reports
 * (`check --json` on the committed listener-leak snapshots; the "after the fix" run is the same
 * analysis with --ignore-class taking the Widget leak out) picked as files, dropped, and as
 * Playwright output folders; the table checked against `heapscope compare --json` on the same
 * files; sorting; bad files; a request over the host's limit; a hostile class name shown as text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { CompareDocument } from '../../src/shared/contract.js';
import { MAX_COMPARE_REQUEST_BYTES } from '../../src/shared/report-json.js';
import { formatBytes, signed } from '../../renderer/lib/format.js';
import { asFixtureReport, listenerLeakReport, type LeakReportJson } from '../helpers/leak-reports.js';
import { exactBytes, expect, norm, openDashboard, runCli, shot, test } from './harness.js';

function write(file: string, content: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function cliCompare(a: string, b: string): Promise<{ doc: CompareDocument; verdict: string }> {
  const json = await runCli(['compare', a, b, '--json']);
  expect(json.code, json.stderr).toBe(0);
  const human = await runCli(['compare', a, b]);
  // The human output ends `1 fixed, 0 new, 3 persist; retained …`: the page says the first part.
  const verdict = human.stdout.trimEnd().split('\n').at(-1)!.split(';')[0]!;
  return { doc: JSON.parse(json.stdout) as CompareDocument, verdict };
}

interface RowText { status: string; test: string | null; name: string; count: string; before: number | null; after: number | null; delta: string }

async function tableRows(panel: Locator, perTest: boolean): Promise<RowText[]> {
  const rows = panel.getByTestId('compare-row');
  const out: RowText[] = [];
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i);
    const size = async (id: string) => {
      const title = await row.getByTestId(id).getAttribute('title');
      return title?.startsWith('not in') ? null : exactBytes(title);
    };
    out.push({
      status: (await row.getAttribute('data-status'))!,
      test: perTest ? norm(await row.locator('td.test').textContent()) : null,
      name: norm(await row.getByTestId('compare-name').textContent()),
      count: norm(await row.getByTestId('compare-count').textContent()),
      before: await size('compare-before'),
      after: await size('compare-after'),
      delta: norm(await row.getByTestId('compare-delta').textContent()),
    });
  }
  return out;
}

/** What the table must show for the CLI's clusters, in the CLI's order. */
function expectedRows(doc: CompareDocument): RowText[] {
  return doc.clusters.map((c) => ({
    status: c.status,
    test: doc.clusters.some((x) => x.test !== null) ? (c.test ?? '(no test)') : null,
    name: c.name,
    count: `${c.before?.count ?? '–'} → ${c.after?.count ?? '–'}`,
    before: c.before?.retainedSize ?? null,
    after: c.after?.retainedSize ?? null,
    delta: norm(signed(c.retainedSizeDelta, formatBytes)),
  }));
}

async function openLeaks(page: Page): Promise<Locator> {
  await page.getByTestId('tab-leaks').click();
  const panel = page.getByTestId('compare-panel');
  await expect(panel).toBeVisible();
  return panel;
}

let leaky: LeakReportJson;
let fixed: LeakReportJson;

test.beforeAll(async () => {
  [leaky, fixed] = await Promise.all([listenerLeakReport(), listenerLeakReport(['^Widget$'])]);
});

test('two report files: fixed and persisting clusters as `heapscope compare` says, sortable', async ({ page, serve, tmp }) => {
  const before = write(path.join(tmp, 'before.json'), leaky);
  const after = write(path.join(tmp, 'after.json'), fixed);
  const cli = await cliCompare(before, after);
  expect(cli.doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });

  const server = await serve('serve', []);
  await openDashboard(page, server);
  const panel = await openLeaks(page);
  await expect(panel.getByTestId('compare-run')).toBeDisabled();

  await panel.getByTestId('compare-a-files').setInputFiles(before);
  await expect(panel.getByTestId('compare-a-status')).toContainText('before.json: 1 report');
  await panel.getByTestId('compare-b-files').setInputFiles(after);
  await expect(panel.getByTestId('compare-b-status')).toContainText('after.json: 1 report');
  await panel.getByTestId('compare-run').click();

  const verdict = panel.getByTestId('compare-verdict');
  await expect(verdict.locator('strong')).toHaveText(cli.verdict);
  expect(cli.verdict).toBe('1 fixed, 0 new, 3 persist');
  const { before: tb, after: ta, delta } = cli.doc.totalRetainedSize;
  await expect(verdict.locator('.totals')).toHaveText(norm(`retained ${formatBytes(tb)} → ${formatBytes(ta)} (${signed(delta, formatBytes)})`));
  await expect(panel.getByTestId('compare-row')).toHaveCount(cli.doc.clusters.length);
  // Two single files: no test column.
  await expect(panel.getByTestId('compare-sort-test')).toHaveCount(0);
  expect(await tableRows(panel, false)).toEqual(expectedRows(cli.doc));
  const widget = cli.doc.clusters.find((c) => c.status === 'fixed')!;
  await expect(panel.locator('[data-status="fixed"]').getByTestId('compare-path')).toHaveAttribute('title', widget.path);
  await shot(page, 'leaks-compare-runs');

  // Sorting: by change, largest growth first, then flipped; by retained A; back to the comparison's order.
  const names = async () => (await tableRows(panel, false)).map((r) => `${r.status} ${r.name} ${r.before ?? '–'}`);
  const byDelta = [...cli.doc.clusters].sort((x, y) => y.retainedSizeDelta - x.retainedSizeDelta);
  await panel.getByTestId('compare-sort-delta').click();
  await expect(panel.locator('th[aria-sort="descending"]')).toHaveText(/change/);
  expect(await names()).toEqual(byDelta.map((c) => `${c.status} ${c.name} ${c.before?.retainedSize ?? '–'}`));
  await panel.getByTestId('compare-sort-delta').click();
  await expect(panel.locator('th[aria-sort="ascending"]')).toHaveText(/change/);
  expect((await tableRows(panel, false))[0]).toMatchObject({ status: 'fixed', name: 'Widget' });
  await panel.getByTestId('compare-sort-before').click();
  const bySize = [...cli.doc.clusters].sort((x, y) => (y.before?.retainedSize ?? -1) - (x.before?.retainedSize ?? -1));
  expect((await tableRows(panel, false)).map((r) => r.before)).toEqual(bySize.map((c) => c.before?.retainedSize ?? null));
  await panel.getByTestId('compare-sort-status').click();
  expect(await tableRows(panel, false)).toEqual(expectedRows(cli.doc));

  // Swapped, the Widgets are new.
  await panel.getByRole('button', { name: 'swap A and B' }).click();
  await panel.getByTestId('compare-run').click();
  await expect(verdict.locator('strong')).toHaveText('0 fixed, 1 new, 3 persist');
  await expect(panel.getByTestId('compare-row').first()).toHaveAttribute('data-status', 'new');
});

test('Playwright output folders: per-test rows, tests in one run only listed; dropped files are reports, not snapshot imports', async ({ page, serve, tmp }) => {
  const t = (title: string, extra: { repeatEachIndex?: number; retry?: number } = {}) => ({ titlePath: ['app.spec.ts', title], ...extra });
  const a = path.join(tmp, 'before', 'test-results');
  const b = path.join(tmp, 'after', 'test-results');
  write(path.join(a, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(leaky, t('dialog')));
  write(path.join(a, 'app-menu-chromium', 'heapscope-leaks.json'), asFixtureReport(leaky, t('menu')));
  write(path.join(a, '.last-run.json'), { status: 'failed', failedTests: [] });
  write(path.join(b, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(leaky, t('dialog', { retry: 0 })));
  write(path.join(b, 'app-dialog-chromium-retry1', 'heapscope-leaks.json'), asFixtureReport(fixed, t('dialog', { retry: 1 })));
  write(path.join(b, 'app-tabs-chromium', 'heapscope-leaks.json'), asFixtureReport(fixed, t('tabs')));
  write(path.join(b, 'app-tabs-chromium', 'trace.txt'), 'not json');
  const cli = await cliCompare(a, b);
  expect(cli.doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });

  const server = await serve('serve', []);
  await openDashboard(page, server);
  const panel = await openLeaks(page);
  await panel.getByTestId('compare-a-folder').setInputFiles(a);
  await expect(panel.getByTestId('compare-a-status')).toContainText('test-results/: 2 reports (1 other file skipped)');
  await panel.getByTestId('compare-b-folder').setInputFiles(b);
  await expect(panel.getByTestId('compare-b-status')).toContainText('test-results/: 3 reports (1 other file skipped)');
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-verdict').locator('strong')).toHaveText(cli.verdict);
  expect(await tableRows(panel, true)).toEqual(expectedRows(cli.doc));
  expect(new Set(cli.doc.clusters.map((c) => c.test))).toEqual(new Set(['chromium › app.spec.ts › dialog']));
  await expect(panel.getByTestId('compare-only-a')).toHaveText(norm(`Tests only in A, not compared (they did not run in B): chromium › app.spec.ts › menu: 4 clusters, ${formatBytes(leaky.totalRetainedSize)}`));
  await expect(panel.getByTestId('compare-only-b')).toContainText('chromium › app.spec.ts › tabs: 3 clusters');

  // Dropped on B: taken as a report by the panel, not imported as a snapshot by the window.
  const text = JSON.stringify(asFixtureReport(leaky, t('dialog')));
  await panel.getByTestId('compare-b').evaluate((zone, json) => {
    const data = new DataTransfer();
    data.items.add(new File([json], 'heapscope-leaks.json', { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, text);
  await expect(panel.getByTestId('compare-b-status')).toContainText('heapscope-leaks.json: 1 report');
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  await expect(page.getByTestId('banner')).toHaveCount(0);
  await expect(panel.getByText('The picks changed since this result: compare again.')).toBeVisible();
  await panel.getByTestId('compare-run').click();
  // One report against a folder: compared per test, the dialog test's clusters all persist.
  await expect(panel.getByTestId('compare-verdict').locator('strong')).toHaveText('0 fixed, 0 new, 4 persist');
});

test('bad files, a request over the host limit, and a hostile class name', async ({ page, serve, tmp }) => {
  const server = await serve('serve', []);
  await openDashboard(page, server);
  const panel = await openLeaks(page);
  const good = write(path.join(tmp, 'good.json'), fixed);
  await panel.getByTestId('compare-b-files').setInputFiles(good);

  // Bad JSON: the file and the byte offset, read in the page as the CLI reads it.
  const text = JSON.stringify({ ...leaky, leaks: [{ ...leaky.leaks[0]!, name: 'Ünïcødé' }] });
  const cut = text.indexOf('"count"');
  const broken = write(path.join(tmp, 'broken.json'), `${text.slice(0, cut)}${text.slice(cut + 1)}`);
  const cliBroken = await runCli(['compare', broken, good]);
  expect(cliBroken.code).toBe(5);
  const offset = Buffer.byteLength(text.slice(0, cut));
  expect(cliBroken.stderr).toContain(`not valid JSON at byte ${offset}`);
  await panel.getByTestId('compare-a-files').setInputFiles(broken);
  await expect(panel.getByTestId('compare-a-error')).toHaveText(`broken.json: not valid JSON at byte ${offset}: expected a property name in double quotes, found "c"`);
  await expect(panel.getByTestId('compare-run')).toBeDisabled();

  // A bad shape: refused by the host, naming the file and the JSON path, as the CLI does.
  const shape = structuredClone(leaky) as unknown as { leaks: Record<string, unknown>[] };
  shape.leaks[2]!.retainedSize = 'big';
  const badShape = write(path.join(tmp, 'shape.json'), shape);
  await panel.getByTestId('compare-a-files').setInputFiles(badShape);
  await expect(panel.getByTestId('compare-a-error')).toHaveCount(0);
  await panel.getByTestId('compare-run').click();
  const cliShape = await runCli(['compare', badShape, good]);
  expect(cliShape.code).toBe(5);
  await expect(panel.getByTestId('compare-error')).toHaveText(cliShape.stderr.trim().replace(`heapscope: ${badShape}`, 'shape.json'));
  await expect(panel.getByTestId('compare-error')).toContainText('$.leaks[2].retainedSize: expected number, received string');

  // Over the limit: said before sending, with the limit in bytes (the connection stays up).
  const many = structuredClone(leaky);
  const pad = 'x'.repeat(200);
  many.leaks = Array.from({ length: Math.ceil(MAX_COMPARE_REQUEST_BYTES / 250) }, (_, i) => ({ ...leaky.leaks[0]!, path: `${pad} → ${i}` }));
  await panel.getByTestId('compare-a-files').setInputFiles(write(path.join(tmp, 'many.json'), many));
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-error')).toContainText(`the dashboard host takes at most ${norm(formatBytes(MAX_COMPARE_REQUEST_BYTES))} (${MAX_COMPARE_REQUEST_BYTES} bytes) per request`);
  await expect(page.getByTestId('connection-state')).toHaveText('open');

  // Heap strings are text: a class name that is markup stays markup-free.
  const evil = structuredClone(leaky);
  const markup = '<img src=x onerror="window.__pwned=1">';
  evil.leaks.find((l) => l.name === 'Widget')!.name = markup;
  evil.leaks.find((l) => l.name === 'Function')!.path = `${markup} → (closure)`;
  await panel.getByTestId('compare-a-files').setInputFiles(write(path.join(tmp, 'evil.json'), evil));
  await panel.getByTestId('compare-run').click();
  await expect(panel.getByTestId('compare-verdict').locator('strong')).toHaveText('2 fixed, 1 new, 2 persist');
  await expect(panel.getByTestId('compare-name').filter({ hasText: markup })).toHaveCount(1);
  await expect(panel.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
