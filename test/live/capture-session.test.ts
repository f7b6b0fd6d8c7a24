import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCaptureSession, type CaptureSession } from '../../src/inspector/capture.js';
import { CaptureIncompleteError } from '../../src/inspector/errors.js';
import { FileIoError } from '../../src/shared/errors.js';
import { fakeInspector, type FakeServer } from '../helpers/fake-inspector.js';
import { startTarget, type RunningTarget } from '../helpers/target.js';

// The library side of a series: openCaptureSession against real targets.

let dir: string;
const started: RunningTarget[] = [];
const sessions: CaptureSession[] = [];
const servers: FakeServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-session-'));
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const s of servers.splice(0)) await s.close();
  for (const t of started.splice(0)) await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(t: RunningTarget | string, deadlines?: { stallMs?: number }): Promise<CaptureSession> {
  const s = await openCaptureSession({ target: typeof t === 'string' ? t : String(t.port), deadlines });
  sessions.push(s);
  return s;
}

async function target(name = 'idle.mjs', options?: Parameters<typeof startTarget>[1]): Promise<RunningTarget> {
  const t = await startTarget(name, options);
  started.push(t);
  return t;
}

function nodeIds(file: string): Set<number> {
  const j = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const width = j.snapshot.meta.node_fields.length;
  const at = j.snapshot.meta.node_fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = at; i < j.nodes.length; i += width) ids.add(j.nodes[i]!);
  return ids;
}

describe('openCaptureSession', () => {
  it('takes several snapshots over one session; progress per capture; close ends it', async () => {
    const t = await target();
    const s = await open(t);
    expect(s.target).toMatchObject({ address: `127.0.0.1:${t.port}`, browser: expect.stringMatching(/^node\.js\//) });
    expect(JSON.stringify(s.target)).not.toContain(new URL(t.wsUrl!).pathname.slice(1));
    const phases: string[] = [];
    const a = await s.capture({ out: path.join(dir, 'a.heapsnapshot'), onProgress: (p) => phases.push(p.phase) });
    const b = await s.capture({ out: path.join(dir, 'b.heapsnapshot'), gc: true });
    expect(phases).toContain('write');
    expect(phases.at(-1)).toBe('done');
    expect(a.nodeCount).toBeGreaterThan(1000);
    expect(b.file).toBe(path.join(dir, 'b.heapsnapshot'));
    // Same session: nearly every odd id of a is still there in b.
    const ia = nodeIds(a.file);
    const ib = nodeIds(b.file);
    let kept = 0;
    for (const id of ia) if (id & 1 && ib.has(id)) kept++;
    expect(kept / [...ia].filter((id) => id & 1).length).toBeGreaterThan(0.95);
    expect(s.isOpen).toBe(true);
    await s.close();
    expect(s.isOpen).toBe(false);
    await expect(s.capture({ out: path.join(dir, 'c.heapsnapshot') })).rejects.toThrow(/incomplete: the session was closed/);
    expect(readdirSync(dir).sort()).toEqual(['a.heapsnapshot', 'b.heapsnapshot']);
    await s.close(); // twice is fine
  });

  it('calls made while a capture runs wait their turn', async () => {
    const t = await target();
    const s = await open(t);
    const results = await Promise.all(['1', '2', '3'].map((n) => s.capture({ out: path.join(dir, `${n}.heapsnapshot`) })));
    for (const r of results) expect(JSON.parse(readFileSync(r.file, 'utf8')).snapshot.node_count).toBe(r.nodeCount);
    expect(readdirSync(dir).sort()).toEqual(['1.heapsnapshot', '2.heapsnapshot', '3.heapsnapshot']);
  });

  it('`lost` says when the target exits between captures; later captures reject with the reason', async () => {
    const t = await target();
    const s = await open(t);
    await s.capture({ out: path.join(dir, 'a.heapsnapshot') });
    await t.stop();
    const lost = await s.lost;
    expect(lost).toBeInstanceOf(CaptureIncompleteError);
    expect(lost.reason).toBe('the target exited (its inspector no longer answers)');
    expect(s.isOpen).toBe(false);
    const err = await s.capture({ out: path.join(dir, 'b.heapsnapshot') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureIncompleteError);
    expect((err as CaptureIncompleteError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/the target exited/);
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
  });

  it('a file that cannot be created fails that capture only; the session goes on', async () => {
    const t = await target();
    const s = await open(t);
    await expect(s.capture({ out: path.join(dir, 'missing', 'a.heapsnapshot') })).rejects.toThrow(FileIoError);
    expect(s.isOpen).toBe(true);
    await s.capture({ out: path.join(dir, 'b.heapsnapshot') });
    expect(readdirSync(dir)).toEqual(['b.heapsnapshot']);
  });

  it('cancelling a capture ends the session (V8 cannot stop a snapshot it has begun); no file left', async () => {
    const t = await target('generator.mjs', { args: ['30'] });
    const s = await open(t);
    const controller = new AbortController();
    const err = await s.capture({
      out: path.join(dir, 'a.heapsnapshot'), signal: controller.signal,
      onProgress: (p) => { if (p.phase === 'write' && p.bytes > 1e6) controller.abort(); },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/incomplete: cancelled \(received/);
    expect(s.isOpen).toBe(false);
    expect((await s.lost).reason).toBe('cancelled');
    expect(readdirSync(dir)).toEqual([]);
    expect(t.exited).toBe(false);
  });

  it('a stalled capture ends the session, so a late snapshot cannot leak into the next file', async () => {
    // An inspector that enables HeapProfiler and then never answers takeHeapSnapshot.
    const fake = await fakeInspector((ws) => ws.on('message', (m) => {
      const { id, method } = JSON.parse(m.toString()) as { id: number; method: string };
      if (method !== 'HeapProfiler.takeHeapSnapshot') ws.send(JSON.stringify({ id, result: {} }));
    }));
    servers.push(fake);
    const s = await open(String(fake.port), { stallMs: 300 });
    await expect(s.capture({ out: path.join(dir, 'a.heapsnapshot') })).rejects.toThrow(/incomplete: HeapProfiler\.takeHeapSnapshot: the target sent nothing for 0\.3 s/);
    expect(s.isOpen).toBe(false);
    expect((await s.lost).reason).toMatch(/^an earlier capture stalled/);
    await expect(s.capture({ out: path.join(dir, 'b.heapsnapshot') })).rejects.toThrow(/an earlier capture stalled/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
