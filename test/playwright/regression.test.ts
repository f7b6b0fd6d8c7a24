/**
 * The user's view of issue 6, end to end: test/regression/ is a Playwright suite written as a user
 * of heapscope/playwright writes one (a webServer serving the notes app, `heap.check` and the
 * three-snapshot form). Run against the leaky build it fails with a useful message and report;
 * against the fixed build it passes; `heapscope compare` on the two runs' output folders says the
 * clusters are fixed (and, the other way round, new: a regression that --fail-on new catches).
 * Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareDocument } from '../../src/analysis/compare-runs.js';
import type { LeakReportDocument } from '../../src/playwright/recorder.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/target.js';
import { attachedJson, attachedText, runPlaywright, type SuiteRun } from './run-suite.js';

const CONFIG = path.join(repoRoot, 'test/regression/playwright.config.ts');
const TESTS = ['closing a note frees its drawer', 'browsing every note keeps no drawer'];
let dir: string;
let leaky: SuiteRun;
let fixed: SuiteRun;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-regression-'));
  leaky = await runPlaywright(CONFIG, ['--output', path.join(dir, 'leaky')], { APP_BUILD: 'leaky' });
  fixed = await runPlaywright(CONFIG, ['--output', path.join(dir, 'fixed')], { APP_BUILD: 'fixed' });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a user\'s leak-regression suite (test/regression) on the notes app', () => {
  it('the leaky build fails both tests, each with the drawer cluster and the Set that keeps it', () => {
    expect(leaky.exitCode).toBe(1);
    expect(leaky.stats).toMatchObject({ expected: 0, unexpected: 2, flaky: 0 });
    expect(leaky.error(TESTS[0]!)).toMatch(/^Error: heapscope: 1 leaked object in 1 cluster, [\d.]+ kB retained: over budget/);
    expect(leaky.error(TESTS[1]!)).toMatch(/^Error: heapscope: 5 leaked objects in 1 cluster, [\d.]+ kB retained: over budget/);
    for (const t of TESTS) {
      expect(leaky.error(t)).toMatch(/\n {2}\d × Detached <aside> {2}[\d.]+ kB\n {6}.*context\.openPanels\.table → \(array\)\[\d+\] → Detached <aside> @\d+\n/);
    }
  });

  it('the leaky build attaches its report: JSON as check --json with the test, HTML with the verdict', () => {
    const attempt = leaky.test(TESTS[1]!).attempts[0]!;
    const doc = attachedJson<LeakReportDocument>(attempt, 'heapscope-leaks.json');
    expect(doc).toMatchObject({ pass: false, totalCount: 5, test: { title: TESTS[1], file: 'notes.spec.ts' } });
    expect(doc.leaks).toHaveLength(1);
    expect(doc.leaks[0]).toMatchObject({ name: 'Detached <aside>', count: 5, type: 'native' });
    expect(doc.leaks[0]!.path).toMatch(/context\.openPanels\.table → \(array\)\[\] → Detached <aside>$/);
    const html = attachedText(attempt, 'heapscope-leaks.html');
    expect(html).toContain('<span class="verdict">FAIL</span>');
    expect(html).toContain('Detached &lt;aside&gt;');
  });

  it('the fixed build passes both tests, and its reports say 0 leaks', () => {
    expect(TESTS.map((t) => fixed.error(t))).toEqual(['', '']);
    expect(fixed.exitCode).toBe(0);
    expect(fixed.stats).toMatchObject({ expected: 2, unexpected: 0, flaky: 0 });
    for (const t of TESTS) {
      const doc = attachedJson<LeakReportDocument>(fixed.test(t).attempts[0]!, 'heapscope-leaks.json');
      expect(doc).toMatchObject({ pass: true, totalCount: 0, leaks: [] });
    }
  });

  it('compare leaky → fixed: every cluster fixed, none new, none persisting', async () => {
    const r = await runCli(['compare', path.join(dir, 'leaky'), path.join(dir, 'fixed'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as CompareDocument;
    expect(doc.counts).toEqual({ fixed: 2, new: 0, persists: 0 });
    expect(doc.clusters.map((c) => [c.status, c.test, c.name, c.before?.count, c.after])).toEqual([
      ['fixed', TESTS[1], 'Detached <aside>', 5, null],
      ['fixed', TESTS[0], 'Detached <aside>', 1, null],
    ]);
    expect(doc.totalRetainedSize.after).toBe(0);
    expect(doc.tests).toEqual({ onlyInA: [], onlyInB: [] });
    const text = await runCli(['compare', path.join(dir, 'leaky'), path.join(dir, 'fixed')]);
    expect(text.stdout).toMatch(/\n2 fixed, 0 new, 0 persist; retained [\d.]+ kB → 0 B \(-[\d.]+ kB\)\n$/);
  });

  it('compare fixed → leaky: the leak is new, and --fail-on new exits 1', async () => {
    const r = await runCli(['compare', path.join(dir, 'fixed'), path.join(dir, 'leaky'), '--fail-on', 'new']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n0 fixed, 2 new, 0 persist;/);
    expect(r.stderr).toContain('--fail-on new: 2 new clusters');
  });
});
