/**
 * The desktop app's renderer (dist/electron/renderer) in real Chromium, in desktop mode: the built
 * preload bundle (dist/electron/preload/index.cjs) runs before the page and puts the bridge on
 * `window.heapscope`, and its IPC reaches the real handlers (registerIpc), HostSession and engine
 * in this process. What Electron would provide is stood in for at its boundary only: the preload's
 * `require('electron')` gets a contextBridge and an ipcRenderer whose invoke is a Playwright
 * binding, and the page is served over HTTP by the app protocol's own handler (appResponse) since
 * Chromium alone has no heapscope:// scheme; the sender the handlers check is the calling frame's
 * real URL moved onto the app origin. The full app in Electron is app.e2e.test.ts.
 *
 * Checks what the unit tests cannot: api.ts picks the bridge over the WebSocket (the app CSP would
 * block a socket), the sidebar fills over IPC, the native-dialog Import and Export, and the menu's
 * commands.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIpc, type InvokeEventLike, type IpcMainLike } from '../../src/host/electron/ipc.js';
import { APP_ORIGIN, appResponse } from '../../src/host/electron/protocol.js';
import { IPC, type BridgeEventMessage, type MenuCommand } from '../../src/shared/bridge.js';
import { CHROMIUM, chromiumMissing } from '../helpers/chromium.js';
import { fixtureSnapshot, startAppSide, WINDOW_ID, type AppSide } from './harness.js';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RENDERER = path.resolve('dist/electron/renderer');
const PRELOAD = path.resolve('dist/electron/preload/index.cjs');

const missing = chromiumMissing();
if (missing) process.stdout.write(`\ntest/electron/renderer-desktop.test.ts: skipped: ${missing}\n`);

let side: AppSide;
let server: Server;
let origin: string;
let browser: Browser;
let page: Page;
const sockets: string[] = [];
const consoleErrors: string[] = [];

/** ipcMain: the handlers registerIpc installs, called from the page's binding. */
const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
const ipcMain: IpcMainLike = {
  handle: (channel, listener) => void handlers.set(channel, listener),
  removeHandler: (channel) => void handlers.delete(channel),
};

/** webContents.send(IPC.event, message) */
async function send(message: BridgeEventMessage | unknown): Promise<void> {
  await page.evaluate(([channel, m]) => (globalThis as unknown as { __ipcEmit(c: string, m: unknown): void }).__ipcEmit(channel, m), [IPC.event, message] as const);
}

const menu = (command: MenuCommand) => send({ type: 'event', event: 'menu.command', data: command } satisfies BridgeEventMessage);

beforeAll(async () => {
  if (missing) return;
  side = await startAppSide();
  registerIpc(ipcMain, side.handlers);
  server = createServer((req, res) => {
    void appResponse(RENDERER, `${APP_ORIGIN}${req.url ?? '/'}`, req.method).then((r) => {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.exposeBinding('__ipcInvoke', async (source, channel: string, args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const frameUrl = source.frame.url();
    const event: InvokeEventLike = {
      sender: { id: WINDOW_ID },
      senderFrame: { url: frameUrl.startsWith(`${origin}/`) ? APP_ORIGIN + frameUrl.slice(origin.length) : frameUrl, parent: source.frame.parentFrame() },
    };
    return handler(event, ...args);
  });
  // The built preload, as Electron runs it in the sandbox: a CommonJS body with require('electron').
  const preload = await readFile(PRELOAD, 'utf8');
  await page.addInitScript({
    content: `(() => {
      const listeners = [];
      const ipcRenderer = {
        invoke: (channel, ...args) => globalThis.__ipcInvoke(channel, args),
        on: (channel, listener) => { listeners.push([channel, listener]); return ipcRenderer; },
      };
      Object.defineProperty(globalThis, '__ipcEmit', { value: (channel, message) => {
        for (const [c, l] of listeners) if (c === channel) l({ sender: ipcRenderer }, message);
      } });
      const contextBridge = { exposeInMainWorld: (key, api) => Object.defineProperty(globalThis, key, { value: api }) };
      const require = (name) => { if (name !== 'electron') throw new Error('sandboxed preload cannot require ' + name); return { contextBridge, ipcRenderer }; };
      const module = { exports: {} };
      ((require, module, exports) => {\n${preload}\n})(require, module, module.exports);
    })();`,
  });
  // main.ts forwards every session event to the window.
  side.session.onEvent((m) => void send(m).catch(() => {}));
  await page.goto(`${origin}/index.html`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await side?.close();
});

describe.skipIf(missing)('the desktop renderer in Chromium', () => {
  it('talks over the bridge, not a WebSocket, and fills the sidebar', async () => {
    await expect.poll(() => page.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.getByTestId('app').getAttribute('data-connection')).toBe('open');
    expect(sockets).toEqual([]);
    expect(await page.getByTestId('banner').count()).toBe(0);
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { heapscope: object }).heapscope).sort())).toEqual(['call', 'exportSnapshot', 'importSnapshots', 'on']);
  });

  it('opens a snapshot and shows its Summary', async () => {
    await page.getByTestId('snapshot-item').filter({ hasText: 'listener-leak-target' }).click();
    await expect.poll(() => page.getByTestId('class-row').count(), { timeout: 30_000 }).toBeGreaterThan(5);
  });

  it('follows the menu: View › Leaks, then Summary', async () => {
    await menu({ command: 'view', view: 'leaks' });
    await expect.poll(() => page.getByTestId('view-leaks').count()).toBe(1);
    await menu({ command: 'view', view: 'summary' });
    await expect.poll(() => page.getByTestId('view-summary').count()).toBe(1);
  });

  it('Take snapshot with no target attached says what to do', async () => {
    await menu({ command: 'capture' });
    await expect.poll(() => page.getByTestId('banner').filter({ hasText: 'No target attached' }).count()).toBe(1);
  });

  it('imports through the native open dialog from the sidebar button and from File › Import', async () => {
    side.dialogs.openAnswers.push([fixtureSnapshot('baseline')]);
    await page.getByTestId('import-button').click();
    await expect.poll(() => page.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(4);
    const bad = path.join(side.dir, 'truncated.heapsnapshot');
    await writeFile(bad, '{"snapshot":{"meta":{');
    side.dialogs.openAnswers.push([bad]);
    await menu({ command: 'import' });
    await expect.poll(() => page.getByTestId('banner').filter({ hasText: 'Import of truncated.heapsnapshot failed' }).count(), { timeout: 30_000 }).toBe(1);
    expect(side.dialogs.opened).toBe(2);
  });

  it('exports through the native save dialog, from the snapshot menu and from File › Export', async () => {
    const dest = path.join(side.dir, 'saved.heapsnapshot.gz');
    side.dialogs.saveAnswers.push(dest);
    const item = page.getByTestId('snapshot-item').filter({ hasText: 'listener-leak-target' }).first();
    await item.hover();
    await item.getByTestId('snapshot-menu').click();
    await page.getByTestId('snapshot-export').click();
    await expect.poll(() => page.getByTestId('banner').filter({ hasText: 'Exported listener-leak-target.heapsnapshot.gz' }).count(), { timeout: 20_000 }).toBe(1);
    expect((await readFile(dest)).equals(await readFile(fixtureSnapshot('target')))).toBe(true);
    // File › Export saves the snapshot shown (the import above opened its file); cancelled, nothing is written or said.
    const shown = await page.locator('[data-testid="snapshot-item"][aria-selected="true"]').getAttribute('data-snapshot-id');
    const before = side.dialogs.saved.length;
    await menu({ command: 'export' });
    await expect.poll(() => side.dialogs.saved.length).toBe(before + 1);
    expect(side.dialogs.saved.at(-1)).toBe(side.store.get(shown!)!.meta.name);
    expect(side.dialogs.saved.at(-1)).toBe('listener-leak-baseline.heapsnapshot.gz');
    expect(await page.getByTestId('banner').filter({ hasText: 'Exported' }).count()).toBe(1);
  });

  it('refuses a dropped file with a pointer to the dialog, and logs no errors', async () => {
    await page.evaluate(() => {
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void }; types: string[]; files: unknown }; File: new (parts: string[], name: string) => unknown; dispatchEvent(e: unknown): void; DragEvent: new (type: string, init: object) => unknown };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File(['{}'], 'dropped.heapsnapshot'));
      g.dispatchEvent(new g.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByTestId('banner').filter({ hasText: 'File › Import snapshot' }).count()).toBe(1);
    expect(consoleErrors).toEqual([]);
  });
});
