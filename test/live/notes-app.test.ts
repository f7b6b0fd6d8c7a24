/**
 * The notes app (fixtures/pages/notes/) and its fixed twin in real headless Chromium, checked the
 * way a user would without any test framework: the pages served by test/regression/serve.mjs (or
 * opened from file://), `heapscope capture chromium:DIR --pick … -o a -o b -o c --stdin` for the
 * series (one inspector session), the page stepped over its own CDP session between snapshots,
 * then `heapscope check`. The leaky build must fail with one cluster, the fixed build pass.
 * Run `npm run build` first (the CLI runs from dist).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type PageDriver, type RunningChromium } from '../helpers/chromium.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { pagesDir } from '../helpers/pages-server.js';
import { repoRoot } from '../helpers/target.js';

const missing = chromiumMissing();
if (missing) process.stdout.write(`skipping notes app tests: ${missing}\n`);

let server: ChildProcess | undefined;
let origin = '';
let dir: string;
const browsers: RunningChromium[] = [];

/** Starts test/regression/serve.mjs on a free port; resolves with the URL it prints. */
async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'test/regression/serve.mjs')], {
    env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    for await (const line of lines) {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
      if (m) return { child, url: m[1]! };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`serve.mjs printed no URL (exit ${child.exitCode})\n${stderr}`);
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-notes-'));
  const s = await startServe();
  server = s.child;
  origin = s.url;
});

afterAll(async () => {
  for (const b of browsers.splice(0)) await b.stop();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Build = 'leaky' | 'fixed';
interface Series { files: [string, string, string]; labels: string[]; panels: number[] }

/**
 * Opens URL in a fresh Chromium and takes baseline, target and final with the CLI (`capture
 * --stdin`, one session), stepping the page between snapshots with a driver session that stays
 * open throughout (a session closing would make V8 renumber the heap).
 */
async function captureSeries(url: string, pick: string, name: string): Promise<Series> {
  const browser = await launchChromium(url);
  browsers.push(browser);
  const files = ['a', 'b', 'c'].map((n) => path.join(dir, `${name}-${n}.heapsnapshot`)) as Series['files'];
  let driver: PageDriver | undefined;
  try {
    driver = await browser.openPage(pick);
    const labels = ['baseline'];
    const panels = [await driver.evaluate<number>('openPanels.size')];
    const capture = spawn(process.execPath, [
      cliPath, 'capture', `chromium:${browser.userDataDir}`, '--pick', pick,
      '-o', files[0], '-o', files[1], '-o', files[2], '--stdin', '-q',
    ], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    capture.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const exited = once(capture, 'exit');
    const written: string[] = [];
    for await (const line of createInterface({ input: capture.stdout! })) {
      written.push(line);
      if (written.length === 3) break;
      labels.push(await driver.step());
      panels.push(await driver.evaluate<number>('openPanels.size'));
      capture.stdin!.write('\n');
    }
    capture.stdin!.end();
    const [code] = await exited;
    expect(code, stderr).toBe(0);
    expect(written).toEqual(files);
    return { files, labels, panels };
  } finally {
    await driver?.close();
    await browser.stop();
  }
}

interface Step { name: string; edge: string | null }
interface CheckDoc {
  pass: boolean; totalCount: number; totalRetainedSize: number; candidates: number;
  leaks: Array<{ name: string; count: number; retainedSize: number; selfSize: number; type: string; path: string; retainerPath: Step[] }>;
}
interface SummaryDoc { classes: Array<{ name: string; count: number; selfSize: number }> }

async function check(s: Series): Promise<{ code: number | null; doc: CheckDoc; text: string }> {
  const args = ['check', '--baseline', s.files[0], '--target', s.files[1], '--final', s.files[2], '-q'];
  const json = await runCli([...args, '--json']);
  const text = await runCli(args);
  expect(text.code).toBe(json.code);
  return { code: json.code, doc: JSON.parse(json.stdout) as CheckDoc, text: text.stdout };
}

/** The leaky build's verdict: one cluster, the 5 closed drawers kept by openPanels, their insides folded in. */
async function expectLeakyVerdict(s: Series): Promise<void> {
  expect(s.labels).toEqual(['baseline', 'target', 'final']);
  expect(s.panels).toEqual([0, 5, 5]);
  const { code, doc, text } = await check(s);
  expect(code).toBe(1);
  expect(doc.pass).toBe(false);
  expect(doc.leaks.map((l) => `${l.count} × ${l.name}`)).toEqual(['5 × Detached <aside>']);
  const drawers = doc.leaks[0]!;
  expect(drawers.type).toBe('native');
  expect(doc.totalCount).toBe(5);
  expect(drawers.retainerPath.map((st) => st.edge)).toContain('openPanels');
  expect(drawers.path).toMatch(/openPanels\.table → \(array\)\[\] → Detached <aside>$/);
  // Each drawer's elements are in its retained size: 5 headings, 5 Close buttons, 8 tags.
  const summary = JSON.parse((await runCli(['summary', s.files[2], '--detached', '--json', '-q'])).stdout) as SummaryDoc;
  const cls = (name: string) => summary.classes.find((c) => c.name === name);
  expect(cls('Detached <aside>')).toMatchObject({ count: 5 });
  expect(cls('Detached <button>')).toMatchObject({ count: 5 });
  expect(cls('Detached <li>')).toMatchObject({ count: 8 });
  const inside = ['Detached <aside>', 'Detached <h2>', 'Detached <p>', 'Detached <ul>', 'Detached <li>', 'Detached <button>'];
  expect(drawers.retainedSize).toBeGreaterThan(inside.reduce((sum, n) => sum + (cls(n)?.selfSize ?? 0), 0));
  expect(text).toMatch(/5 × Detached <aside>\s+\d+(\.\d+)? kB\s+.*openPanels/);
  expect(text).toMatch(/FAIL: 5 leaked objects in 1 cluster, [\d.]+ kB retained: over budget/);
}

describe.skipIf(missing)('notes app in Chromium, checked with the CLI', () => {
  it('the two builds differ in one line: <html data-build>', () => {
    const lines = (b: Build) => readFileSync(path.join(pagesDir, 'notes', b, 'index.html'), 'utf8').split('\n');
    const [leaky, fixed] = [lines('leaky'), lines('fixed')];
    expect(leaky.length).toBe(fixed.length);
    const differing = leaky.map((l, i) => [l, fixed[i]]).filter(([l, f]) => l !== f);
    expect(differing).toEqual([['<html lang="en" data-build="leaky">', '<html lang="en" data-build="fixed">']]);
  });

  it('leaky build (served by serve.mjs): check fails with one cluster, 5 × Detached <aside> kept by openPanels', async () => {
    const s = await captureSeries(`${origin}notes/leaky/`, 'notes/leaky', 'http-leaky');
    await expectLeakyVerdict(s);
  });

  it('fixed build (served by serve.mjs): check passes with 0 leaks', async () => {
    const s = await captureSeries(`${origin}notes/fixed/`, 'notes/fixed', 'http-fixed');
    expect(s.labels).toEqual(['baseline', 'target', 'final']);
    expect(s.panels).toEqual([0, 1, 0]);
    const { code, doc, text } = await check(s);
    expect(code, text).toBe(0);
    expect(doc).toMatchObject({ pass: true, totalCount: 0, totalRetainedSize: 0, leaks: [] });
    // Things were born between baseline and target and survived (code, shapes, constants): the rules left them out.
    expect(doc.candidates).toBeGreaterThan(0);
    expect(text).toMatch(/PASS: 0 leaked objects in 0 clusters/);
  });

  it('leaky build from file:// (no server): the same verdict', async () => {
    const url = pathToFileURL(path.join(pagesDir, 'notes', 'leaky', 'index.html')).href;
    const s = await captureSeries(url, 'notes/leaky', 'file-leaky');
    await expectLeakyVerdict(s);
  });
});
