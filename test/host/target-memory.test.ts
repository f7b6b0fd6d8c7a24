/**
 * `target.memory` through the WebSocket against real fixture processes: plausible numbers from a
 * live Node target (its heap from the inspector, its RSS from /proc), readings that follow the
 * program's own growth, and typed errors for a target that is capturing, dead or unknown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTarget, type RunningTarget } from '../helpers/target.js';
import { startHost, type Host } from './harness.js';

const hosts: Host[] = [];
const targets: RunningTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.stop();
  for (const h of hosts.splice(0)) await h.close();
});

async function setup(fixture: string) {
  const t = await startTarget(fixture);
  targets.push(t);
  const h = await startHost();
  hosts.push(h);
  const c = await h.connect();
  const target = await c.call('target.attach', { address: `127.0.0.1:${t.port}` });
  return { t, h, c, target };
}

describe('target.memory', () => {
  it('reads a live Node target: rss > heapTotal >= heapUsed > 0, on the host clock', async () => {
    const { c, target } = await setup('idle.mjs');
    const before = Date.now();
    const m = await c.call('target.memory', { targetId: target.targetId });
    expect(m.heapUsed).toBeGreaterThan(1_000_000); // Node's own heap alone is a few MB
    expect(m.heapTotal).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.rss, 'RSS from /proc of the process listening on the inspector port').toBeDefined();
    expect(m.rss!).toBeGreaterThan(m.heapTotal);
    expect(m.rss!).toBeLessThan(4 * 1024 ** 3);
    expect(m.at).toBeGreaterThanOrEqual(before);
    expect(m.at).toBeLessThanOrEqual(Date.now());
    expect(Object.keys(m).sort()).toEqual(['at', 'heapTotal', 'heapUsed', 'rss']);

    // Readings repeat on the one session (no new inspector session, so snapshot ids stay comparable).
    const again = await c.call('target.memory', { targetId: target.targetId });
    expect(again.at).toBeGreaterThanOrEqual(m.at);
    const state = await c.call('session.state', {});
    expect(state.targets).toEqual([expect.objectContaining({ targetId: target.targetId, state: 'attached' })]);
  });

  it('reads several targets of one host at once, each its own process', async () => {
    const { h, c, target: idle } = await setup('idle.mjs');
    const big = await startTarget('generator.mjs', { args: ['30'] }); // ~160k objects more than idle
    targets.push(big);
    const other = await c.call('target.attach', { address: `127.0.0.1:${big.port}` });
    const [a, b] = await Promise.all([
      c.call('target.memory', { targetId: idle.targetId }),
      c.call('target.memory', { targetId: other.targetId }),
    ]);
    expect(b.heapUsed - a.heapUsed).toBeGreaterThan(5_000_000);
    expect(a.rss).toBeGreaterThan(a.heapUsed);
    expect(b.rss).toBeGreaterThan(b.heapUsed);
    expect(b.rss! - a.rss!).toBeGreaterThan(5_000_000);
    expect((await h.session.call('session.state', {}) as { targets: unknown[] }).targets).toHaveLength(2);
  });

  it('refuses while the target is capturing, and reads again once the snapshot is stored', async () => {
    const { c, target } = await setup('idle.mjs');
    const { captureId } = await c.call('capture.start', { targetId: target.targetId });
    const busy = await c.raw('target.memory', { targetId: target.targetId });
    expect(busy).toMatchObject({ ok: false, error: { name: 'TargetBusyError', field: 'targetId' } });
    if (!busy.ok) expect(busy.error.message).toMatch(/is capturing a snapshot/);
    const done = await c.waitFor('capture.progress', (p) => p.captureId === captureId && p.state !== 'running', 120_000);
    expect(done.state).toBe('done');
    // The snapshot carries its own reading, taken just before it.
    expect(done.snapshot!.heapUsed).toBeGreaterThan(0);
    expect(done.snapshot!.rss).toBeGreaterThan(done.snapshot!.heapUsed!);
    // The target leaves `capturing` just after the capture's last event.
    while ((await c.call('session.state', {})).targets[0]!.state !== 'attached') await new Promise((r) => setTimeout(r, 50));
    const m = await c.call('target.memory', { targetId: target.targetId });
    expect(m.rss).toBeGreaterThan(m.heapUsed);
  });

  it('a dead target answers TargetStateError naming it; an unknown id UnknownIdError; a malformed id RequestError', async () => {
    const { t, c, target } = await setup('idle.mjs');
    await t.stop();
    await c.waitFor('target.state', (d) => d.targetId === target.targetId && d.state === 'died', 30_000);
    const dead = await c.raw('target.memory', { targetId: target.targetId });
    expect(dead).toMatchObject({ ok: false, error: { name: 'TargetStateError', field: 'targetId' } });
    if (!dead.ok) expect(dead.error.message).toMatch(/has died/);

    const unknown = await c.raw('target.memory', { targetId: 'A'.repeat(22) });
    expect(unknown).toMatchObject({ ok: false, error: { name: 'UnknownIdError', field: 'targetId', message: 'targetId: no such target' } });
    const malformed = await c.raw('target.memory', { targetId: '../../etc/passwd' });
    expect(malformed).toMatchObject({ ok: false, error: { name: 'RequestError', field: 'targetId' } });
    const extra = await c.raw('target.memory', { targetId: target.targetId, pid: 1 });
    expect(extra).toMatchObject({ ok: false, error: { name: 'RequestError' } });
  });

  it('a detached target is refused too', async () => {
    const { c, target } = await setup('idle.mjs');
    await c.call('target.detach', { targetId: target.targetId });
    const r = await c.raw('target.memory', { targetId: target.targetId });
    expect(r).toMatchObject({ ok: false, error: { name: 'TargetStateError', field: 'targetId' } });
    if (!r.ok) expect(r.error.message).toMatch(/has detached/);
  });
});
