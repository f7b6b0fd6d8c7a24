import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureHeapSnapshot } from '../../src/inspector/capture.js';
import { CaptureIncompleteError, TargetUnreachableError } from '../../src/inspector/errors.js';
import { Session } from '../../src/inspector/session.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { closedPort, fakeInspector, httpNotInspector, inspectorProxy, silentTcp, type FakeServer } from '../helpers/fake-inspector.js';
import { startTarget, type RunningTarget } from '../helpers/target.js';

// Faults against real processes and real sockets. Each checks the exit code, the message, and
// that no snapshot or temp file is left behind.

let dir: string;
const started: RunningTarget[] = [];
const servers: FakeServer[] = [];
const others: Array<() => void> = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-faults-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const t of started.splice(0)) await t.stop();
  for (const o of others.splice(0)) o();
  rmSync(dir, { recursive: true, force: true });
});

async function target(name = 'idle.mjs', options?: Parameters<typeof startTarget>[1]): Promise<RunningTarget> {
  const t = await startTarget(name, options);
  started.push(t);
  return t;
}

async function server<T extends FakeServer>(s: Promise<T>): Promise<T> {
  const ready = await s;
  servers.push(ready);
  return ready;
}

function leftovers(): string[] {
  return readdirSync(dir);
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** True once a temp file with snapshot data in it exists in `dir`: chunks are arriving. */
function receiving(): boolean {
  return readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(path.join(dir, f), { throwIfNoEntry: false })?.size);
}

describe('not an inspector (exit 3)', () => {
  it('port closed', async () => {
    const port = await closedPort();
    const r = await runCli(['capture', String(port), '-o', path.join(dir, 'x.heapsnapshot')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot attach to 127.0.0.1:${port}: connection refused`);
    expect(r.stdout).toBe('');
    expect(leftovers()).toEqual([]);
  });

  it('an HTTP server that is not an inspector', async () => {
    const s = await server(httpNotInspector());
    const r = await runCli(['capture', `127.0.0.1:${s.port}`, '-o', path.join(dir, 'x.heapsnapshot')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot attach to 127\.0\.0\.1:\d+: answer to GET \/json\/version is not JSON: not a V8 inspector/);
    expect(r.stderr).not.toMatch(/SyntaxError|internal error/);
    expect(leftovers()).toEqual([]);
  });

  it('an HTTP server that is not an inspector, given a ws:// URL on it', async () => {
    const s = await server(httpNotInspector());
    const r = await runCli(['capture', `ws://127.0.0.1:${s.port}/abc`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not a V8 inspector/);
  });

  it('a silent TCP server: gives up within the probe deadline', async () => {
    const s = await server(silentTcp());
    const t0 = Date.now();
    const r = await runCli(['capture', String(s.port), '-o', path.join(dir, 'x.heapsnapshot')]);
    const elapsed = Date.now() - t0;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no answer to GET \/json\/version within 3 s/);
    expect(elapsed).toBeLessThan(8_000);
    expect(leftovers()).toEqual([]);
  });

  it.each([
    ['text that is not JSON', 'this is {not json'],
    ['JSON that is not CDP', '[1, 2, 3]'],
  ])('a WebSocket server that sends %s: no crash, no hang', async (_what, garbage) => {
    // Passes the HTTP probe, then garbage on the socket: at once and in answer to every command.
    const s = await server(fakeInspector((ws) => {
      ws.send(garbage);
      ws.on('message', () => ws.send(garbage));
    }));
    const t0 = Date.now();
    const r = await runCli(['capture', s.wsUrl(), '-o', path.join(dir, 'x.heapsnapshot')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot attach to 127\.0\.0\.1:\d+: .*(not JSON|not a DevTools protocol message): not a V8 inspector/);
    expect(r.stderr).not.toMatch(/SyntaxError|internal error|\n\s+at /);
    expect(r.stderr).not.toContain('fake-target-0');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(leftovers()).toEqual([]);
  });

  it('a WebSocket server that sends nothing: the first command has a deadline', async () => {
    const s = await server(fakeInspector(() => {}));
    const t0 = Date.now();
    await expect(captureHeapSnapshot({ target: s.wsUrl(), out: path.join(dir, 'x.heapsnapshot'), deadlines: { commandMs: 1_000 } }))
      .rejects.toThrow(TargetUnreachableError);
    expect(Date.now() - t0).toBeLessThan(4_000);
    const r = await runCli(['capture', String(s.port)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/HeapProfiler\.enable: no answer within 10 s/);
    expect(leftovers()).toEqual([]);
  });

  it('a WebSocket handshake that never completes has a deadline', async () => {
    const s = await server(fakeInspector(() => {}));
    const tcp = await server(silentTcp());
    // The probe passes on the fake; the socket is then opened on the silent port.
    const session = Session.connect(`ws://127.0.0.1:${tcp.port}/x`, `127.0.0.1:${tcp.port}`, { connectDeadlineMs: 500 });
    await expect(session).rejects.toThrow(/WebSocket handshake did not complete within 0.5 s/);
    void s;
  });

  // Only a dummy web server is put on a non-loopback address: never a real inspector.
  const lanAddress = Object.values(os.networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  it.skipIf(!lanAddress)('--allow-remote lets a non-loopback host through (refused without it)', async () => {
    const s = await server(httpNotInspector(lanAddress));
    const refused = await runCli(['capture', `${lanAddress}:${s.port}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not a loopback address/);
    const allowed = await runCli(['capture', `${lanAddress}:${s.port}`, '--allow-remote']);
    expect(allowed.code).toBe(3);
    expect(allowed.stderr).toContain(`cannot attach to ${lanAddress}:${s.port}: answer to GET /json/version is not JSON`);
  });

  it('pid: of a process that does not exist', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    const r = await runCli(['capture', `pid:${child.pid}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot attach to pid ${child.pid}: no such process`);
  });

  it('pid: of a process that is not Node is refused before any signal (SIGUSR1 would kill it)', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    others.push(() => sleeper.kill('SIGKILL'));
    await once(sleeper, 'spawn');
    const r = await runCli(['capture', `pid:${sleeper.pid}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\(sleep\): the process has no SIGUSR1 handler/);
    await new Promise((res) => setTimeout(res, 100));
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
  });
});

describe('capture incomplete (exit 4)', () => {
  it('target killed mid-capture: says how far it got, leaves nothing', async () => {
    const t = await target('generator.mjs', { args: ['120'] });
    const run = runCli(['capture', String(t.port), '-o', path.join(dir, 'big.heapsnapshot')]);
    await waitFor(receiving, 60_000, 'the first chunk');
    await t.stop();
    const r = await run;
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/capture from 127\.0\.0\.1:\d+ incomplete: the target exited .*\(received [\d.]+ (KiB|MiB), about \d+% of an estimated [\d.]+ MiB; nothing was written\)/);
    expect(r.stdout).toBe('');
    expect(leftovers()).toEqual([]);
  });

  it('our socket dropped mid-capture (library): typed error, nothing left, the target lives on', async () => {
    const t = await target('generator.mjs', { args: ['40'] });
    let chunks = 0;
    const proxy = await server(inspectorProxy(t.port!, new URL(t.wsUrl!).pathname, {
      fromTarget: (m) => (m.includes('addHeapSnapshotChunk') && ++chunks === 20 ? 'drop-client' : undefined),
    }));
    const progress: string[] = [];
    const err = await captureHeapSnapshot({ target: String(proxy.port), out: path.join(dir, 'x.heapsnapshot'), onProgress: (p) => progress.push(p.phase) })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureIncompleteError);
    const e = err as CaptureIncompleteError;
    expect(e.exitCode).toBe(4);
    expect(e.extent.bytes).toBeGreaterThanOrEqual(19 * 100_000);
    expect(e.extent.estimatedBytes).toBeGreaterThan(30e6);
    expect(e.message).toMatch(/the connection dropped \(the target is still running/);
    expect(progress).toContain('write');
    expect(leftovers()).toEqual([]);
    expect(t.exited).toBe(false);
  });

  it('our socket dropped mid-capture (CLI): exit 4', async () => {
    const t = await target('generator.mjs', { args: ['20'] });
    let chunks = 0;
    const proxy = await server(inspectorProxy(t.port!, new URL(t.wsUrl!).pathname, {
      fromTarget: (m) => (m.includes('addHeapSnapshotChunk') && ++chunks === 5 ? 'drop-client' : undefined),
    }));
    const r = await runCli(['capture', String(proxy.port), '-o', path.join(dir, 'x.heapsnapshot')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/incomplete: the connection dropped/);
    expect(leftovers()).toEqual([]);
  });

  it('garbage from the target mid-capture: exit 4, no crash', async () => {
    const t = await target('generator.mjs', { args: ['20'] });
    let chunks = 0;
    const proxy = await server(inspectorProxy(t.port!, new URL(t.wsUrl!).pathname, {
      fromTarget: (m) => (m.includes('addHeapSnapshotChunk') && ++chunks === 3 ? 'garbage' : undefined),
    }));
    const r = await runCli(['capture', String(proxy.port), '-o', path.join(dir, 'x.heapsnapshot')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/incomplete: .*frame that is not JSON.*\(received [\d.]+ KiB, about \d+% of an estimated/);
    expect(r.stderr).not.toMatch(/SyntaxError|internal error/);
    expect(leftovers()).toEqual([]);
  });

  it('an AbortSignal cancels: typed error, nothing left', async () => {
    const t = await target('generator.mjs', { args: ['40'] });
    const controller = new AbortController();
    const err = await captureHeapSnapshot({
      target: String(t.port), out: path.join(dir, 'x.heapsnapshot'), signal: controller.signal,
      onProgress: (p) => { if (p.phase === 'write' && p.bytes > 1e6) controller.abort(); },
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureIncompleteError);
    expect((err as Error).message).toMatch(/incomplete: cancelled \(received/);
    expect(leftovers()).toEqual([]);
  });
});

describe('judged by content', () => {
  it('the target gone right after the last chunk, before its answer: the snapshot is whole, so it is kept (exit 0)', async () => {
    const t = await target();
    let sawChunk = false;
    const proxy = await server(inspectorProxy(t.port!, new URL(t.wsUrl!).pathname, {
      fromTarget: (m) => {
        if (m.includes('addHeapSnapshotChunk')) sawChunk = true;
        // The answer to takeHeapSnapshot: the first response after the chunks.
        else if (sawChunk && /^\{"id":\d+,"result"/.test(m)) return 'withhold-and-drop-client';
        return undefined;
      },
    }));
    const out = path.join(dir, 'x.heapsnapshot');
    const r = await runCli(['capture', String(proxy.port), '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).snapshot.meta).toBeDefined();
    expect(leftovers()).toEqual(['x.heapsnapshot']);
  });
});

describe('paused at a breakpoint', () => {
  it('a target stopped at `debugger;` is still captured (V8 serves HeapProfiler from its pause loop)', async () => {
    const t = await target('paused.mjs');
    const debuggerSession = await Session.connect(t.wsUrl!, `127.0.0.1:${t.port}`);
    others.push(() => void debuggerSession.close());
    await debuggerSession.send('Debugger.enable', {});
    const paused = new Promise<void>((resolve) => debuggerSession.on('Debugger.paused', () => resolve()));
    t.process.kill('SIGUSR2'); // phase 1 runs `debugger;`
    await paused;

    const out = path.join(dir, 'paused.heapsnapshot');
    const r = await runCli(['capture', String(t.port), '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const snapshot = JSON.parse(readFileSync(out, 'utf8')) as { strings: string[] };
    expect(snapshot.strings).toContain('Paused');
    // Still paused throughout: phase 1 is announced only after the resume.
    expect(t.phase).toBe(0);
    await debuggerSession.send('Debugger.resume', {});
    await t.waitForPhase(1);
  });
});

describe('disk full (exit 5)', () => {
  it('ulimit -f: EFBIG mid-write, no partial file', async () => {
    const t = await target();
    const child = spawn('bash', ['-c', `ulimit -f 512; exec "${process.execPath}" "${cliPath}" capture ${t.port} -o "${path.join(dir, 'x.heapsnapshot')}"`],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const [code] = await once(child, 'exit') as [number];
    expect(code).toBe(5);
    expect(stderr).toMatch(/cannot write .*x\.heapsnapshot: the file size limit was reached \(EFBIG\)/);
    expect(leftovers()).toEqual([]);
    // The target is unharmed and can be captured again.
    expect(t.exited).toBe(false);
    const again = await runCli(['capture', String(t.port), '-q', '-o', path.join(dir, 'ok.heapsnapshot')]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('an output folder that does not exist: exit 5, nothing created', async () => {
    const t = await target();
    const r = await runCli(['capture', String(t.port), '-o', path.join(dir, 'missing', 'x.heapsnapshot')]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no such file or directory/);
    expect(leftovers()).toEqual([]);
  });
});
