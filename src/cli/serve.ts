import { InvalidArgumentError, type Command } from 'commander';
import { openBrowser } from '../host/launch.js';
import { HostSession } from '../host/session/session.js';
import { WebHost } from '../host/web/server.js';
import { printable } from '../inspector/errors.js';
import { defaultStoreDir } from '../store/dir.js';
import { SnapshotStore } from '../store/store.js';
import { ExitCode, HeapscopeError } from '../shared/errors.js';
import { formatBytes } from './format.js';

/** Options serve, run and demo share. */
export interface DashboardFlags {
  port?: number;
  dir?: string;
  /** commander's `--no-open` sets this to false. */
  open?: boolean;
}

export interface DashboardRun {
  /** Store directory; default the user's (defaultStoreDir). */
  dir?: string;
  /** Fills the session before the server starts (load files, attach, capture); a throw ends the command with its exit code. */
  prepare(session: HostSession, stop: AbortSignal): Promise<void>;
  /** Runs after the server has stopped, whatever happened (stop a program we started, remove a temp store). */
  cleanup?(): Promise<void>;
  /**
   * Shows the dashboard at `url` in place of opening a browser (`heapscope open`: a window of its
   * own). Resolving stops the command as a signal would (the window was closed); on `stop`
   * (SIGINT, SIGTERM) it closes what it opened, then resolves.
   */
  show?(url: string, stop: AbortSignal): Promise<void>;
}

/** Progress and status go to stderr; stdout carries only the URL line (scripts read it). */
export function note(text: string): void {
  process.stderr.write(`heapscope: ${text}\n`);
}

/**
 * The life of a dashboard command: store, engine and session; `prepare`; the web host; the URL on
 * stdout as one line (`heapscope dashboard: URL`); a browser if one can be opened; then serve until
 * SIGINT or SIGTERM and close everything (engine, targets, temp files; stored snapshots stay).
 */
export async function runDashboard(flags: DashboardFlags, run: DashboardRun): Promise<void> {
  const stop = new AbortController();
  let stoppedBy = '';
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let session: HostSession | undefined;
  let web: WebHost | undefined;
  let prepared: Promise<void> | undefined;
  try {
    const store = await SnapshotStore.open(run.dir ?? flags.dir ?? defaultStoreDir());
    note(`snapshots are stored in ${store.dir}`);
    session = await HostSession.start({ store });
    // A signal during a long load or capture stops at once: closing the session below ends them.
    const aborted = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    prepared = run.prepare(session, stop.signal);
    prepared.catch(() => {});
    await Promise.race([prepared, aborted]);
    if (stop.signal.aborted) {
      note(`stopped (${stoppedBy}) before serving`);
      return;
    }
    web = await WebHost.start({ session, port: flags.port });
    process.stdout.write(`heapscope dashboard: ${web.url}\n`);
    if (run.show) {
      await run.show(web.url, stop.signal);
      note(stop.signal.aborted ? `stopping (${stoppedBy})` : 'the window was closed: stopping');
      return;
    }
    if (flags.open !== false) {
      const browser = openBrowser(web.url);
      note(browser ? `opened the dashboard with ${browser}` : 'no display or browser found: open the URL above');
    }
    note('serving; Ctrl-C stops');
    await aborted;
    note(`stopping (${stoppedBy})`);
  } catch (err) {
    throw asCliError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await web?.close();
    await session?.close();
    // Interrupted, `prepare` may still be starting a program that cleanup must stop: let it settle
    // (with the session closed, whatever it waits for ends within seconds).
    await prepared?.catch(() => {});
    await run.cleanup?.();
  }
}

/**
 * Errors that crossed the engine worker arrive rebuilt (EngineError, ReportedError) with their exit
 * code as data; the CLI's error handler knows only HeapscopeError, so wrap them (a bad FILE is exit 5).
 */
function asCliError(err: unknown): unknown {
  if (err instanceof HeapscopeError || !(err instanceof Error)) return err;
  const code = (err as { exitCode?: unknown }).exitCode;
  if (typeof code !== 'number') return err;
  const wrapped = new HeapscopeError(err.message, code as ExitCode, { cause: err });
  wrapped.name = err.name;
  return wrapped;
}

/** `--port N` (0: a free port). */
export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expects a port number, 0-65535 (0: a free port)');
  return Number(value);
}

export function addDashboardOptions(cmd: Command): Command {
  return cmd
    .option('--port <N>', 'port on 127.0.0.1 (default 0: a free port)', parsePort)
    .option('--dir <DIR>', 'snapshot store directory (default $XDG_DATA_HOME/heapscope/snapshots, else ~/.local/share/heapscope/snapshots)')
    .option('--no-open', 'do not open a browser (one is opened only when a display and a browser exist)');
}

/** FILEs by reference, then `--attach` targets (pid:PID allowed): what serve and open do before serving. */
export async function addFilesAndTargets(session: HostSession, files: readonly string[], targets: readonly string[]): Promise<void> {
  for (const file of files) {
    note(`loading ${printable(file)}`);
    const meta = await session.addFile(file);
    note(`loaded ${printable(meta.name)}: ${meta.nodes} nodes, ${formatBytes(meta.totalSize ?? 0)}`);
  }
  for (const target of targets) {
    const dto = await session.attach(target, { allowPid: true });
    note(`attached to ${dto.address} (${dto.title})`);
  }
}

interface ServeFlags extends DashboardFlags {
  attach?: string[];
}

/** `heapscope serve [FILE...] [--port N] [--dir DIR] [--no-open] [--attach TARGET...]` */
export function registerServe(program: Command): void {
  addDashboardOptions(program
    .command('serve')
    .description('the dashboard in a browser: binds 127.0.0.1 and prints a URL carrying a random token')
    .argument('[FILE...]', '.heapsnapshot or .heapsnapshot.gz files to open (by reference: never copied into the store)'))
    .option('--attach <TARGET...>', 'attach to inspector targets: ws://HOST:PORT/ID, HOST:PORT, PORT or pid:PID (put FILEs before this option)')
    .addHelpText('after', `
Prints one line on stdout, for scripts:
  heapscope dashboard: http://127.0.0.1:PORT/?token=TOKEN
Anyone with the URL can read your snapshots and control attached targets: do not share it.
Only 127.0.0.1 is bound; requests with a foreign Host or Origin header are refused.
Runs until Ctrl-C (SIGINT) or SIGTERM. Snapshots captured from the dashboard stay in the store.

Exit codes: 0 stopped by a signal, 2 usage, 3 a --attach target unreachable, 5 a FILE is not a
readable heap snapshot (checked before serving).`)
    .action(async (files: string[], flags: ServeFlags) => {
      await runDashboard(flags, { prepare: (session) => addFilesAndTargets(session, files, flags.attach ?? []) });
    });
}
