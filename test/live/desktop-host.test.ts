/**
 * A Chromium page through the dashboard's host (the same session code the web and desktop hosts
 * use): each captured snapshot carries the page's memory beside it, and the Summary's detached
 * filter (`summary.range` with `detached: true`) lists the detached DOM the page keeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureProgressDto } from '../../src/shared/contract.js';
import { chromiumMissing, launchChromium, type PageDriver, type RunningChromium } from '../helpers/chromium.js';
import { startPagesServer, type PagesServer } from '../helpers/pages-server.js';
import { startHost, type Client, type Host } from '../host/harness.js';

const missing = chromiumMissing();
if (missing) process.stdout.write(`skipping host tests with Chromium: ${missing}\n`);

let server: PagesServer;
let browser: RunningChromium;
let driver: PageDriver;
let host: Host;
let c: Client;

beforeAll(async () => {
  if (missing) return;
  server = await startPagesServer();
  browser = await launchChromium(server.url('modal-listeners.html'));
  driver = await browser.openPage('modal-listeners.html');
  host = await startHost();
  c = await host.connect();
});

afterAll(async () => {
  await host?.close();
  await driver?.close();
  await browser?.stop();
  await server?.close();
});

async function capture(targetId: string, name: string): Promise<CaptureProgressDto> {
  const { captureId } = await c.call('capture.start', { targetId, name });
  return c.waitFor('capture.progress', (p) => p.captureId === captureId && p.state !== 'running', 120_000);
}

describe.skipIf(missing)('a Chromium page in the dashboard host', () => {
  it('captures with the page\'s heap usage and its renderer\'s RSS in the snapshot\'s metadata, and filters the Summary to detached DOM', async () => {
    const target = await c.call('target.attach', { address: `127.0.0.1:${browser.port}` });
    expect(target).toMatchObject({ kind: 'page', title: 'heapscope fixture: modal listeners', state: 'attached' });

    const baseline = await capture(target.targetId, 'baseline');
    expect(baseline.error).toBeUndefined();
    const meta = baseline.snapshot!;
    expect(meta.heapUsed).toBeGreaterThan(0);
    expect(meta.heapTotal).toBeGreaterThanOrEqual(meta.heapUsed!);
    expect(meta.rss).toBeGreaterThan(meta.heapUsed!);
    // Stored with the snapshot: the session's list says the same.
    const listed = (await c.call('session.state', {})).snapshots.find((s) => s.snapshotId === meta.snapshotId);
    expect(listed).toMatchObject({ heapUsed: meta.heapUsed, heapTotal: meta.heapTotal, rss: meta.rss });

    const none = await c.call('summary.range', { snapshotId: meta.snapshotId, start: 0, end: 100, detached: true });
    expect(none.rows.filter((r) => r.name.startsWith('Detached <'))).toEqual([]);

    expect(await driver.step()).toBe('target'); // 10 modals opened and closed: their keydown listeners keep them
    const after = (await capture(target.targetId, 'target')).snapshot!;
    const detached = await c.call('summary.range', { snapshotId: after.snapshotId, start: 0, end: 100, detached: true });
    expect(detached.rows.length).toBeGreaterThan(0);
    expect(detached.rows.every((r) => r.detached === true && r.name.startsWith('Detached '))).toBe(true);
    // One <input> per modal; <div>s are the 10 modals plus what Chromium puts inside each <input> (its shadow tree).
    expect(detached.rows.find((r) => r.name === 'Detached <input>')).toMatchObject({ count: 10 });
    expect(detached.rows.find((r) => r.name === 'Detached <div>')!.count).toBeGreaterThanOrEqual(10);
    // Filtered, not recomputed: the same row as in the whole Summary.
    const all = await c.call('summary.range', { snapshotId: after.snapshotId, start: 0, end: 10_000 });
    expect(all.rows).toContainEqual(detached.rows.find((r) => r.name === 'Detached <div>'));
    expect(all.total).toBeGreaterThan(detached.total);
    // And combines with the name filter.
    const inputs = await c.call('summary.range', { snapshotId: after.snapshotId, start: 0, end: 100, detached: true, filter: '<input' });
    expect(inputs.rows.map((r) => r.name)).toEqual(['Detached <input>']);
  });
});
