/**
 * Showing the dashboard: a tab in the user's browser (`openBrowser`: serve, run, demo) or a window
 * of its own (`heapscope open`: the Electron app, or a Chromium-family browser in app mode with a
 * private temporary profile), tied to heapscope's life.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, HeapscopeError, UsageError } from '../shared/errors.js';

/**
 * Browsers tried in order for a tab. xdg-open honours the user's choice; the Chromium family
 * directly when it is missing (minimal desktops).
 */
const BROWSERS = ['xdg-open', 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** True when a graphical session exists: without one, a browser could only fail (CI, ssh, containers). */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform === 'darwin') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/** The first of `names` that is an executable file on PATH. */
export function findExecutable(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch { /* not here */ }
    }
  }
  return undefined;
}

/**
 * Opens `url` in a browser if a display and a browser exist. Never blocks and never throws: the
 * browser is spawned detached with its output ignored, and any failure just means the user opens
 * the printed URL. Returns the program used, or undefined.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!hasDisplay(env)) return undefined;
  const program = process.platform === 'darwin' ? '/usr/bin/open' : findExecutable(BROWSERS, env);
  if (!program) return undefined;
  try {
    const child = spawn(program, [url], { detached: true, stdio: 'ignore', env });
    child.on('error', () => {});
    child.unref();
    return program;
  } catch {
    return undefined;
  }
}

/** Chromium-family browsers on PATH tried for an app window, in order (after $HEAPSCOPE_BROWSER). */
export const APP_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'] as const;

/** Where macOS keeps them: not on PATH. Looked for in /Applications, then ~/Applications. */
const MAC_APP_BROWSERS = [
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Chromium.app/Contents/MacOS/Chromium',
  'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
] as const;

/** The browser the user named (`--browser`, $HEAPSCOPE_BROWSER) does not exist or cannot run (exit 2). */
export class BrowserNotFoundError extends UsageError {
  readonly browser: string;
  readonly source: string;
  constructor(source: string, browser: string, why: string) {
    super(`${source} ${JSON.stringify(browser)}: ${why}`);
    this.browser = browser;
    this.source = source;
  }
}

/** A window could not be started at all (the spawn itself failed; exit 2: the browser choice is the user's). */
export class WindowLaunchError extends HeapscopeError {
  readonly program: string;
  constructor(program: string, cause: unknown) {
    super(`cannot start ${program}: ${(cause as Error)?.message ?? String(cause)}`, ExitCode.usage, { cause });
    this.program = program;
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A browser named by the user: a path (anything with a slash) must be an executable file; a bare
 * name is looked up on PATH. `source` names where it came from in the error.
 */
export function resolveBrowser(given: string, source: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given === '') throw new BrowserNotFoundError(source, given, 'empty');
  if (given.includes('/') || given.includes(path.sep)) {
    const file = path.resolve(given);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      throw new BrowserNotFoundError(source, given, 'no such file');
    }
    if (!stat.isFile()) throw new BrowserNotFoundError(source, given, 'not a file');
    if (!isExecutableFile(file)) throw new BrowserNotFoundError(source, given, 'not executable');
    return file;
  }
  const found = findExecutable([given], env);
  if (!found) throw new BrowserNotFoundError(source, given, 'not found on PATH');
  return found;
}

/**
 * The browser for an app window: $HEAPSCOPE_BROWSER (which must then exist: a setting that points
 * nowhere is reported, not skipped), else the first of APP_BROWSERS on PATH, else on macOS the
 * usual app bundles. Undefined when there is none.
 */
export function findAppBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string | undefined {
  const chosen = env['HEAPSCOPE_BROWSER'];
  if (chosen !== undefined && chosen !== '') return resolveBrowser(chosen, 'HEAPSCOPE_BROWSER', env);
  const onPath = findExecutable(APP_BROWSERS, env);
  if (onPath || platform !== 'darwin') return onPath;
  for (const dir of ['/Applications', path.join(home, 'Applications')]) {
    for (const app of MAC_APP_BROWSERS) {
      const file = path.join(dir, app);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

/** Chromium's OS sandbox refuses to start as root (CI, containers): only then is it turned off. */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

export interface AppModeOptions {
  url: string;
  /** The private profile: a fresh one makes a new browser process even when the user's browser runs (else the window would go to it and our process exit at once). */
  userDataDir: string;
  root: boolean;
  /** Tests only ($HEAPSCOPE_OPEN_DEBUG_PORT): the DevTools port, 0 for any; the port is then in USER_DATA_DIR/DevToolsActivePort. */
  debugPort?: number | undefined;
}

/** The command line of a Chromium-family browser showing `url` as an app window (no tabs, no address bar). */
export function appModeArgs(o: AppModeOptions): string[] {
  return [
    `--app=${o.url}`,
    `--user-data-dir=${o.userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--window-size=1400,900',
    ...(o.root ? ['--no-sandbox'] : []),
    ...(o.debugPort !== undefined ? [`--remote-debugging-port=${o.debugPort}`] : []),
  ];
}

export interface ElectronArgsOptions {
  /** The built app's main script (electronAppEntry()). */
  entry: string;
  files: readonly string[];
  /** `--dir`: the store; without it the app keeps snapshots in its own data directory. */
  storeDir?: string | undefined;
  /** FILEs and --dir are relative to this (the user's working directory). */
  cwd: string;
  root: boolean;
}

/**
 * The Electron command line for `heapscope open` (src/host/electron/args.ts reads it back):
 * `[--no-sandbox] ENTRY [--store-dir=DIR] FILE…`. Paths are made absolute, so no FILE can be taken
 * for a switch, and the app may run from any directory.
 */
export function electronArgs(o: ElectronArgsOptions): string[] {
  return [
    ...(o.root ? ['--no-sandbox'] : []),
    o.entry,
    ...(o.storeDir !== undefined ? [`--store-dir=${path.resolve(o.cwd, o.storeDir)}`] : []),
    ...o.files.map((f) => path.resolve(o.cwd, f)),
  ];
}

/** How a window's process ended. */
export interface WindowExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of its stderr (Chromium's): shown when it failed. */
  output: string;
}

export interface LaunchedWindow {
  readonly pid: number;
  readonly program: string;
  /** The temporary profile (app mode), removed once the browser has exited. */
  readonly userDataDir: string | undefined;
  /** Settles once the process has exited, its helpers are gone and its temporary profile removed. */
  readonly exited: Promise<WindowExit>;
  /** Closes the window: SIGTERM to its pid, SIGKILL to its process group after `graceMs`. Resolves as `exited`. */
  close(graceMs?: number): Promise<WindowExit>;
}

const isWindows = process.platform === 'win32';

/** True while any process of group `pgid` exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser's helpers (zygote, GPU, renderers) share its process group (spawned detached: it
 * leads a group of its own) and normally follow it out within moments; any left after `graceMs`
 * is killed. While one lives the group id cannot be reused, so the signal reaches only ours.
 */
async function reapGroup(pgid: number, graceMs: number): Promise<void> {
  if (isWindows) return;
  const end = Date.now() + graceMs;
  while (groupAlive(pgid)) {
    if (Date.now() > end) {
      try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone meanwhile */ }
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function spawned(child: ChildProcess, program: string): Promise<void> {
  try {
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([err]) => { throw err; })]);
  } catch (err) {
    throw new WindowLaunchError(program, err);
  }
}

function track(child: ChildProcess, program: string, userDataDir: string | undefined): LaunchedWindow {
  const pid = child.pid!;
  let output = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { output = (output + s).slice(-4096); });
  let done = false;
  const exited = new Promise<WindowExit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      void (async () => {
        await reapGroup(pid, 3000);
        // A helper may still be flushing into the profile as it goes: retry the removal briefly.
        if (userDataDir) await rm(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
        resolve({ code, signal, output });
      })();
    });
  });
  return {
    pid,
    program,
    userDataDir,
    exited,
    async close(graceMs = 5000) {
      if (!done) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* exiting already */ }
        const timer = setTimeout(() => {
          try { process.kill(isWindows ? pid : -pid, 'SIGKILL'); } catch { /* gone */ }
        }, graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}

export interface AppWindowLaunch {
  url: string;
  /** An executable Chromium-family browser (findAppBrowser, resolveBrowser). */
  browser: string;
  env?: NodeJS.ProcessEnv;
  debugPort?: number | undefined;
}

/**
 * Opens `url` in `browser` as an app window with a private temporary profile. The browser runs in
 * a process group of its own, so a Ctrl-C in the terminal reaches heapscope only, which then
 * closes the window by its pid.
 */
export async function launchAppWindow(o: AppWindowLaunch): Promise<LaunchedWindow> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'heapscope-window-'));
  const args = appModeArgs({ url: o.url, userDataDir, root: runningAsRoot(), debugPort: o.debugPort });
  try {
    const child = spawn(o.browser, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env });
    await spawned(child, o.browser);
    return track(child, o.browser, userDataDir);
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

/**
 * Starts the desktop app: `binary` (Electron) with `args` (electronArgs). Its stdout and stderr go
 * to heapscope's stderr (its notes are progress; heapscope's stdout stays for machine-read lines).
 */
export async function launchElectron(binary: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<LaunchedWindow> {
  const childEnv = { ...env };
  // Inherited from a parent that runs Electron as Node, it would make the binary a plain Node.
  delete childEnv['ELECTRON_RUN_AS_NODE'];
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', 2, 2], env: childEnv });
  await spawned(child, binary);
  return track(child, binary, undefined);
}
