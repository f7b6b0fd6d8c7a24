/**
 * The `heapscope/playwright` fixture's own tests: test/heap-fixture/ is a Playwright suite that
 * uses the fixture as a user would (real Chromium pages, a real Node server), run here in a child
 * `playwright test --workers 2` with the JSON reporter. Some of its tests fail on purpose
 * (`test.fail()`): this file checks how they fail (the message, the attachments, the files left),
 * that retries and parallel workers keep their snapshots apart, and that a page crashing
 * mid-snapshot fails fast. Needs `npm run build` (the suite imports heapscope/playwright from dist).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeakReportDocument } from '../../src/playwright/recorder.js';
import { repoRoot } from '../helpers/target.js';
import { attachedJson, attachedText, runPlaywright, type Attempt, type SuiteRun } from './run-suite.js';

const CONFIG = path.join(repoRoot, 'test/heap-fixture/playwright.config.ts');
let out: string;
let run: SuiteRun;

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'heapscope-fixture-'));
  run = await runPlaywright(CONFIG, ['--workers', '2'], { HEAPSCOPE_FIXTURE_OUT: out });
}, 600_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/** heapscope's attachments (Playwright adds its own error-context). */
const names = (a: Attempt) => a.attachments.map((x) => x.name).filter((n) => n.startsWith('heapscope-')).sort();
const SNAPSHOTS = ['heapscope-baseline.heapsnapshot', 'heapscope-final.heapsnapshot', 'heapscope-target.heapsnapshot'];
const REPORTS = ['heapscope-leaks.html', 'heapscope-leaks.json'];

describe('heapscope/playwright in a real suite (test/heap-fixture, 2 workers)', () => {
  it('every test ends as it should: the retried one is flaky, nothing else unexpected', () => {
    const wrong = run.tests.filter((t) => t.title !== 'a leak on the first attempt, none on the retry' && t.attempts.at(-1)!.status !== t.expectedStatus)
      .map((t) => `${t.title}: ${t.attempts.at(-1)!.status}, expected ${t.expectedStatus}: ${run.error(t.title).slice(0, 300)}`);
    expect(wrong).toEqual([]);
    expect(run.stats).toMatchObject({ unexpected: 0, flaky: 1 });
    expect(run.exitCode).toBe(0);
  });

  it('a leak fails with a readable message: verdict, cluster, retainer path, where the report is', () => {
    const msg = run.error('a leak fails with the cluster, its path and the report');
    expect(msg).toMatch(/^Error: heapscope: 1 leaked object in 1 cluster, [\d.]+ kB retained: over budget \(1 objects > 0 allowed, [\d.]+ kB > 0 B allowed\)\n/);
    expect(msg).toMatch(/\n {2}1 × Detached <div> {2}[\d.]+ kB\n {6}\(GC roots\).*\.closedPanels → Array\[0\] → Detached <div> @\d+\n/);
    expect(msg).toContain('Report: heapscope-leaks.html and .json, attached (in ');
    expect(msg).toMatch(/Left out: \d+ objects kept only by the test harness/);
  });

  it('the failing test attaches the JSON and HTML reports and its three snapshots', () => {
    const attempt = run.test('a leak fails with the cluster, its path and the report').attempts[0]!;
    expect(names(attempt)).toEqual([...SNAPSHOTS, ...REPORTS].sort());
    const doc = attachedJson<LeakReportDocument>(attempt, 'heapscope-leaks.json');
    expect(doc).toMatchObject({
      pass: false, totalCount: 1, budgets: { maxLeakedBytes: 0, maxLeakedObjects: 0, ignoreClass: [] },
      heapscope: { report: 'leaks' }, source: 'page http://heapscope.test/',
      test: { title: 'a leak fails with the cluster, its path and the report', file: 'budgets.spec.ts', project: '', retry: 0, repeatEachIndex: 0 },
    });
    expect(doc.leaks.map((c) => [c.count, c.name, c.type])).toEqual([[1, 'Detached <div>', 'native']]);
    expect(doc.leaks[0]!.path).toMatch(/closedPanels → Array\[\] → Detached <div>$/);
    expect(doc.harness.count).toBeGreaterThan(0);
    for (const f of [doc.baseline, doc.target, doc.final]) expect(existsSync(f), f).toBe(true);
    const html = attachedText(attempt, 'heapscope-leaks.html');
    expect(html).toContain('<span class="verdict">FAIL</span>');
    expect(html).toContain('Detached &lt;div&gt;');
    expect(html).not.toContain('Detached <div>');
    expect(html).not.toMatch(/<script/i);
  });

  it('budgets: objects over, bytes over, test.use defaults and the matcher\'s own', () => {
    expect(run.error('over the object budget fails')).toMatch(/over budget \(3 objects > 2 allowed\)\n/);
    expect(run.error('over the byte budget fails')).toMatch(/over budget \([\d.]+ kB > 1\.0 kB allowed\)\n/);
    expect(run.error('and the matcher\'s own budgets win')).toMatch(/^Error: heapscope: 2 leaked objects in 1 cluster, .* over budget \(2 objects > 1 allowed\)/);
    expect(run.error('heap.check fails like the matcher')).toMatch(/^Error: heapscope: 1 leaked object in 1 cluster, .*over budget \(.*> 100 B allowed\)/);
    const within = run.test('a leak within both budgets passes').attempts[0]!;
    expect(attachedJson<LeakReportDocument>(within, 'heapscope-leaks.json')).toMatchObject({ pass: true, totalCount: 3, budgets: { maxLeakedObjects: 3, maxLeakedBytes: 50_000 } });
  });

  it('retries: each attempt has its own folder, snapshots and report', () => {
    const t = run.test('a leak on the first attempt, none on the retry');
    expect(t.attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
    const [first, second] = t.attempts.map((a) => attachedJson<LeakReportDocument>(a, 'heapscope-leaks.json'));
    expect([first!.pass, first!.test!.retry, second!.pass, second!.test!.retry]).toEqual([false, 0, true, 1]);
    expect(path.dirname(first!.final)).not.toBe(path.dirname(second!.final));
    expect(path.basename(path.dirname(second!.final))).toMatch(/-retry1$/);
    // The failed attempt kept its snapshots; the passing retry deleted its own.
    expect(existsSync(first!.final)).toBe(true);
    expect(existsSync(second!.final)).toBe(false);
    expect(run.error('a leak on the first attempt, none on the retry')).toBe('');
    expect(t.attempts[0]!.errors[0]!.message).toMatch(/heapscope: 1 leaked object in 1 cluster/);
  });

  it('parallel workers: every report holds its own test\'s leak, from its own folder', () => {
    const workers = new Set<number>();
    for (const n of [1, 2, 3, 4]) {
      const t = run.test(`worker test leaking ${n} panel${n > 1 ? 's' : ''}`);
      const a = t.attempts[0]!;
      expect(a.status).toBe('passed');
      const doc = attachedJson<LeakReportDocument>(a, 'heapscope-leaks.json');
      expect(doc.leaks.map((c) => `${c.count} ${c.name}`)).toEqual([`${n + 1} Detached <div>`]);
      expect(doc.test!.workerIndex).toBe(a.workerIndex);
      for (const f of [doc.baseline, doc.target]) expect(path.dirname(f)).toBe(path.dirname(doc.final));
      expect(path.basename(path.dirname(doc.final))).toContain(`leaking-${n}-panel`);
    }
    for (const t of run.tests) for (const a of t.attempts) workers.add(a.workerIndex);
    expect(workers.size).toBeGreaterThanOrEqual(2);
  });

  it('snapshot files: on-failure (default), never, always', () => {
    const files = (title: string) => {
      const a = run.test(title).attempts[0]!;
      const doc = attachedJson<LeakReportDocument>(a, 'heapscope-leaks.json');
      const left = readdirSync(path.dirname(doc.final)).filter((f) => f.endsWith('.heapsnapshot')).sort();
      return { attached: names(a), left };
    };
    expect(files('on-failure (default): a passing test keeps none')).toEqual({ attached: REPORTS, left: [] });
    expect(files('on-failure (default): a failing test keeps and attaches all three')).toEqual({ attached: [...SNAPSHOTS, ...REPORTS].sort(), left: SNAPSHOTS });
    expect(files('a failing test keeps only the reports')).toEqual({ attached: REPORTS, left: [] });
    expect(files('a passing test keeps and attaches them')).toEqual({ attached: [...SNAPSHOTS, ...REPORTS].sort(), left: SNAPSHOTS });
  });

  it('a page that crashes mid-snapshot fails in seconds with a clear error, and leaves no file', () => {
    const caught = run.test('the renderer dies mid-snapshot: CaptureIncompleteError in seconds, no file').attempts[0]!;
    expect(caught.status).toBe('passed');
    const t = run.test('a crash that nobody catches fails the test with that message').attempts[0]!;
    expect(t.status).toBe('failed');
    expect(t.duration).toBeLessThan(30_000);
    expect(run.error('a crash that nobody catches fails the test with that message'))
      .toMatch(/^CaptureIncompleteError: capture from page http:\/\/heapscope\.test\/ incomplete: the page crashed \(its renderer process died\)/);
  });

  it('the harness is left out: heavy Playwright use reports nothing, and a leak it also holds keeps the page\'s path', () => {
    const heavy = run.test('heavy Playwright use between the snapshots reports nothing on a page that does not leak').attempts[0]!;
    expect(heavy.status).toBe('passed');
    const doc = attachedJson<LeakReportDocument>(heavy, 'heapscope-leaks.json');
    expect(doc).toMatchObject({ pass: true, totalCount: 0 });
    expect(doc.harness.count).toBeGreaterThan(100);
    expect(run.test('a leak the harness also holds is still the page\'s leak').attempts[0]!.status).toBe('passed');
  });

  it('toRelease names what keeps each weakly held object, and refuses to judge nothing', () => {
    const kept = run.error('a strong array behind the weak references: toRelease names what keeps each one');
    expect(kept).toMatch(/^Error: heapscope: 8 of 8 Widget objects that weak references hold are still strongly reachable \(0 released; heapscope-baseline\.heapsnapshot → heapscope-weak\.heapsnapshot\):\n/);
    expect(kept).toMatch(/ {2}Widget @\d+ \(((WeakMap|WeakRef|FinalizationRegistry) @\d+(, )?){3}\), [\d.]+ (kB|B) retained, kept by:\n {6}.*lastClosed → Array\[\d+\] → Widget @\d+/);
    expect(run.error('nothing of that class is weakly held: the matcher cannot judge, and fails'))
      .toMatch(/^Error: heapscope: no object of class Gadget is held by a WeakRef, WeakMap, WeakSet or FinalizationRegistry in heapscope-weak\.heapsnapshot, so toRelease cannot judge it \(weakly held classes: .*Widget/);
    expect(names(run.test('weakly held widgets are released once the app drops them').attempts[0]!)).toEqual(['heapscope-weak.json']);
  });

  it('nodeHeap: a leaking server fails on its Session cluster, the fixed one passes, and both processes are gone', () => {
    const msg = run.error('a server that forgets to end sessions fails with the Session cluster');
    expect(msg).toMatch(/^Error: heapscope: \d+ leaked objects in \d+ clusters, .* over budget/);
    expect(msg).toMatch(/\n {2}10 × Session {2}[\d.]+ kB\n {6}module session-server\.mjs → context\.sessions\.table → \(array\)\[\d+\] → Session @\d+\n/);
    const leaky = run.test('a server that forgets to end sessions fails with the Session cluster');
    expect(names(leaky.attempts[0]!)).toEqual(['heapscope-node-baseline.heapsnapshot', 'heapscope-node-final.heapsnapshot',
      'heapscope-node-leaks.html', 'heapscope-node-leaks.json', 'heapscope-node-target.heapsnapshot']);
    const fixed = run.test('the fixed server passes, with heap.check');
    expect(fixed.attempts[0]!.status).toBe('passed');
    for (const t of [leaky, fixed]) {
      const pid = Number(t.annotations.find((a) => a.type === 'pid')?.description);
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    }
  });
});
