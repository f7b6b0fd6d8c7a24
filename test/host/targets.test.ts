/**
 * Targets and captures through the WebSocket, against real fixture processes: attach, capture with
 * progress into the store, two snapshots of one inspector session that diff, cancel, and a target
 * killed mid-capture.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureProgressDto, UiEventMessage } from '../../src/shared/contract.js';
import { startTarget, type RunningTarget } from '../helpers/target.js';
import { startHost, type Client, type Host } from './harness.js';

const hosts: Host[] = [];
const targets: RunningTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.stop();
  for (const h of hosts.splice(0)) await h.close();
});

async function setup(fixture: string, args: string[] = []) {
  const t = await startTarget(fixture, { args });
  targets.push(t);
  const h = await startHost();
  hosts.push(h);
  const c = await h.connect();
  return { t, h, c };
}

function finished(c: Client, captureId: string): Promise<CaptureProgressDto> {
  return c.waitFor('capture.progress', (p) => p.captureId === captureId && p.state !== 'running', 120_000);
}

/** The UUID in the inspector's URL is the target's only secret: no message may carry it. */
function expectNoSecret(t: RunningTarget, events: UiEventMessage[], ...more: unknown[]): void {
  const uuid = new URL(t.wsUrl!).pathname.slice(1);
  expect(uuid.length).toBeGreaterThan(10);
  expect(JSON.stringify([events, more])).not.toContain(uuid);
}

async function storeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f !== 'index.json');
}

describe('targets and captures', () => {
  it('attaches, captures two snapshots of one session with progress, and diffs them', async () => {
    const { t, h, c } = await setup('listener-leak.mjs');
    const target = await c.call('target.attach', { address: `127.0.0.1:${t.port}` });
    expect(target).toMatchObject({ state: 'attached', kind: 'node', address: `127.0.0.1:${t.port}`, started: false });
    expect(target.targetId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await c.waitFor('target.state', (d) => d.targetId === target.targetId && d.state === 'attached');

    const { captureId } = await c.call('capture.start', { targetId: target.targetId, name: 'baseline', gc: true });
    const first = await finished(c, captureId);
    expect(first.error).toBeUndefined();
    expect(first.state).toBe('done');
    const phases = c.events.filter((e) => e.event === 'capture.progress' && (e.data as CaptureProgressDto).captureId === captureId)
      .map((e) => (e.data as CaptureProgressDto).phase);
    expect(phases[0]).toBe('gc');
    expect(phases).toContain('write');
    expect(phases.at(-1)).toBe('load');
    expect(first.snapshot).toMatchObject({ name: 'baseline', source: 'capture', targetId: target.targetId, loaded: true });
    expect(first.snapshot!.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await c.waitFor('target.state', (d) => d.state === 'capturing');

    await t.next(); // 20 Widgets opened
    const second = await finished(c, (await c.call('capture.start', { targetId: target.targetId, name: 'opened' })).captureId);
    expect(second.state).toBe('done');
    expect(second.snapshot!.sessionId).toBe(first.snapshot!.sessionId);

    const diff = await c.call('diff.classes', { beforeId: first.snapshot!.snapshotId, afterId: second.snapshot!.snapshotId, start: 0, end: 100 });
    expect(diff.rows.find((r) => r.name === 'Widget')).toMatchObject({ added: 20, removed: 0, countDelta: 20 });

    const state = await c.call('session.state', {});
    expect(state.snapshots.map((s) => s.name)).toEqual(['baseline', 'opened']);
    expect(state.targets).toEqual([expect.objectContaining({ targetId: target.targetId, state: 'attached' })]);
    expect(state.captures).toEqual([]);
    expect((await storeFiles(h.dir)).sort()).toEqual([`${first.snapshot!.snapshotId}.heapsnapshot`, `${second.snapshot!.snapshotId}.heapsnapshot`].sort());
    expectNoSecret(t, c.events, target, state);

    expect(await c.call('target.detach', { targetId: target.targetId })).toEqual({ detached: true });
    await c.waitFor('target.state', (d) => d.state === 'detached');
    expect(await c.raw('capture.start', { targetId: target.targetId })).toMatchObject({ ok: false, error: { name: 'TargetStateError' } });
  });

  it('attaches by ws:// URL without ever repeating it', async () => {
    const { t, c } = await setup('idle.mjs');
    const target = await c.call('target.attach', { address: t.wsUrl! });
    expect(target.state).toBe('attached');
    expectNoSecret(t, c.events, target, await c.call('session.state', {}));
  });

  it('reports an address with no inspector as unreachable', async () => {
    const { c } = await setup('idle.mjs');
    const r = await c.raw('target.attach', { address: '127.0.0.1:1' });
    expect(r).toMatchObject({ ok: false, error: { name: 'TargetUnreachableError', exitCode: 3 } });
  });

  it('cancels a capture: state cancelled, no file left, and the next capture works in a new session', async () => {
    const { t, h, c } = await setup('generator.mjs', ['40']);
    const target = await c.call('target.attach', { address: `127.0.0.1:${t.port}` });
    const { captureId } = await c.call('capture.start', { targetId: target.targetId });
    await c.waitFor('capture.progress', (p) => p.captureId === captureId && (p.phase === 'graph' || p.phase === 'write'));
    expect(await c.call('capture.cancel', { captureId })).toEqual({ cancelled: true });
    const end = await finished(c, captureId);
    expect(end.state).toBe('cancelled');
    expect(await storeFiles(h.dir)).toEqual([]);
    expect((await c.call('session.state', {})).snapshots).toEqual([]);
    expect(await c.raw('capture.cancel', { captureId })).toMatchObject({ ok: false, error: { field: 'captureId' } });

    const again = await finished(c, (await c.call('capture.start', { targetId: target.targetId })).captureId);
    expect(again.error).toBeUndefined();
    expect(again.state).toBe('done');
    expect(again.snapshot!.name).toBe('Snapshot 1');
    const state = await c.call('session.state', {});
    expect(state.targets[0]!.state).toBe('attached');
  });

  it('a target killed mid-capture: the capture fails clearly and the target shows as died', async () => {
    const { t, h, c } = await setup('generator.mjs', ['120']);
    const target = await c.call('target.attach', { address: `127.0.0.1:${t.port}` });
    const { captureId } = await c.call('capture.start', { targetId: target.targetId });
    await c.waitFor('capture.progress', (p) => p.captureId === captureId && p.phase === 'write' && p.done > 0);
    await t.stop();
    const end = await finished(c, captureId);
    expect(end.state).toBe('failed');
    expect(end.error).toMatchObject({ name: 'CaptureIncompleteError', exitCode: 4 });
    expect(end.error!.message).toContain('incomplete');
    const died = await c.waitFor('target.state', (d) => d.targetId === target.targetId && d.state === 'died');
    expect(died.reason).toContain('exited');
    expect(await storeFiles(h.dir)).toEqual([]);
    const r = await c.raw('capture.start', { targetId: target.targetId });
    expect(r).toMatchObject({ ok: false, error: { name: 'TargetStateError' } });
  });

  it('notices a target that dies while idle', async () => {
    const { t, c } = await setup('idle.mjs');
    const target = await c.call('target.attach', { address: `127.0.0.1:${t.port}` });
    await t.stop();
    const died = await c.waitFor('target.state', (d) => d.targetId === target.targetId && d.state === 'died', 10_000);
    expect(died.reason).toContain('the target exited');
  });
});
