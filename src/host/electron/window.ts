/**
 * The dashboard window's security settings, as data and pure functions a test can read (this file
 * imports only Electron's types). The page shows heap strings, which are hostile (FACTS.md §5):
 * should one ever run as code, it finds no Node, no ipcRenderer, no way off our origin, no new
 * windows and no permissions; only the bridge's few functions, which the main process checks.
 */
import type { BrowserWindowConstructorOptions, Event, HandlerDetails, Session, WebContents, WindowOpenHandlerResponse } from 'electron';
import { isAppUrl } from './protocol.js';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (dist/electron/preload/index.cjs). */
  preload: string;
  /** DevTools allowed (`--dev`). */
  dev: boolean;
}

export function windowOptions({ preload, dev }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    title: 'heapscope',
    // Shown on ready-to-show: no white flash before the first paint.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: dev,
    },
  };
}

/** Navigation stays on our origin: a link or script that points elsewhere is stopped. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** window.open and target=_blank links: never a second window. */
export function windowOpenHandler(_details?: HandlerDetails): WindowOpenHandlerResponse {
  return { action: 'deny' };
}

/** Permission requests and checks (camera, notifications, clipboard read, …): all denied. */
export function permissionAllowed(_permission?: string): boolean {
  return false;
}

type GuardedContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/** Applies the navigation, redirect, webview and window.open rules to one web contents. */
export function guardContents(contents: GuardedContents): void {
  contents.setWindowOpenHandler(windowOpenHandler);
  const stopForeign = (event: Event, url: string) => {
    if (!navigationAllowed(url)) event.preventDefault();
  };
  contents.on('will-navigate', stopForeign);
  contents.on('will-frame-navigate', (event) => {
    if (!navigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', stopForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Applies the permission rules to a session. */
export function guardSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionAllowed(permission)));
  session.setPermissionCheckHandler((_contents, permission) => permissionAllowed(permission));
}
