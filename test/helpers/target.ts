import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixturesDir = path.join(repoRoot, 'fixtures');
export const targetsDir = path.join(fixturesDir, 'targets');

/**
 * A real Node process started from fixtures/targets/. Fixture targets follow one protocol:
 * - they print `heapscope-fixture phase N LABEL` on stdout when phase N is set up (phase 0 first);
 * - SIGUSR2 moves them to the next phase (SIGUSR1 is the inspector's own signal);
 * - they run until killed.
 */
export interface RunningTarget {
  readonly name: string;
  readonly pid: number;
  /** ws://127.0.0.1:PORT/UUID, when started with the inspector. */
  readonly wsUrl: string | undefined;
  readonly port: number | undefined;
  readonly process: ChildProcess;
  /** The last phase the target announced, and its label. */
  phase: number;
  label: string;
  stdout: string;
  stderr: string;
  /** Sends SIGUSR2 and resolves when the next phase is announced. */
  next(): Promise<number>;
  waitForPhase(n: number, timeoutMs?: number): Promise<void>;
  /** Kills the target (SIGKILL) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export interface StartOptions {
  /** Start with `--inspect=127.0.0.1:0` (default true). */
  inspect?: boolean;
  args?: string[];
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  // Safety net: never leave a target behind, even when a test forgets to stop it.
  for (const child of running) if (child.exitCode === null && child.pid) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Starts `fixtures/targets/NAME` (a path relative to targets/, or absolute) and waits for phase 0 (and the inspector URL). */
export async function startTarget(name: string, options: StartOptions = {}): Promise<RunningTarget> {
  const file = path.isAbsolute(name) ? name : path.join(targetsDir, name);
  const inspect = options.inspect ?? true;
  const nodeArgs = [...(inspect ? ['--inspect=127.0.0.1:0'] : []), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, file, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));

  const waiters: Array<() => void> = [];
  const notify = () => { for (const w of waiters.splice(0)) w(); };
  let exited = false;
  const t: RunningTarget = {
    name, pid: child.pid!, wsUrl: undefined, port: undefined, process: child,
    phase: -1, label: '', stdout: '', stderr: '',
    get exited() { return exited; },
    async next() {
      const want = t.phase + 1;
      child.kill('SIGUSR2');
      await t.waitForPhase(want);
      return t.phase;
    },
    waitForPhase: (n, timeoutMs = options.timeoutMs ?? 30_000) => waitFor(() => t.phase >= n, `phase ${n} of ${name}`, timeoutMs),
    async stop() {
      if (exited) return;
      child.kill('SIGKILL');
      if (!exited) await once(child, 'exit');
    },
  };
  child.once('exit', () => { exited = true; notify(); });

  let outBuf = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    t.stdout += s;
    outBuf += s;
    let nl: number;
    while ((nl = outBuf.indexOf('\n')) >= 0) {
      const line = outBuf.slice(0, nl);
      outBuf = outBuf.slice(nl + 1);
      const m = /^heapscope-fixture phase (\d+)\s*(.*)$/.exec(line);
      if (m) { t.phase = Number(m[1]); t.label = m[2] ?? ''; notify(); }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    t.stderr += s;
    const m = /Debugger listening on (ws:\/\/[^\s]+)/.exec(t.stderr);
    if (m && !t.wsUrl) {
      (t as { wsUrl: string }).wsUrl = m[1]!;
      (t as { port: number }).port = Number(new URL(m[1]!).port);
      notify();
    }
  });

  function waitFor(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstderr: ${t.stderr}`)), timeoutMs);
      const check = () => {
        if (cond()) { clearTimeout(timer); resolve(); return; }
        if (exited) { clearTimeout(timer); reject(new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what}\nstderr: ${t.stderr}`)); return; }
        waiters.push(check);
      };
      check();
    });
  }

  try {
    await waitFor(() => t.phase >= 0 && (!inspect || t.wsUrl !== undefined), `${name} to start`, options.timeoutMs ?? 30_000);
  } catch (err) {
    await t.stop();
    throw err;
  }
  return t;
}

/** Starts a target for the duration of `fn` and always stops it. */
export async function withTarget<T>(name: string, fn: (t: RunningTarget) => Promise<T>, options?: StartOptions): Promise<T> {
  const t = await startTarget(name, options);
  try {
    return await fn(t);
  } finally {
    await t.stop();
  }
}
