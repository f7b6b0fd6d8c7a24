import { open as openFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { electronAppEntry, electronBinary, type Located } from '../host/electron/binary.js';
import {
  electronArgs, findAppBrowser, hasDisplay, launchAppWindow, launchElectron, resolveBrowser, runningAsRoot,
  type LaunchedWindow,
} from '../host/launch.js';
import { printable } from '../inspector/errors.js';
import { defaultStoreDir } from '../store/dir.js';
import { FileIoError, UsageError } from '../shared/errors.js';
import { addFilesAndTargets, note, parsePort, runDashboard } from './serve.js';

interface OpenFlags {
  port?: number;
  dir?: string;
  attach?: string[];
  browser?: string;
  /** commander's `--no-electron` sets this to false. */
  electron?: boolean;
}

/** What shows the dashboard: the Electron app, or the web host's URL in a browser window (or in none). */
export type WindowChoice =
  | { kind: 'electron'; binary: string; entry: string }
  | { kind: 'browser'; note?: string };

/**
 * Electron when it is installed and nothing asks for the web host: `--browser` and `--no-electron`
 * say so outright; `--attach` and `--port` need the local server, which the app does not run.
 */
export function chooseWindow(flags: OpenFlags, binary: Located, entry: Located): WindowChoice {
  if (flags.electron === false || flags.browser !== undefined) return { kind: 'browser' };
  const missing = 'missing' in binary ? binary.missing : 'missing' in entry ? entry.missing : undefined;
  if (missing !== undefined) return { kind: 'browser', note: `the desktop app (Electron) is not available: ${missing}; using Chromium or Chrome in app mode` };
  if (flags.attach?.length || flags.port !== undefined) {
    return { kind: 'browser', note: `${flags.attach?.length ? '--attach' : '--port'} needs the local web server, which the desktop app does not run: using Chromium or Chrome in app mode` };
  }
  return { kind: 'electron', binary: (binary as { path: string }).path, entry: (entry as { path: string }).path };
}

/** $HEAPSCOPE_OPEN_DEBUG_PORT: a test hook that gives the app window a DevTools port (0: any). */
function debugPort(env: NodeJS.ProcessEnv): number | undefined {
  const value = env['HEAPSCOPE_OPEN_DEBUG_PORT'];
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`HEAPSCOPE_OPEN_DEBUG_PORT ${JSON.stringify(value)}: expects a port number, 0-65535`);
  return Number(value);
}

/** The app reports a bad FILE only in its window; check them here first, as serve does (exit 5). */
async function checkReadable(files: readonly string[]): Promise<void> {
  for (const file of files) {
    try {
      const handle = await openFile(file, 'r');
      try {
        await handle.read(Buffer.alloc(1), 0, 1, 0); // a directory opens, but fails to read (EISDIR)
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw new FileIoError(printable(file), 'read', err);
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Until the window ends (resolves with how) or `stop` (resolves undefined after closing it). */
async function waitForWindow(win: LaunchedWindow, stop: AbortSignal) {
  const ended = await Promise.race([win.exited, aborted(stop).then(() => undefined)]);
  if (ended === undefined) await win.close();
  return ended;
}

/** The Electron app alone: it runs its own engine and store, so heapscope only minds its process. */
async function runElectron(choice: { binary: string; entry: string }, files: string[], flags: OpenFlags): Promise<void> {
  await checkReadable(files);
  const stop = new AbortController();
  let stoppedBy = '';
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The store serve uses, rather than the app's own default: launched from a script path, as here,
    // Electron names the app "Electron" and its data directory after that (~/.config/Electron).
    const args = electronArgs({ entry: choice.entry, files, storeDir: flags.dir ?? defaultStoreDir(), cwd: process.cwd(), root: runningAsRoot() });
    const win = await launchElectron(choice.binary, args);
    note(`opened the desktop app (Electron, pid ${win.pid}); closing its window stops heapscope`);
    const ended = await waitForWindow(win, stop.signal);
    if (!ended) {
      note(`stopped (${stoppedBy}): the desktop app was closed`);
      return;
    }
    if (ended.code) {
      note(`the desktop app exited with code ${ended.code}`);
      // Its own exit status, as wrappers pass it on; its notes are already on stderr.
      process.exitCode = ended.code;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The tail of a failed browser's stderr, a few lines, for the note. */
function lastLines(output: string): string {
  const lines = output.trim().split('\n').filter(Boolean).slice(-3);
  return lines.length ? `:\n  ${lines.map((l) => printable(l)).join('\n  ')}` : '';
}

/** `heapscope open [FILE...] [--port N] [--dir DIR] [--attach TARGET...] [--browser PATH] [--no-electron]` */
export function registerOpen(program: Command): void {
  program
    .command('open')
    .description('the dashboard as a desktop window: the Electron app when installed, else Chromium or Chrome in app mode, else the URL')
    .argument('[FILE...]', '.heapsnapshot or .heapsnapshot.gz files to open (by reference: never copied into the store)')
    .option('--port <N>', 'port on 127.0.0.1 for the web host (default 0: a free port; implies a browser window)', parsePort)
    .option('--dir <DIR>', 'snapshot store directory (default $XDG_DATA_HOME/heapscope/snapshots, else ~/.local/share/heapscope/snapshots), for the desktop app too')
    .option('--attach <TARGET...>', 'attach to inspector targets: ws://HOST:PORT/ID, HOST:PORT, PORT or pid:PID (put FILEs before this option; implies a browser window)')
    .option('--browser <PATH>', 'the Chromium-family browser for the window, a path or a name on PATH (skips Electron)')
    .option('--no-electron', 'do not use the Electron app even when it is installed')
    .addHelpText('after', `
Which window: the Electron desktop app when its binary is installed; else a Chromium-family
browser in app mode ($HEAPSCOPE_BROWSER, then chromium, chromium-browser, google-chrome,
google-chrome-stable, microsoft-edge on PATH, then the macOS app bundles) with a private temporary
profile, on the same token-protected local server as serve, whose URL line goes to stdout:
  heapscope dashboard: http://127.0.0.1:PORT/?token=TOKEN
Without a display (DISPLAY or WAYLAND_DISPLAY) or a browser it only prints that URL and serves.

Closing the window stops heapscope (exit 0). Ctrl-C (SIGINT) or SIGTERM closes the window.

Exit codes: 0 the window was closed or a signal stopped it, 2 usage (a --browser that does not
exist), 3 a --attach target unreachable, 5 a FILE is not a readable heap snapshot. When the
Electron app fails, its exit code.`)
    .action(async (files: string[], flags: OpenFlags) => {
      const env = process.env;
      const port = debugPort(env);
      const forced = flags.browser !== undefined ? resolveBrowser(flags.browser, '--browser', env) : undefined;
      const display = hasDisplay(env);
      let browser: string | undefined;
      if (display) {
        const choice = chooseWindow(flags, electronBinary(), electronAppEntry());
        if (choice.kind === 'electron') return runElectron(choice, files, flags);
        if (choice.note) note(choice.note);
        // Found before serving, so a $HEAPSCOPE_BROWSER that points nowhere ends the command at once (exit 2).
        browser = forced ?? findAppBrowser(env);
      }
      await runDashboard({ port: flags.port, dir: flags.dir }, {
        prepare: (session) => addFilesAndTargets(session, files, flags.attach ?? []),
        async show(url, stop) {
          if (!display || !browser) {
            note(!display
              ? 'no display (DISPLAY and WAYLAND_DISPLAY are unset), so no window: open the URL above in a browser. Ctrl-C stops'
              : 'no Chromium, Chrome or Edge found (set HEAPSCOPE_BROWSER or use --browser PATH): open the URL above in a browser. Ctrl-C stops');
            await aborted(stop);
            return;
          }
          const win = await launchAppWindow({ url, browser, env, debugPort: port });
          note(`opened the dashboard in an app window of ${browser} (pid ${win.pid}, temporary profile ${win.userDataDir}); closing it stops heapscope`);
          const ended = await waitForWindow(win, stop);
          if (!ended || ended.code === 0 || ended.code === null) return;
          // A browser that fails to start (a display it cannot open) is not a closed window: keep serving.
          note(`${browser} exited with code ${ended.code}${lastLines(ended.output)}\nheapscope: open the URL above in a browser. Ctrl-C stops`);
          await aborted(stop);
        },
      });
    });
}
