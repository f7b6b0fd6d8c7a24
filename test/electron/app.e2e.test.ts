/**
 * The desktop app end to end, through Playwright's `_electron`: the built app (dist/electron) in
 * the real Electron binary, on a private display, with a temp store and a committed snapshot given
 * on its command line. Runs where the binary is installed; here (FACTS.md §1: no download) every
 * test is skipped with the reason printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { electronAppEntry, electronBinary } from '../../src/host/electron/binary.js';
import { APP_ORIGIN } from '../../src/host/electron/protocol.js';
import { contentSecurityPolicy } from '../../src/host/web/security.js';
import { BRIDGE_KEYS, type HeapscopeBridge } from '../../src/shared/bridge.js';
import { VIEWS } from '../../src/shared/views.js';
import { displayMissing, startDisplay, type Display } from './display.js';
import { fixtureSnapshot } from './harness.js';

const binary = electronBinary();
const entry = electronAppEntry();
const skipReason = 'missing' in binary ? binary.missing : 'missing' in entry ? entry.missing : displayMissing();
if (skipReason) process.stdout.write(`\ntest/electron/app.e2e.test.ts: skipped: ${skipReason}\n`);

let display: Display | undefined;
let app: ElectronApplication | undefined;
let page: Page;
let store: string | undefined;

/** Each test skips with the reason when the app cannot run here, so the reporter shows why. */
function need(ctx: TestContext): void {
  if (skipReason) ctx.skip(skipReason);
}

/** The page's globals as code evaluated in it sees them (this file compiles without the DOM lib). */
interface PageWorld {
  heapscope?: HeapscopeBridge;
  require?: unknown;
  process?: unknown;
  module?: unknown;
  __inline?: number;
  open(url: string): unknown;
  location: { href: string };
  document: { createElement(tag: 'script'): { textContent: string }; body: { append(node: unknown): void } };
  fetch(url: string): Promise<{ headers: { get(name: string): string | null } }>;
}

beforeAll(async () => {
  if (skipReason || 'missing' in binary || 'missing' in entry) return;
  display = await startDisplay();
  store = await mkdtemp(path.join(os.tmpdir(), 'heapscope-electron-e2e-'));
  app = await _electron.launch({
    executablePath: binary.path,
    // Chromium's OS sandbox refuses to start as root (CI runs as root); the renderer's own sandbox (no Node, context isolation) still applies.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), entry.path, `--store-dir=${store}`, fixtureSnapshot('target')],
    env: { ...process.env, DISPLAY: display.display, ELECTRON_ENABLE_LOGGING: '1' } as Record<string, string>,
    timeout: 60_000,
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
}, 120_000);

afterAll(async () => {
  await app?.close();
  await display?.stop();
  if (store) await rm(store, { recursive: true, force: true });
});

describe('the desktop app', () => {
  it('opens one window on heapscope://app/ with the dashboard', async (ctx) => {
    need(ctx);
    expect(page.url()).toBe(`${APP_ORIGIN}/index.html`);
    expect(await page.title()).toBe('heapscope');
    expect(app!.windows()).toHaveLength(1);
    await expect.poll(() => page.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('snapshot-item').textContent()).toContain('listener-leak-target.heapsnapshot.gz');
    await page.screenshot({ path: 'test-results/electron/app.png' });
  });

  it('gives the page the bridge and nothing of Node', async (ctx) => {
    need(ctx);
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as PageWorld;
      return { keys: Object.keys(w.heapscope ?? {}).sort(), require: typeof w.require, process: typeof w.process, module: typeof w.module };
    });
    expect(seen).toEqual({ keys: [...BRIDGE_KEYS].sort(), require: 'undefined', process: 'undefined', module: 'undefined' });
  });

  it('answers calls over IPC and refuses a host-only channel', async (ctx) => {
    need(ctx);
    const state = await page.evaluate(() => (globalThis as unknown as PageWorld).heapscope!.call('session.state', {}));
    expect(state.ok && state.response.snapshots.map((s) => s.name)).toEqual(['listener-leak-target.heapsnapshot.gz']);
    const load = await page.evaluate(() => (globalThis as unknown as PageWorld).heapscope!.call('snapshot.load' as never, { path: '/etc/passwd' } as never));
    expect(load).toMatchObject({ ok: false, error: { name: 'RequestError', field: 'channel' } });
  });

  it('serves the page with the web host CSP, and inline script does not run', async (ctx) => {
    need(ctx);
    const csp = await page.evaluate(async () => (await (globalThis as unknown as PageWorld).fetch('/index.html')).headers.get('content-security-policy'));
    expect(csp).toBe(contentSecurityPolicy());
    const ran = await page.evaluate(() => {
      const w = globalThis as unknown as PageWorld;
      const s = w.document.createElement('script');
      s.textContent = 'window.__inline = 1';
      w.document.body.append(s);
      return w.__inline;
    });
    expect(ran).toBeUndefined();
  });

  it('opens no window and navigates nowhere else', async (ctx) => {
    need(ctx);
    expect(await page.evaluate(() => (globalThis as unknown as PageWorld).open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => { (globalThis as unknown as PageWorld).location.href = 'https://example.com/'; });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(`${APP_ORIGIN}/index.html`);
    expect(app!.windows()).toHaveLength(1);
  });

  it('has the native menu, and View › Leaks switches the panel', async (ctx) => {
    need(ctx);
    const labels = await app!.evaluate(({ Menu }) => Menu.getApplicationMenu()!.items.map((i) => i.submenu?.items.map((s) => s.label) ?? []));
    expect(labels.flat()).toEqual(expect.arrayContaining(['Import snapshot…', 'Export snapshot…', 'Take snapshot', ...VIEWS.map((v) => v.label)]));
    await app!.evaluate(({ Menu }) => Menu.getApplicationMenu()!.getMenuItemById('view-leaks')!.click());
    await expect.poll(() => page.getByTestId('view-leaks').count()).toBe(1);
  });

  it('opens a snapshot from the sidebar and shows its Summary', async (ctx) => {
    need(ctx);
    await app!.evaluate(({ Menu }) => Menu.getApplicationMenu()!.getMenuItemById('view-summary')!.click());
    await page.getByTestId('snapshot-item').click();
    await expect.poll(() => page.getByTestId('class-row').count(), { timeout: 30_000 }).toBeGreaterThan(5);
  });
});
