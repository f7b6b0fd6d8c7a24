/**
 * The desktop app's main process: one window on `heapscope://app/`, the HostSession the web host
 * uses (engine in a worker thread, so no snapshot is ever parsed on this thread), the snapshot
 * store in the app's data directory, IPC handlers that check every sender and request (ipc.ts),
 * and the native menu. Built by electron-vite (electron.config.ts) to dist/electron/main/index.js.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, protocol, session as electronSession,
  type OpenDialogOptions, type SaveDialogOptions, type WebContents,
} from 'electron';
import { IPC, type BridgeEventMessage, type MenuCommand } from '../../shared/bridge.js';
import type { UiEventMessage } from '../../shared/contract.js';
import { SnapshotStore } from '../../store/store.js';
import { HostSession } from '../session/session.js';
import { parseAppArgs, userArgs } from './args.js';
import { createIpcHandlers, registerIpc, type Dialogs } from './ipc.js';
import { menuTemplate } from './menu.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, appResponse } from './protocol.js';
import { guardContents, guardSession, windowOptions } from './window.js';

// Both bundles sit beside this one: dist/electron/{main,preload,renderer}. The engine worker is
// main's second entry (engine.js), so the app runs exactly what it was built with.
const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/index.cjs');
const RENDERER = path.join(here, '../renderer');
const ENGINE = new URL('./engine.js', import.meta.url);

const args = parseAppArgs(userArgs(process.argv, fileURLToPath(import.meta.url), app.isPackaged));

// Before `ready`: the scheme must be known to Chromium as standard and secure from the start.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

let window: BrowserWindow | undefined;
let hostSession: HostSession | undefined;
let closing = false;

function note(text: string): void {
  process.stderr.write(`heapscope: ${text}\n`);
}

function send(contents: WebContents | undefined, message: BridgeEventMessage | UiEventMessage): void {
  if (contents && !contents.isDestroyed()) contents.send(IPC.event, message);
}

function sendCommand(command: MenuCommand): void {
  send(window?.webContents, { type: 'event', event: 'menu.command', data: command });
}

const dialogs: Dialogs = {
  async chooseSnapshots() {
    const options: OpenDialogOptions = {
      title: 'Import heap snapshots',
      properties: ['openFile', 'multiSelections'],
      filters: [{ name: 'Heap snapshots', extensions: ['heapsnapshot', 'gz'] }],
    };
    const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  },
  async chooseExportPath(defaultName) {
    const options: SaveDialogOptions = {
      title: 'Export heap snapshot',
      defaultPath: path.join(app.getPath('downloads'), defaultName),
      filters: [{ name: 'Heap snapshots', extensions: defaultName.endsWith('.gz') ? ['gz'] : ['heapsnapshot'] }],
    };
    const r = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? undefined : r.filePath;
  },
};

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions({ preload: PRELOAD, dev: args.dev }));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (window === win) window = undefined;
  });
  void win.loadURL(APP_URL);
  return win;
}

async function start(): Promise<void> {
  const defaultSession = electronSession.defaultSession;
  guardSession(defaultSession);
  defaultSession.protocol.handle(APP_SCHEME, async (request) => {
    const r = await appResponse(RENDERER, request.url, request.method);
    const body = request.method === 'HEAD' ? null : typeof r.body === 'string' ? r.body : new Uint8Array(r.body);
    return new Response(body, { status: r.status, headers: r.headers });
  });

  const store = await SnapshotStore.open(args.storeDir ?? path.join(app.getPath('userData'), 'snapshots'));
  note(`snapshots are stored in ${store.dir}`);
  const session = await HostSession.start({ store, engine: { workerFile: ENGINE } });
  hostSession = session;
  for (const file of args.files) {
    try {
      await session.addFile(path.resolve(file));
    } catch (err) {
      note(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  registerIpc(ipcMain, createIpcHandlers({ session, windowId: () => window?.webContents.id, dialogs }));
  session.onEvent((message) => send(window?.webContents, message));
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ dev: args.dev, platform: process.platform, send: sendCommand })));
  window = createWindow();
}

// Launched as `electron ENTRY` (heapscope open) there is no package.json beside the entry, and
// Electron would call the app "Electron": its userData, and so the default store, would be
// ~/.config/Electron. The name is set before anything asks for a path.
app.setName('heapscope');

// Every web contents, whatever creates it, gets the navigation and window.open rules.
app.on('web-contents-created', (_event, contents) => guardContents(contents));

// A second launch on the same store focuses the running app rather than opening a second engine
// on it. A launch with its own --store-dir (tests, a scratch session) runs beside the others.
if (!args.storeDir && !app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // The engine and the targets' sessions close before the process ends; stored snapshots stay.
  app.on('will-quit', (event) => {
    if (!hostSession || closing) return;
    event.preventDefault();
    closing = true;
    hostSession.close().catch(() => {}).finally(() => {
      hostSession = undefined;
      app.quit();
    });
  });
  app.whenReady().then(start).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    note(`cannot start: ${message}`);
    dialog.showErrorBox('heapscope cannot start', message);
    app.exit(1);
  });
}
