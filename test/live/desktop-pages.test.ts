/**
 * The fixture pages (fixtures/pages/) in real headless Chromium, captured through heapscope in one
 * inspector session per page (baseline, target, final), then analysed by the CLI: detached rows
 * and a modal's forgotten listeners are leaks, a WeakMap-keyed DOM cache releases what it should.
 * Run `npm run build` first (the CLI runs from dist).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureSession, type CaptureResult } from '../../src/inspector/capture.js';
import { chromiumMissing, launchChromium, type RunningChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';
import { startPagesServer, type PagesServer } from '../helpers/pages-server.js';

const missing = chromiumMissing();
if (missing) process.stdout.write(`skipping fixture page tests: ${missing}\n`);

let server: PagesServer;
let dir: string;
const browsers: RunningChromium[] = [];

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-pages-'));
  server = await startPagesServer();
});

afterAll(async () => {
  for (const b of browsers.splice(0)) await b.stop();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Series { files: Record<'baseline' | 'target' | 'final', string>; results: CaptureResult[]; labels: string[] }

/**
 * Opens PAGE in a fresh Chromium and takes baseline, target and final in ONE capture session
 * (through `chromium:USER_DATA_DIR` and --pick), stepping the page between them with a driver
 * session that stays open throughout (any session closing would make V8 renumber the heap).
 */
async function captureSeries(page: string): Promise<Series> {
  const browser = await launchChromium(server.url(page));
  browsers.push(browser);
  const driver = await browser.openPage(page);
  const session = await openCaptureSession({ target: `chromium:${browser.userDataDir}`, pick: page });
  const names = ['baseline', 'target', 'final'] as const;
  const files = Object.fromEntries(names.map((n) => [n, path.join(dir, `${page}-${n}.heapsnapshot`)])) as Series['files'];
  const results: CaptureResult[] = [];
  const labels: string[] = ['baseline'];
  try {
    for (const [i, n] of names.entries()) {
      if (i > 0) labels.push(await driver.step());
      results.push(await session.capture({ out: files[n] }));
    }
  } finally {
    await session.close();
    await driver.close();
    await browser.stop();
  }
  return { files, results, labels };
}

interface Step { name: string; edge: string | null; function?: string }
interface LeakDoc { leaks: Array<{ name: string; count: number; retainedSize: number; type: string; path: string; retainerPath: Step[] }>; totalCount: number }
interface SummaryDoc { detached?: boolean; classes: Array<{ name: string; count: number; selfSize: number; retainedSize: number; key: string }> }
interface WeakDoc { counts: Record<string, number>; targets: Array<{ name: string; status?: string; holders: Array<{ kind: string }> }> }

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--json', '--quiet']);
  expect(r.code, r.stderr).toBe(r.code === 1 && args[0] === 'check' ? 1 : 0);
  return JSON.parse(r.stdout) as T;
}

const leaksOf = (s: Series) => cliJson<LeakDoc>(['leaks', '--baseline', s.files.baseline, '--target', s.files.target, '--final', s.files.final]);

describe.skipIf(missing)('fixture pages in Chromium', () => {
  it('detached rows: the 20 removed <tr> kept by the undo history are one leak, cells and text folded in; summary --detached lists them', async () => {
    const s = await captureSeries('detached-rows.html');
    expect(s.labels).toEqual(['baseline', 'target', 'final']);

    const leaks = await leaksOf(s);
    expect(leaks.leaks.map((l) => `${l.count} × ${l.name}`)).toEqual(['20 × Detached <tr>']);
    const rows = leaks.leaks[0]!;
    expect(rows.type).toBe('native');
    // Each row's two cells and their text are in the row's retained size, not leaks of their own.
    const full = await cliJson<SummaryDoc>(['summary', s.files.final]);
    const cls = (name: string) => full.classes.find((c) => c.name === name);
    expect(cls('Detached <td>')).toMatchObject({ count: 40 });
    expect(cls('Detached Text')).toMatchObject({ count: 40 });
    expect(rows.retainedSize).toBeGreaterThanOrEqual(cls('Detached <tr>')!.selfSize + cls('Detached <td>')!.selfSize + cls('Detached Text')!.selfSize);
    // The path says what keeps them: the page's undoHistory array.
    expect(rows.retainerPath.map((st) => st.edge)).toContain('undoHistory');
    expect(rows.retainerPath.at(-1)!.name).toBe('Detached <tr>');

    const detached = await cliJson<SummaryDoc>(['summary', s.files.final, '--detached']);
    expect(detached.detached).toBe(true);
    expect(detached.classes.every((c) => c.name.startsWith('Detached '))).toBe(true);
    expect(detached.classes.find((c) => c.name === 'Detached <tr>')).toMatchObject({ count: 20 });
    // A filter only: each row is the full Summary's row, number for number.
    for (const c of detached.classes) expect(full.classes).toContainEqual(c);
    // The baseline had no detached DOM.
    const before = await cliJson<SummaryDoc>(['summary', s.files.baseline, '--detached']);
    expect(before.classes.filter((c) => c.name.startsWith('Detached <'))).toEqual([]);

    const text = await runCli(['summary', s.files.final, '--detached', '-q']);
    expect(text.stdout).toMatch(/\d+ detached DOM nodes in \d+ classes/);
    expect(text.stdout).toMatch(/Detached <tr>\s+20\s/);
  });

  it('modal listeners: the keydown listeners found as a leak, each holding its detached modal', async () => {
    const s = await captureSeries('modal-listeners.html');
    const leaks = await leaksOf(s);
    const names = leaks.leaks.map((l) => `${l.count} × ${l.name}`);
    expect(names).toContain('10 × Detached <div>');
    const listeners = leaks.leaks.find((l) => l.type === 'closure' && l.retainerPath.at(-1)!.function === 'onModalKeydown');
    expect(listeners, names.join(', ')).toBeDefined();
    expect(listeners!.count).toBe(10);
    // Both hang off the document's event listener list; the modal through the listener's closure.
    expect(leaks.leaks.find((x) => x.name === 'Detached <div>')!.retainerPath.some((st) => st.function === 'onModalKeydown')).toBe(true);
    for (const l of [listeners!, leaks.leaks.find((x) => x.name === 'Detached <div>')!]) {
      expect(l.retainerPath.some((st) => st.name === 'HTMLDocument')).toBe(true);
      expect(l.retainerPath.some((st) => st.name === 'V8EventListener')).toBe(true);
    }
    // The modal's inner elements, its close button's listener and Blink's per-page bindings are not leaks of their own.
    expect(names.filter((n) => !['10 × Detached <div>', '10 × Function'].includes(n))).toEqual([]);

    // The renderer's own count shows the same: 10 more listeners than at baseline.
    const [baseline, , final] = s.results.map((r) => r.memory!);
    expect(final!.dom!.jsEventListeners - baseline!.dom!.jsEventListeners).toBeGreaterThanOrEqual(10);
    for (const m of [baseline!, final!]) {
      expect(m.heapUsed).toBeGreaterThan(0);
      expect(m.rss).toBeGreaterThan(m.heapUsed);
    }
  });

  it('WeakMap DOM cache: removed cards are released, the others kept by the page, and nothing leaks', async () => {
    const s = await captureSeries('weakmap-cache.html');
    const weak = await cliJson<WeakDoc>(['weak', s.files.baseline, s.files.target]);
    expect(weak.counts).toMatchObject({ released: 8, kept: 4, new: 0 });
    for (const t of weak.targets) {
      expect(t.name).toBe('<section>');
      expect(t.holders.map((h) => h.kind)).toEqual(['WeakMap']);
    }
    // In the baseline every card is a key held strongly by the page, none by the WeakMap alone.
    const first = await cliJson<WeakDoc>(['weak', s.files.baseline]);
    expect(first.counts).toMatchObject({ strong: 12, 'weak-only': 0 });

    const leaks = await leaksOf(s);
    expect(leaks.leaks.filter((l) => l.name.startsWith('Detached'))).toEqual([]);
    expect(leaks.totalCount).toBe(0);
    const detached = await cliJson<SummaryDoc>(['summary', s.files.final, '--detached']);
    expect(detached.classes.filter((c) => c.name.startsWith('Detached <'))).toEqual([]);
  });
});
