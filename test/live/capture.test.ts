import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { inspectorProxy } from '../helpers/fake-inspector.js';
import { startTarget, type RunningTarget } from '../helpers/target.js';

// `heapscope capture` against real Node processes, as a real subprocess (run `npm run build` first).

let dir: string;
const started: RunningTarget[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-capture-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const t of started.splice(0)) await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function target(name = 'idle.mjs', options?: Parameters<typeof startTarget>[1]): Promise<RunningTarget> {
  const t = await startTarget(name, options);
  started.push(t);
  return t;
}

/** The file parses as a heap snapshot, is private to us, and nothing else was left in the folder. */
function expectSnapshotFile(file: string): void {
  expect(path.isAbsolute(file)).toBe(true);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[]; strings: string[] };
  expect(json.snapshot.meta.node_fields).toContain('self_size');
  expect(json.nodes.length).toBe(json.snapshot.node_count * json.snapshot.meta.node_fields.length);
  expect(json.strings.length).toBeGreaterThan(100);
  expect(readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

function uuidOf(t: RunningTarget): string {
  return new URL(t.wsUrl!).pathname.slice(1);
}

describe('heapscope capture: each TARGET form', () => {
  it('ws://HOST:PORT/ID', async () => {
    const t = await target();
    const out = path.join(dir, 'ws.heapsnapshot');
    const r = await runCli(['capture', t.wsUrl!, '-o', out]);
    expect(r.stderr).not.toContain(uuidOf(t));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expectSnapshotFile(out);
    // Progress on stderr, not a TTY here: plain lines, not a line per chunk.
    expect(r.stderr).toMatch(/attached to node\.js\/v\d+/);
    expect(r.stderr).toMatch(/receiving \d+%/);
    expect(r.stderr.split('\n').length).toBeLessThan(40);
  });

  it('HOST:PORT (and localhost:PORT)', async () => {
    const t = await target();
    for (const host of ['127.0.0.1', 'localhost']) {
      const out = path.join(dir, `${host}.heapsnapshot`);
      const r = await runCli(['capture', `${host}:${t.port}`, '-o', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${out}\n`);
      expectSnapshotFile(out);
    }
  });

  it('PORT, with the default file name in the current directory', async () => {
    const t = await target();
    const r = await runCli(['capture', String(t.port), '-q'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const file = r.stdout.trim();
    expect(path.dirname(file)).toBe(dir);
    expect(path.basename(file)).toMatch(new RegExp(`^heapscope-\\d{8}-\\d{6}-${t.port}\\.heapsnapshot$`));
    expectSnapshotFile(file);
  });

  it('--json prints one JSON document instead of the path', async () => {
    const t = await target();
    const out = path.join(dir, 'j.heapsnapshot');
    const r = await runCli(['capture', String(t.port), '--json', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toEqual({ file: out, bytes: statSync(out).size, nodeCount: expect.any(Number), edgeCount: expect.any(Number), address: `127.0.0.1:${t.port}`,
      memory: { heapUsed: expect.any(Number), heapTotal: expect.any(Number), rss: expect.any(Number), pid: t.pid } });
    expect(doc['nodeCount']).toBeGreaterThan(1000);
    expectSnapshotFile(out);
  });

  it('-o naming an existing directory puts the default name there', async () => {
    const t = await target();
    const r = await runCli(['capture', String(t.port), '-q', '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(path.dirname(r.stdout.trim())).toBe(dir);
    expectSnapshotFile(r.stdout.trim());
  });

  it('pid:PID of a Node process started without --inspect: SIGUSR1, then the port it opened', async () => {
    // --inspect-port=0: SIGUSR1 opens the inspector on a free port instead of 9229, which another
    // test or process may hold; heapscope finds the port from /proc, not from the target's stderr.
    const t = await target('idle.mjs', { inspect: false, nodeArgs: ['--inspect-port=127.0.0.1:0'] });
    expect(t.wsUrl).toBeUndefined();
    const r = await runCli(['capture', `pid:${t.pid}`, '-q'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(path.basename(r.stdout.trim())).toMatch(new RegExp(`^heapscope-\\d{8}-\\d{6}-${t.pid}\\.heapsnapshot$`));
    expectSnapshotFile(r.stdout.trim());
    expect(t.stderr).toMatch(/Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//);
    // A second capture finds the inspector already open.
    const again = await runCli(['capture', `pid:${t.pid}`, '-q', '-o', path.join(dir, 'again.heapsnapshot')]);
    expect(again.code, again.stderr).toBe(0);
    expect(t.exited).toBe(false);
  });

  it('--gc collects garbage first', async () => {
    const t = await target();
    const out = path.join(dir, 'gc.heapsnapshot');
    const r = await runCli(['capture', String(t.port), '--gc', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('collecting garbage');
    expectSnapshotFile(out);
  });
});

describe('heapscope capture: refusals', () => {
  it.each(['10.1.2.3:9229', 'ws://192.168.7.7:9229/0f6c1e0e-1b2a-4c3d-9e8f-0123456789ab', 'example.com:9229'])('refuses the remote host %s without --allow-remote (exit 2)', async (t) => {
    const r = await runCli(['capture', t], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address.*--allow-remote/);
    expect(r.stderr).not.toContain('0f6c1e0e');
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([['nonsense'], ['pid:x'], ['ws://127.0.0.1:9229']])('refuses the TARGET %j (exit 2)', async (t) => {
    const r = await runCli(['capture', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TARGET/);
  });

  it('without TARGET prints usage (exit 2); --help documents the forms', async () => {
    expect((await runCli(['capture'])).code).toBe(2);
    const help = await runCli(['capture', '--help']);
    expect(help.code).toBe(0);
    for (const s of ['ws://HOST:PORT/ID', 'pid:PID', '--gc', '--pick', '--allow-remote', 'Exit codes']) expect(help.stdout).toContain(s);
  });
});

describe('heapscope capture: a port with several targets', () => {
  async function twoTargets() {
    const t = await target();
    const proxy = await inspectorProxy(t.port!, new URL(t.wsUrl!).pathname, {},
      { type: 'page', title: 'Orders app', url: 'http://localhost:3000/orders' },
      [{ type: 'page', title: 'Settings', url: 'http://localhost:3000/settings', path: '/devtools/page/SECRET-OTHER' }]);
    cleanups.push(() => proxy.close());
    return { t, proxy };
  }

  it('without --pick lists them (type, title, URL; never the WebSocket URL) and exits 2', async () => {
    const { t, proxy } = await twoTargets();
    const r = await runCli(['capture', String(proxy.port)], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 targets at 127\.0\.0\.1:\d+; choose one with --pick/);
    expect(r.stderr).toMatch(/page\tOrders app\thttp:\/\/localhost:3000\/orders/);
    expect(r.stderr).toMatch(/page\tSettings\thttp:\/\/localhost:3000\/settings/);
    expect(r.stderr).not.toContain(uuidOf(t));
    expect(r.stderr).not.toContain('SECRET-OTHER');
    expect(r.stderr).not.toContain('ws://');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--pick TEXT matching the title or URL captures that one', async () => {
    const { proxy } = await twoTargets();
    for (const pick of ['orders APP', '/orders']) {
      const out = path.join(dir, `${pick.replace(/\W/g, '')}.heapsnapshot`);
      const r = await runCli(['capture', String(proxy.port), '--pick', pick, '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
      expectSnapshotFile(out);
    }
  });

  it('--pick matching none or several exits 2 with the list', async () => {
    const { proxy } = await twoTargets();
    const none = await runCli(['capture', String(proxy.port), '--pick', 'nothing-like-this']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no target at .* has "nothing-like-this"/);
    const both = await runCli(['capture', String(proxy.port), '--pick', 'localhost:3000']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/2 targets at .* match "localhost:3000"/);
  });
});

describe('heapscope capture: Ctrl-C', () => {
  it('SIGINT mid-capture removes the temp file and exits 4', async () => {
    const t = await target('generator.mjs', { args: ['60'] });
    const child = spawn(process.execPath, [path.resolve('dist/cli/main.js'), 'capture', String(t.port), '-o', path.join(dir, 'x.heapsnapshot')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    await waitFor(() => readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(path.join(dir, f)).size > 0), 30_000);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit') as [number];
    expect(code).toBe(4);
    expect(stderr).toMatch(/cancelled/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
