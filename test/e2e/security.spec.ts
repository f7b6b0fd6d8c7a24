/**
 * Heap strings are hostile (issue 4, Security). The hostile-strings fixture fills its heap with
 * class names, property names and strings that run code if ever rendered as markup (`<img src=x
 * onerror=alert(1)>`, `<script>`, `javascript:` URLs, …; each calls alert(1) or sets
 * document.title to "pwned"). The dashboard shows them in every view, expanded rows, the graph's
 * hover card and the weak and leaks views: no dialog may open, no CSP violation may fire, no
 * injected element may appear, and the strings must read as literal text, long ones cut.
 * Then the server's own guards: the CSP header, and a page of another origin that cannot use the API.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { clickInList, expect, openDashboard, repoRoot, shot, storedSnapshots, test, WsApi } from './harness.js';

/** Property names of the fixture's `markupKeys` (edge names on retainer paths) and class names it creates. */
const MARKUP_EDGE = '<script>alert(1)</script>';
const MARKUP_CLASS = '<img/src=x/onerror=alert(1)>';
const WEAK_EDGE = '<iframe src=javascript:alert(1)>';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** Before any page script: collect CSP violations where the test can read them. */
async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const list: { directive: string; blocked: string; sample: string }[] = [];
    (window as unknown as { __csp: typeof list }).__csp = list;
    document.addEventListener('securitypolicyviolation', (e) => {
      list.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
}

function cspViolations(page: Page): Promise<Violation[]> {
  return page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);
}

/** Elements or attributes a rendered payload would have produced. */
function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const suspicious = 'img[src="x"], iframe, object, embed, svg[onload], a[href^="javascript:" i], base, meta[http-equiv], b, [srcdoc]';
    for (const el of document.querySelectorAll(suspicious)) found.push(el.outerHTML.slice(0, 120));
    for (const s of document.querySelectorAll('script')) {
      // The app's own bundle is the only script: an external file from our origin.
      if (!s.src || new URL(s.src).origin !== location.origin) found.push(s.outerHTML.slice(0, 120));
    }
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) found.push(`${el.tagName}[${attr}]`);
    }
    if (document.title === 'pwned') found.push('document.title = pwned');
    return found;
  });
}

/** What the test checks after each view: nothing ran, nothing was blocked, nothing was injected. */
async function expectClean(page: Page, where: string, dialogs: string[]): Promise<void> {
  expect(dialogs, `dialogs after ${where}`).toEqual([]);
  expect(await cspViolations(page), `CSP violations after ${where}`).toEqual([]);
  expect(await injected(page), `injected markup after ${where}`).toEqual([]);
}

/**
 * Clicks every closed disclosure triangle among `rows`, one at a time (each click adds rows), then
 * waits until nothing in `list` is loading: rows still arriving above would move the next click.
 */
async function expandAll(list: Locator, rows: Locator, limit: number): Promise<void> {
  for (let i = 0; i < limit; i++) {
    const closed = rows.locator('.triangle:not(.expanded)');
    if ((await closed.count()) === 0) break;
    await clickInList(list, closed.first());
  }
  await expect(list.getByText('Loading…')).toHaveCount(0);
}

test('hostile heap strings render as text in every view: no dialog, no CSP violation, nothing injected', async ({ page, serve, target }) => {
  const t = await target('hostile-strings.mjs');
  const server = await serve('serve', ['--attach', String(t.port)]);
  const api = await WsApi.connect(server);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await watchCsp(page);
  await openDashboard(page, server);

  // Three snapshots (Comparison and Leaks need more than one; the target stays in its one phase).
  for (let n = 1; n <= 3; n++) {
    await page.getByTestId('take-snapshot').click();
    await expect(page.getByTestId('snapshot-item')).toHaveCount(n, { timeout: 60_000 });
    await expect(page.getByTestId('snapshot-item').nth(n - 1)).toHaveAttribute('data-loaded', 'true');
  }
  const last = (await storedSnapshots(api)).at(-1)!;
  await expect(page.locator(`[data-testid="snapshot-item"][data-snapshot-id="${last.snapshotId}"]`)).toHaveAttribute('aria-selected', 'true');

  // ---- Summary: markup class names as text; every hostile class, instance and retainer opened ----
  const table = page.getByTestId('summary-table');
  await page.getByTestId('summary-filter').fill('<');
  await expect(table.getByTestId('class-row').locator('.label', { hasText: MARKUP_CLASS })).toHaveCount(1);
  await expect(page.getByText(MARKUP_CLASS, { exact: true })).toBeVisible();
  await expect(page.getByText('<script>alert(1)</script>', { exact: true }).first()).toBeVisible();
  await expandAll(table, table.getByTestId('class-row'), 20);
  await expandAll(table, table.getByTestId('instance-row'), 40);
  // The fixture keys one of these objects by a markup property name: the retainer row shows it as text.
  await expect(table.getByTestId('retainer-row').filter({ hasText: MARKUP_EDGE }).first()).toBeVisible();
  await expectClean(page, 'Summary', dialogs);
  await shot(page, 'security-summary');

  // ---- Retainers of an object the markup property keeps ----
  const keptByMarkup = table.getByTestId('retainer-row').filter({ hasText: MARKUP_EDGE }).first();
  await expect(keptByMarkup).toBeVisible();
  // The instance row above that retainer is the object: select it.
  const instanceId = await keptByMarkup.evaluate((row) => {
    let slot = row.parentElement;
    while (slot && !slot.querySelector('[data-testid="instance-row"]')) slot = slot.previousElementSibling as HTMLElement | null;
    return slot?.querySelector('[data-testid="instance-row"] .object-id')?.textContent?.replace(/\D/g, '') ?? '';
  });
  expect(instanceId).not.toBe('');
  await clickInList(table, table.getByTestId('instance-row').filter({ hasText: `@${instanceId}` }));
  await expect(page.getByTestId('summary-retainers').getByTestId('retainer-row').first()).toBeVisible();
  await expect(page.locator('.pane-title')).toContainText(`@${instanceId}`);

  // Long strings are cut. The 1 MB string: V8 writes its first 1024 characters, the row shows at most 200.
  const strings = await api.call('summary.range', { snapshotId: last.snapshotId, start: 0, end: 50, filter: 'string' });
  let huge: { className: string; id: number } | undefined;
  for (const c of strings.rows) {
    const first = (await api.call('class.instances', { snapshotId: last.snapshotId, classKey: c.key, start: 0, end: 1 })).rows[0];
    if (first && first.selfSize >= 1024 * 1024) huge = { className: c.name, id: first.id };
  }
  expect(huge, 'the fixture\'s 1 MB string is in the snapshot').toBeDefined();
  await page.getByTestId('summary-filter').fill(huge!.className);
  const hugeClass = table.getByTestId('class-row').filter({ has: page.locator('.label', { hasText: new RegExp(`^${huge!.className.replace(/[()]/g, '\\$&')}$`) }) });
  await expect(hugeClass).toHaveCount(1);
  await hugeClass.locator('.triangle').click();
  const hugeRow = table.getByTestId('instance-row').filter({ hasText: `@${huge!.id}` });
  const label = hugeRow.locator('.label').first();
  await expect(label).toHaveText(/^<b>A+…$/);
  expect((await label.textContent())!.length).toBeLessThanOrEqual(200);
  expect((await label.getAttribute('title'))!.length).toBeLessThanOrEqual(1000);

  // `<img src=x onerror=…>` as text: the class is shown as `<img>` (DevTools groups `<tag …>` names),
  // its objects under their whole constructor name.
  await page.getByTestId('summary-filter').fill('<img>');
  await expect(table.getByTestId('class-row').locator('.label')).toHaveText(['<img>']);
  await expandAll(table, table.getByTestId('class-row'), 1);
  await expect(table.getByTestId('instance-row').getByText('<img src=x onerror=alert(1)>', { exact: true }).first()).toBeVisible();

  // Control characters show as escapes, not as raw terminal bytes or line breaks.
  await page.getByTestId('summary-filter').fill('Escape');
  await expect(table.getByTestId('class-row').locator('.label')).toHaveText(['Escape\\x1b[2J\\x1b[HClass']);

  await expectClean(page, 'Summary strings', dialogs);
  await expect(page.locator('.pane-title')).toContainText(`@${instanceId}`);
  await page.getByTestId('tab-retainers').click();
  await expect(page.getByTestId('path-step').last()).toContainText(`@${instanceId}`);
  await expect(page.getByTestId('retainers-table').getByTestId('retainer-row').filter({ hasText: MARKUP_EDGE }).first()).toBeVisible();
  await expandAll(page.getByTestId('retainers-table'), page.getByTestId('retainers-table').getByTestId('retainer-row'), 10);
  await expectClean(page, 'Retainers', dialogs);
  await shot(page, 'security-retainers');

  // ---- Comparison ----
  await page.getByTestId('tab-comparison').click();
  await expect(page.getByTestId('base-picker')).toBeVisible();
  await expandAll(page.getByTestId('comparison-table'), page.getByTestId('comparison-table').getByTestId('class-row'), 5);
  await expectClean(page, 'Comparison', dialogs);

  // ---- Retention graph: labels and every node's hover card ----
  await page.getByTestId('tab-graph').click();
  const graph = page.getByTestId('retention-graph');
  await expect(graph).toHaveAttribute('data-layout-state', 'settled', { timeout: 30_000 });
  // The selected object's label is always drawn: a markup class name, as text.
  await expect(graph.locator('g.node[data-focus="true"] text')).toHaveText(/^</);
  const cards: string[] = [];
  const nodes = graph.locator('g.node circle');
  for (let i = 0; i < Math.min(await nodes.count(), 40); i++) {
    const box = await nodes.nth(i).boundingBox();
    if (!box) continue;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const card = page.getByTestId('graph-tooltip');
    if (await card.isVisible()) cards.push((await card.textContent()) ?? '');
  }
  expect(cards.some((c) => c.includes(MARKUP_EDGE) || c.includes('<img')), 'a hover card shows markup as text').toBe(true);
  await expectClean(page, 'Retention graph', dialogs);
  await shot(page, 'security-graph');

  // ---- Dominators: hover a few cells ----
  await page.getByTestId('tab-dominators').click();
  const cells = page.getByTestId('dominator-cell');
  await expect(cells.first()).toBeVisible();
  for (let i = 0; i < Math.min(await cells.count(), 5); i++) await cells.nth(i).hover({ position: { x: 2, y: 2 }, force: true });
  await expectClean(page, 'Dominators', dialogs);

  // ---- Weak references: every group and target opened, Node's own too ----
  await page.getByTestId('tab-weak').click();
  await expect(page.getByTestId('weak-counts')).toBeVisible();
  await page.getByLabel('show Node internals').first().check();
  const heads = page.getByTestId('weak-group').locator('button.head[aria-expanded="false"]');
  for (let i = 0; i < 30 && (await heads.count()) > 0; i++) await heads.first().click();
  await expect(page.getByTestId('weak-view').getByText(WEAK_EDGE).first()).toBeVisible();
  await expectClean(page, 'Weak references', dialogs);
  await shot(page, 'security-weak');

  // ---- Leaks: run on the three, open every cluster ----
  await page.getByTestId('tab-leaks').click();
  await page.getByTestId('leaks-run').click();
  await expect(page.getByTestId('leaks-verdict')).toBeVisible({ timeout: 60_000 });
  const toggles = page.getByTestId('leak-cluster').getByRole('button', { name: 'show path and ids' });
  for (let i = 0; i < 20 && (await toggles.count()) > 0; i++) await toggles.first().click();
  await expectClean(page, 'Leaks', dialogs);
  await shot(page, 'security-leaks');

  await page.getByTestId('tab-summary').click();
  await expectClean(page, 'the walk', dialogs);
  expect(await page.title()).not.toBe('pwned');
  api.close();
});

test('the server: a strict CSP on every page, and a page of another origin cannot use the API', async ({ page, serve }) => {
  const file = path.join(repoRoot, 'fixtures', 'snapshots', 'listener-leak-final.heapsnapshot.gz');
  const server = await serve('serve', [file]);
  const api = await WsApi.connect(server);
  const [stored] = await storedSnapshots(api);
  expect(stored).toBeDefined();

  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await watchCsp(page);
  const response = await page.goto(server.url);
  const csp = response!.headers()['content-security-policy'] ?? '';
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  expect(directives['default-src']).toEqual(["'none'"]);
  expect(directives['script-src']).toEqual(["'self'"]);
  expect(directives['style-src']).toEqual(["'self'"]);
  expect(directives['frame-ancestors']).toEqual(["'none'"]);
  expect(directives['base-uri']).toEqual(["'none'"]);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(response!.headers()['x-content-type-options']).toBe('nosniff');
  // The page's own assets and API carry it too.
  const asset = await page.evaluate(async () => {
    const src = document.querySelector('script')!.src;
    return (await fetch(src)).headers.get('content-security-policy');
  });
  expect(asset).toBe(csp);
  await expect(page.getByTestId('connection-state')).toHaveText('open');

  // The second line of defence, and proof that the first test's detectors work: markup forced into
  // the page (as a rendering bug would) runs nothing: the CSP blocks the handler and reports it.
  await page.evaluate(() => {
    const div = document.createElement('div');
    div.innerHTML = '<img src=x onerror="document.title=\'pwned\'"><a href="javascript:alert(1)">x</a>';
    document.body.append(div);
    (div.querySelector('a') as HTMLAnchorElement).click();
  });
  await expect.poll(async () => (await cspViolations(page)).map((v) => v.directive).sort()).toEqual(['script-src-attr', 'script-src-elem'].sort());
  expect(await injected(page)).toContain('<img src="x" onerror="document.title=\'pwned\'">');
  expect(await page.title()).not.toBe('pwned');
  expect(dialogs).toEqual([]);

  const exportPath = `/api/snapshots/${stored!.snapshotId}/file?token=${server.token}`;
  const importPath = `/api/snapshots?token=${server.token}&name=evil.heapsnapshot`;
  const wsUrl = `${server.origin.replace('http', 'ws')}/api/ws?token=${server.token}`;

  // What the server answered, as the network saw it: a cross-origin answer is unreadable to the
  // page (blocked or opaque), so its status comes from the DevTools protocol's raw response info.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  // ExtraInfo events may come before or after the request's own event: join them by id when asked.
  const requests: { id: string; what: string }[] = [];
  const statusById = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => requests.push({ id: e.requestId, what: `${e.request.method} ${new URL(e.request.url).pathname}` }));
  cdp.on('Network.responseReceivedExtraInfo', (e) => statusById.set(e.requestId, e.statusCode));
  /** The statuses of every `METHOD /path` request so far, in the order they were sent. */
  const statuses = (what: string) => requests.filter((r) => r.what === what).map((r) => statusById.get(r.id));

  // The import a cross-site page would attempt: a valid snapshot, so only the Origin check can stop it.
  const body = readFileSync(file).toString('base64');
  const post = (origin: string) => page.evaluate(async ({ url, body }) => {
    const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
    // A "simple" POST (no-cors) needs no preflight: the browser sends it whatever the server says.
    return fetch(url, { method: 'POST', mode: 'no-cors', body: bytes }).then((r) => r.type, (e: Error) => `blocked: ${e.name}`);
  }, { url: `${origin}${importPath}`, body });

  // From the dashboard's own origin the same calls work (the refusals below are about the origin).
  expect(await page.evaluate((url) => fetch(url).then((r) => r.status), exportPath)).toBe(200);
  await post('');
  await expect.poll(async () => (await storedSnapshots(api)).length).toBe(2);
  await expect.poll(() => statuses('POST /api/snapshots')).toEqual([201]);

  // Another site on this machine: another port of 127.0.0.1 is another origin.
  const evil = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>another origin</p>');
  });
  evil.listen(0, '127.0.0.1');
  await once(evil, 'listening');
  try {
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const read = await page.evaluate((url) => fetch(url).then(() => 'read', (e: Error) => `blocked: ${e.name}`), `${server.origin}${exportPath}`);
    expect(read).toMatch(/^blocked/);
    await expect.poll(() => statuses(`GET /api/snapshots/${stored!.snapshotId}/file`)).toEqual([200, 403]);
    // Unreadable either way (opaque, or blocked by Cross-Origin-Resource-Policy). The refusal comes
    // before the body is read: with a 900 kB body the browser may see the connection end rather than
    // the answer; what matters is that nothing is imported.
    expect(await post(server.origin)).toMatch(/^(opaque|blocked)/);
    // A small body gets the answer itself: 403.
    const small = await page.evaluate((url) => fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' }).then((r) => r.type, (e: Error) => `blocked: ${e.name}`), `${server.origin}${importPath}`);
    expect(small).toMatch(/^(opaque|blocked)/);
    await expect.poll(() => statuses('POST /api/snapshots').at(-1)).toBe(403);
    const socket = await page.evaluate((url) => new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => { resolve('open'); ws.close(); };
      ws.onclose = (e) => resolve(`closed ${e.code}`);
    }), wsUrl);
    expect(socket).toBe('closed 1006');
    // Nothing more was imported.
    expect(await storedSnapshots(api)).toHaveLength(2);
  } finally {
    evil.close();
    evil.closeAllConnections();
  }
  api.close();
});
