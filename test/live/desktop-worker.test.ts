/**
 * A Node worker thread as a capture target (FACTS.md §2: NodeWorker.enable, then messages tunnelled
 * through the process's session), against fixtures/targets/worker-app.mjs: the worker's heap is its
 * own (its objects, not the main thread's), a series of the worker stays comparable, --list shows
 * the thread, and a bad selector is a usage error. Run `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCaptureSession } from '../../src/inspector/capture.js';
import { runCli } from '../helpers/cli.js';
import { startTarget, type RunningTarget } from '../helpers/target.js';

let dir: string;
let t: RunningTarget;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-worker-'));
  t = await startTarget('worker-app.mjs');
});
afterEach(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface SummaryDoc { classes: Array<{ name: string; count: number }> }
async function counts(file: string): Promise<Map<string, number>> {
  const r = await runCli(['summary', file, '--json', '-q']);
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as SummaryDoc).classes.map((c) => [c.name, c.count]));
}

describe('Node worker threads as targets', () => {
  it('--worker ID captures the worker\'s own heap through the process\'s inspector; without it, the main thread\'s', async () => {
    const worker = path.join(dir, 'worker.heapsnapshot');
    const r = await runCli(['capture', String(t.port), '--worker', '1', '-o', worker, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`attached to node.js/${process.version} at 127.0.0.1:${t.port} ([worker 1] heapscope-fixture-worker)`);
    const doc = JSON.parse(r.stdout) as { file: string; memory: { heapUsed: number; heapTotal: number; rss: number; pid: number } };
    expect(doc.file).toBe(worker);
    // The worker's heap is its own; RSS is the whole process's, found through its inspector port.
    expect(doc.memory.pid).toBe(t.pid);
    expect(doc.memory.rss).toBeGreaterThan(doc.memory.heapUsed);
    expect(doc.memory.heapUsed).toBeGreaterThan(0);

    const inWorker = await counts(worker);
    expect(inWorker.get('WorkerJob')).toBe(40);
    expect(inWorker.has('MainThreadOrder')).toBe(false);

    const main = path.join(dir, 'main.heapsnapshot');
    const m = await runCli(['capture', String(t.port), '-o', main, '-q']);
    expect(m.code, m.stderr).toBe(0);
    const inMain = await counts(main);
    expect(inMain.get('MainThreadOrder')).toBe(30);
    expect(inMain.has('WorkerJob')).toBe(false);
  });

  it('--worker TEXT matches the thread\'s title or URL; pid: works as the process TARGET', async () => {
    const out = path.join(dir, 'by-name.heapsnapshot');
    const r = await runCli(['capture', `pid:${t.pid}`, '--worker', 'fixture-worker', '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    expect((await counts(out)).get('WorkerJob')).toBe(40);
  });

  it('a series of the worker in one session stays comparable: the 40 new jobs show in diff', async () => {
    const session = await openCaptureSession({ target: String(t.port), worker: '1' });
    const files = [path.join(dir, 'w1.heapsnapshot'), path.join(dir, 'w2.heapsnapshot')];
    try {
      expect(session.target).toMatchObject({ type: 'worker', title: '[worker 1] heapscope-fixture-worker', worker: { workerId: '1' } });
      await session.capture({ out: files[0] });
      await t.next(); // 40 more WorkerJobs in the worker
      const second = await session.capture({ out: files[1] });
      expect(second.memory!.heapUsed).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
    const diff = await runCli(['diff', files[0]!, files[1]!, '--json', '-q']);
    expect(diff.code, diff.stderr).toBe(0);
    const job = (JSON.parse(diff.stdout) as { classes: Array<{ name: string; added: number; removed: number }> }).classes.find((c) => c.name === 'WorkerJob');
    expect(job).toMatchObject({ added: 40, removed: 0 });
  });

  it('--list shows the process and its worker thread; a selector that matches none is exit 2 with the list', async () => {
    const text = await runCli(['capture', String(t.port), '--list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/node\s+\S*worker-app\.mjs\s+file:\/\/\S+worker-app\.mjs/);
    expect(text.stdout).toMatch(/ {2}worker 1\s+\[worker 1\] heapscope-fixture-worker\s+file:\/\/\S+worker-app\.mjs/);
    expect(text.stdout).not.toContain(new URL(t.wsUrl!).pathname.slice(1));

    const json = await runCli(['capture', String(t.port), '--list', '--json']);
    const doc = JSON.parse(json.stdout) as { targets: Array<{ type: string; workers: Array<{ workerId: string; title: string }> }> };
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0]!.workers).toEqual([expect.objectContaining({ workerId: '1', type: 'worker', title: '[worker 1] heapscope-fixture-worker' })]);

    for (const sel of ['7', 'no-such-worker']) {
      const bad = await runCli(['capture', String(t.port), '--worker', sel, '-q']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/no worker thread at 127\.0\.0\.1:\d+ has id/);
      expect(bad.stderr).toContain('[worker 1] heapscope-fixture-worker');
    }
  });

  it('a process without worker threads: --worker is exit 2 and says so', async () => {
    const idle = await startTarget('idle.mjs');
    try {
      const r = await runCli(['capture', String(idle.port), '--worker', '1', '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/has no worker threads/);
    } finally {
      await idle.stop();
    }
  });
});
