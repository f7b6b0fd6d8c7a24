/**
 * test/bench/flaky.mjs on a real Playwright run: a small browserless suite written into
 * test-results/ (Playwright must resolve @playwright/test from the repository), run by the script
 * itself with --repeat-each 3 once per build. Its leak test attaches a real leak report
 * (`heapscope check --json` on the committed listener-leak snapshots) and fails with heapscope's
 * verdict in the leaky build; FLAKY_DEMO=1 adds a test that fails on one repeat only and one that
 * passes on its retry (Playwright's own `flaky`). Run `npm run build` first (the CLI runs from dist).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturesDir, repoRoot } from '../helpers/target.js';

const FLAKY = path.join(repoRoot, 'test/bench/flaky.mjs');
let dir: string;
let reportFile: string;

const SPEC = `
import fs from 'node:fs';
import { test, expect } from '@playwright/test';

const build = process.env.APP_BUILD;

test('steady', () => {
  expect(build === 'leaky' || build === 'fixed').toBe(true);
});

test('closing frees it', async ({}, testInfo) => {
  const doc = JSON.parse(fs.readFileSync(process.env.HS_LEAK_REPORT, 'utf8'));
  // The fixed build: what check says of a heap without the leak.
  if (build === 'fixed') Object.assign(doc, { leaks: [], totalCount: 0, totalRetainedSize: 0, pass: true });
  const file = testInfo.outputPath('heapscope-leaks.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  await testInfo.attach('heapscope-leaks.json', { path: file, contentType: 'application/json' });
  if (!doc.pass) throw new Error('heapscope: ' + doc.totalCount + ' leaked objects in ' + doc.leaks.length + ' clusters, '
    + doc.totalRetainedSize + ' B retained: over budget');
});

if (process.env.FLAKY_DEMO) {
  test('fails on one repeat', ({}, testInfo) => {
    expect(testInfo.repeatEachIndex).not.toBe(1);
  });
  test('passes on its retry', ({}, testInfo) => {
    expect(testInfo.retry).toBe(1);
  });
}
`;

beforeAll(async () => {
  const base = path.join(repoRoot, 'test-results');
  mkdirSync(base, { recursive: true });
  dir = mkdtempSync(path.join(base, 'flaky-bench-'));
  writeFileSync(path.join(dir, 'playwright.config.mjs'), "export default { testDir: '.', workers: 1, retries: process.env.FLAKY_DEMO ? 1 : 0, reporter: 'list' };\n");
  writeFileSync(path.join(dir, 'leak.spec.ts'), SPEC);
  const snap = (n: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${n}.heapsnapshot.gz`);
  const check = await runCli(['check', '--baseline', snap('baseline'), '--target', snap('target'), '--final', snap('final'), '--json', '-q']);
  expect(check.code, check.stderr).toBe(1);
  reportFile = path.join(dir, 'listener-leak.json');
  writeFileSync(reportFile, check.stdout);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runFlaky(env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLAKY, '--repeat-each', '3', '--config', path.relative(repoRoot, path.join(dir, 'playwright.config.mjs'))], {
      cwd: repoRoot, env: { ...process.env, HS_LEAK_REPORT: reportFile, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const row = (stdout: string, build: string) => stdout.split('\n').find((l) => l.startsWith(`${build} `))!.trim().split(/\s{2,}/);

describe('test/bench/flaky.mjs on a real Playwright run', () => {
  it('a steady suite: the leaky build fails on the leak every run, the fixed passes every run, 0 flaky, exit 0', async () => {
    const r = await runFlaky();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // build, tests, runs, passed, failed, flaky, leak found, wall s, mean s/test, expected
    expect(row(r.stdout, 'leaky').slice(0, 7)).toEqual(['leaky', '2', '6', '3', '3', '0', '3/6']);
    expect(row(r.stdout, 'leaky')[9]).toBe('fail on the leak: yes');
    expect(row(r.stdout, 'fixed').slice(0, 7)).toEqual(['fixed', '2', '6', '6', '0', '0', '0/6']);
    expect(Number(row(r.stdout, 'fixed')[7])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/leaky: failing is the expected outcome here, not a flaky one: the leak is found each time \(3 of 3 repeats of closing frees it\)/);
    // The committed snapshots' four clusters (README, `leaks`), the same in every repeat.
    expect(r.stdout).toMatch(/leaky: leak\.spec\.ts:\d+ › closing frees it: 3× failed \(leaks over budget\): 1 × Array, 20 × Array, 20 × Function, 20 × Widget, leaked \d+ B/);
    expect(r.stdout).toMatch(/flaky: 0 flaky tests in 12 runs; every build did what it should/);
    expect(r.stderr).toContain('APP_BUILD=leaky npx playwright test -c');
  }, 180_000);

  it('a test that fails on one repeat and one that passes on its retry are both flaky: exit 1', async () => {
    const r = await runFlaky({ FLAKY_DEMO: '1' });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(row(r.stdout, 'fixed').slice(0, 6)).toEqual(['fixed', '4', '12', '11', '1', '2 (Playwright 3, repeats disagree 1)']);
    expect(r.stdout).toMatch(/fixed FLAKY: leak\.spec\.ts:\d+ › fails on one repeat: 2× passed \| 1× failed \(expect\(received\)\.not\.toBe\(expected\) \/\/ Object\.is equality\)/);
    expect(r.stdout).toMatch(/fixed FLAKY: leak\.spec\.ts:\d+ › passes on its retry: 3× passed/);
    // The leaky build also failed otherwise than on the leak: said, and not what it should do.
    expect(row(r.stdout, 'leaky')[9]).toBe('fail on the leak: NO (1 failed otherwise)');
    expect(r.stdout).toMatch(/flaky: 4 flaky tests in 24 runs; the leaky build did not fail on the leak/);
  }, 180_000);
});
