import { setTimeout as sleep } from 'node:timers/promises';
import { TargetUnreachableError } from './errors.js';
import { getJson } from './http-json.js';
import { catchesSigusr1, loopbackListenPorts, processName } from './procfs.js';

/** Where Node opens its inspector on SIGUSR1 unless --inspect-port said otherwise. */
export const DEFAULT_INSPECTOR_PORT = 9229;

export interface OpenByPidOptions {
  /** How long to wait for the inspector to answer after SIGUSR1. */
  deadlineMs?: number;
}

/**
 * Opens the inspector of a running Node process with SIGUSR1 and returns its loopback port.
 *
 * The port is found from /proc (the loopback sockets the process listens on, new ones first), so
 * a process started with `--inspect-port=N` or `--inspect-port=0` is found as well as the default
 * 9229; without /proc (macOS) only 127.0.0.1:9229 is tried. Before signalling, /proc must show a
 * SIGUSR1 handler: for any process that is not Node the default action of SIGUSR1 is to die.
 */
export async function openInspectorByPid(pid: number, options: OpenByPidOptions = {}): Promise<{ host: string; port: number }> {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const who = `pid ${pid}`;
  if (pid === process.pid) throw new TargetUnreachableError(who, 'that is heapscope itself');
  checkSignalable(pid, who);
  const name = await processName(pid);
  const label = name ? `${who} (${name})` : who;
  if ((await catchesSigusr1(pid)) === false) {
    throw new TargetUnreachableError(label, 'the process has no SIGUSR1 handler, so it is not a Node process that can open its inspector '
      + '(or it runs with --disable-sigusr1); heapscope did not signal it, because SIGUSR1 would kill it');
  }
  const before = new Set(await loopbackListenPorts(pid) ?? []);
  process.kill(pid, 'SIGUSR1');

  const start = Date.now();
  const notInspector = new Set<number>();
  while (Date.now() - start < deadlineMs) {
    const now = await loopbackListenPorts(pid);
    let candidates: number[];
    if (now === undefined) candidates = [DEFAULT_INSPECTOR_PORT];
    else {
      const fresh = now.filter((p) => !before.has(p));
      // An inspector that was already open opens no new port; look at the old ones after a grace period.
      candidates = fresh.length > 0 || Date.now() - start < 500 ? fresh : now;
    }
    for (const port of candidates) {
      if (notInspector.has(port)) continue;
      const remaining = deadlineMs - (Date.now() - start);
      if (remaining <= 0) break;
      try {
        const v = await getJson('127.0.0.1', port, '/json/version', Math.min(1000, remaining));
        if (typeof v === 'object' && v !== null && 'Protocol-Version' in v) return { host: '127.0.0.1', port };
        notInspector.add(port);
      } catch {
        // Not answering yet, or not HTTP: an app socket. New ports get retried once more, old ones not.
        if (before.has(port)) notInspector.add(port);
      }
    }
    if (!isAlive(pid)) throw new TargetUnreachableError(label, 'the process exited after SIGUSR1');
    await sleep(50);
  }
  throw new TargetUnreachableError(label, `no inspector opened within ${deadlineMs / 1000} s of SIGUSR1`
    + ` (Node opens it on 127.0.0.1:${DEFAULT_INSPECTOR_PORT} unless started with --inspect-port; that port may be taken by another process:`
    + ' its stderr says "Starting inspector ... failed"; start it with --inspect-port=0)');
}

function checkSignalable(pid: number, who: string): void {
  try {
    process.kill(pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new TargetUnreachableError(who, 'no such process');
    if (code === 'EPERM') throw new TargetUnreachableError(who, 'the process belongs to another user; heapscope may only signal processes of its own user');
    throw new TargetUnreachableError(who, (err as Error).message, { cause: err });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
