/**
 * `heapscope serve`, `run`, `demo` and `heapscope` alone, as real subprocesses of the built CLI:
 * the URL line, the dashboard behind it (over the WebSocket), and a clean stop on a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../helpers/cli.js';
import { fixturesDir, repoRoot, startTarget, targetsDir } from '../helpers/target.js';
import { Client, http, tempDir } from '../host/harness.js';

const baselineGz = path.join(fixturesDir, 'snapshots', 'listener-leak-baseline.heapsnapshot.gz');
const URL_LINE = /^heapscope dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))$/m;
/** No browser may open during tests, whatever the machine has. */
const HEADLESS = { DISPLAY: '', WAYLAND_DISPLAY: '' };

interface Dashboard {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  url: string;
  port: number;
  token: string;
  connect(): Promise<Client>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running: ChildProcess[] = [];
const dirs: string[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM first: the CLI then stops the program it started; SIGKILL would orphan it.
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function storeDir(): Promise<string> {
  const d = await tempDir('heapscope-cli-store-');
  dirs.push(d);
  return d;
}

/** Starts the CLI and waits for its URL line. */
async function dashboard(args: string[], timeoutMs = 60_000): Promise<Dashboard> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, ...HEADLESS }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const d = { child, stdout: '', stderr: '' } as Dashboard;
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { d.stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { d.stderr += s; });
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL line within ${timeoutMs} ms\nstdout: ${d.stdout}\nstderr: ${d.stderr}`)), timeoutMs);
    const check = () => {
      if (URL_LINE.test(d.stdout)) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', check);
    void exited.then(([code]) => { clearTimeout(timer); reject(new Error(`exited with ${code} before the URL line\nstderr: ${d.stderr}`)); });
  });
  const m = URL_LINE.exec(d.stdout)!;
  d.url = m[1]!;
  d.port = Number(m[2]);
  d.token = m[3]!;
  d.connect = async () => {
    const c = await Client.open(`ws://127.0.0.1:${d.port}/api/ws?token=${d.token}`);
    clients.push(c);
    return c;
  };
  d.stop = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  };
  return d;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('heapscope serve', () => {
  it('prints one URL line, serves FILEs by reference on the given port, and stops cleanly on SIGTERM', async () => {
    const dir = await storeDir();
    const port = await freePort();
    const d = await dashboard(['serve', baselineGz, '--no-open', '--dir', dir, '--port', String(port)]);
    expect(d.stdout.trim().split('\n')).toEqual([`heapscope dashboard: ${d.url}`]);
    expect(d.port).toBe(port);
    expect(d.stderr).toContain(`snapshots are stored in ${dir}`);
    expect(d.stderr).toContain('loaded listener-leak-baseline.heapsnapshot.gz');
    const c = await d.connect();
    const state = await c.call('session.state', {});
    expect(state.snapshots).toEqual([expect.objectContaining({ name: 'listener-leak-baseline.heapsnapshot.gz', source: 'file', loaded: true })]);
    const summary = await c.call('summary.range', { snapshotId: state.snapshots[0]!.snapshotId, start: 0, end: 3 });
    expect(summary.rows).toHaveLength(3);
    expect((await http(d.port, 'GET', '/api/ws')).status).toBe(401);

    expect(await d.stop('SIGTERM')).toBe(0);
    expect(d.stderr).toContain('stopping (SIGTERM)');
    expect(await readdir(dir)).toEqual([]); // by reference: nothing copied, no index written
  });

  it('refuses a bad FILE with exit 5 and its format error, before serving', async () => {
    const dir = await storeDir();
    const bad = path.join(dir, 'cut.heapsnapshot');
    await (await import('node:fs/promises')).writeFile(bad, '{"snapshot":{"meta":{"node_fields":["type"');
    const r = await runCli(['serve', bad, '--no-open', '--dir', dir], { env: HEADLESS });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cut\.heapsnapshot: bad heap snapshot: .*\(section \w+, byte offset \d+\)/);
    const missing = await runCli(['serve', path.join(dir, 'nope.heapsnapshot'), '--no-open', '--dir', dir], { env: HEADLESS });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('no such file or directory');
  });

  it('attaches --attach targets before serving, and refuses an unreachable one with exit 3', async () => {
    const dir = await storeDir();
    const t = await startTarget('idle.mjs');
    try {
      const d = await dashboard(['serve', '--no-open', '--dir', dir, '--attach', String(t.port)]);
      expect(d.stderr).toContain(`attached to 127.0.0.1:${t.port}`);
      const c = await d.connect();
      const { targets } = await c.call('session.state', {});
      expect(targets).toEqual([expect.objectContaining({ address: `127.0.0.1:${t.port}`, state: 'attached', started: false })]);
      expect(await d.stop()).toBe(0);
      expect(t.exited).toBe(false); // detached, not killed
    } finally {
      await t.stop();
    }
    const r = await runCli(['serve', '--no-open', '--dir', dir, '--attach', '127.0.0.1:1'], { env: HEADLESS });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });

  it('rejects a bad --port as a usage error', async () => {
    const r = await runCli(['serve', '--port', '70000', '--no-open'], { env: HEADLESS });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expects a port number');
  });
});

describe('heapscope run', () => {
  it('starts the program with its inspector, attaches, keeps serving after it dies, and stops on SIGINT', async () => {
    const dir = await storeDir();
    const d = await dashboard(['run', '--no-open', '--dir', dir, '--', 'node', path.join(targetsDir, 'idle.mjs')]);
    const c = await d.connect();
    const state = await c.call('session.state', {});
    expect(state.targets).toHaveLength(1);
    const t = state.targets[0]!;
    expect(t).toMatchObject({ state: 'attached', started: true, kind: 'node' });
    expect(t.title).toContain('idle.mjs');
    expect(t.pid).toBeGreaterThan(0);
    expect(alive(t.pid!)).toBe(true);
    // The program's own stdout passes through; its inspector URL does not leak in full.
    await waitUntil(() => d.stdout.includes('heapscope-fixture phase 0 idle'), 'the program\'s output');
    expect(d.stderr).toMatch(/Debugger listening on ws:\/\/127\.0\.0\.1:\d+\/<hidden>/);
    expect(d.stderr).not.toMatch(/ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{8}-/);

    const capture = await c.call('capture.start', { targetId: t.targetId, name: 'one' });
    const done = await c.waitFor('capture.progress', (p) => p.captureId === capture.captureId && p.state !== 'running');
    expect(done.state).toBe('done');

    process.kill(t.pid!, 'SIGKILL');
    const died = await c.waitFor('target.state', (s) => s.targetId === t.targetId && s.state === 'died', 10_000);
    expect(died.reason).toMatch(/killed by SIGKILL|exited/);
    // Still serving.
    expect((await c.call('session.state', {})).snapshots.map((s) => s.name)).toEqual(['one']);
    expect(await d.stop('SIGINT')).toBe(0);
    // Captured snapshots stay in the store.
    expect((await readdir(dir)).filter((f) => f.endsWith('.heapsnapshot'))).toHaveLength(1);
  });

  it('stops the program by its pid on SIGTERM', async () => {
    const dir = await storeDir();
    const d = await dashboard(['run', '--no-open', '--dir', dir, 'node', path.join(targetsDir, 'idle.mjs')]);
    const c = await d.connect();
    const pid = (await c.call('session.state', {})).targets[0]!.pid!;
    expect(alive(pid)).toBe(true);
    expect(await d.stop('SIGTERM')).toBe(0);
    await waitUntil(() => !alive(pid), `pid ${pid} to exit`);
  });

  it('fails clearly when the command is not there or opens no inspector', async () => {
    const missing = await runCli(['run', '--no-open', '--', 'no-such-program-heapscope'], { env: HEADLESS });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('command not found');
    const quick = await runCli(['run', '--no-open', '--', 'node', '-e', 'process.exit(3)'], { env: HEADLESS });
    expect(quick.code).toBe(3);
    expect(quick.stderr).toMatch(/exited \(code 3\) before heapscope could attach/);
    expect(quick.stderr).not.toContain('keeps running');
  });
});

describe('heapscope demo', () => {
  it('`heapscope` alone runs the demo: three snapshots of one session in which leaks.report finds the leaks', async () => {
    const d = await dashboard([], 120_000);
    await waitUntil(() => d.stderr.includes('no display or browser found'), 'the note that no browser was opened');
    const c = await d.connect();
    const state = await c.call('session.state', {});
    expect(state.snapshots.map((s) => s.name)).toEqual(['baseline', 'target', 'final']);
    expect(new Set(state.snapshots.map((s) => s.sessionId)).size).toBe(1);
    expect(state.snapshots.every((s) => s.loaded && s.source === 'capture')).toBe(true);
    expect(state.targets).toEqual([expect.objectContaining({ state: 'attached', started: true, title: 'demo-app.mjs (heapscope demo)' })]);
    const store = /snapshots are stored in (\S+)/.exec(d.stderr)![1]!;
    const demoPid = state.targets[0]!.pid!;
    const [a, b, f] = state.snapshots.map((s) => s.snapshotId) as [string, string, string];

    const diff = await c.call('diff.classes', { beforeId: a, afterId: b, start: 0, end: 100 });
    const row = (name: string) => diff.rows.find((r) => r.name === name);
    expect(row('Document')).toMatchObject({ added: 12, countDelta: 12 });
    expect(row('Paragraph')).toMatchObject({ added: 480 });

    const leaks = await c.call('leaks.report', { baselineId: a, targetId: b, finalId: f, start: 0, end: 100 });
    expect(leaks.pass).toBe(false);
    const leaked = (name: string) => leaks.rows.filter((r) => r.name === name).reduce((n, r) => n + r.count, 0);
    expect(leaked('Document')).toBe(12);
    expect(leaked('Listener')).toBe(12);
    expect(leaked('CacheEntry')).toBe(12);
    expect(leaked('FileHandle')).toBe(12);
    expect(leaked('Session')).toBe(0);
    expect(leaked('SessionInfo')).toBe(0);

    const weak = await c.call('weak.report', { snapshotId: b, afterId: f, start: 0, end: 1000 });
    const targets = (name: string, status: string) => weak.rows.filter((r) => r.name === name && r.status === status).length;
    expect(targets('Session', 'released')).toBe(3);
    expect(targets('CacheEntry', 'kept')).toBe(13);
    expect(targets('FileHandle', 'kept')).toBe(13);

    expect(await d.stop('SIGINT')).toBe(0);
    await waitUntil(() => !alive(demoPid), 'the demo app to exit');
    expect(existsSync(store)).toBe(false); // the temporary store goes with the demo
  });

  it('`heapscope demo --dir DIR` keeps its snapshots', async () => {
    const dir = await storeDir();
    const d = await dashboard(['demo', '--no-open', '--dir', dir], 120_000);
    await waitUntil(() => d.stderr.includes('serving'), 'the serving note');
    expect(d.stderr).not.toContain('no display or browser found');
    expect(await d.stop()).toBe(0);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.heapsnapshot'))).toHaveLength(3);
    expect(files).toContain('index.json');
  });
});
