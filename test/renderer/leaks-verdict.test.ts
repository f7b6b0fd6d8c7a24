/**
 * The Leaks view's verdict says what `heapscope check` says: on the committed listener-leak
 * snapshots (one session, a real leak), the report the engine builds (engine/leak-report.ts) gives
 * the view's PASS/FAIL line, which must equal the last line of the built CLI's `check` output.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/cli/format.js';
import { runLeakAnalysis } from '../../src/cli/leak-run.js';
import { budgetsOf, leakReport } from '../../src/engine/leak-report.js';
import { readBudgets } from '../../renderer/views/leaks/budget.js';
import { notes, verdictLine } from '../../renderer/views/leaks/verdict.js';
import { runCli } from '../helpers/cli.js';

const F = 'fixtures/snapshots/listener-leak';
const files = { baseline: `${F}-baseline.heapsnapshot.gz`, target: `${F}-target.heapsnapshot.gz`, final: `${F}-final.heapsnapshot.gz` };
const analysis = runLeakAnalysis({ ...files, quiet: true });

/** `pass`: what check decides for the 61 leaked objects (36 kB) of these files. */
const CASES: Array<{ bytes: string; objects: string; ignore: string; pass: boolean }> = [
  { bytes: '', objects: '', ignore: '', pass: false },
  { bytes: '100KB', objects: '100', ignore: '', pass: true },
  { bytes: '1KB', objects: '1000', ignore: '', pass: false },
  { bytes: '0.5MiB', objects: '1', ignore: '^Widget$\n^Array$', pass: false },
];

describe('leaks verdict: the same line as `heapscope check`', () => {
  it.each(CASES)('budgets %j', async (inputs) => {
    const read = readBudgets(inputs);
    if (!read.ok) throw new Error(JSON.stringify(read.errors));
    const { budgets } = read;
    const args = ['check', '--baseline', files.baseline, '--target', files.target, '--final', files.final, '-q'];
    if (inputs.bytes) args.push('--max-leaked-bytes', inputs.bytes);
    if (inputs.objects) args.push('--max-leaked-objects', inputs.objects);
    for (const re of budgets.ignoreClass) args.push('--ignore-class', re);
    const cli = await runCli(args);
    expect(cli.code, cli.stderr).toBe(inputs.pass ? 0 : 1);
    const last = cli.stdout.trimEnd().split('\n').at(-1)!;

    // The view's report: ignored classes change the analysis itself, so run it with them (as the engine does).
    const a = budgets.ignoreClass.length > 0
      ? await runLeakAnalysis({ ...files, quiet: true, ignoreClass: budgets.ignoreClass.map((s) => new RegExp(s)) })
      : await analysis;
    const report = leakReport(a, budgetsOf(budgets), 0, 1000);
    expect(report.pass).toBe(cli.code === 0);
    expect(verdictLine(report, formatBytes)).toBe(last);
    if (a.ignored.count > 0) {
      expect(notes(report, formatBytes)).toContain(`The ignored classes left out ${a.ignored.count} objects (${formatBytes(a.ignored.retainedSize)}).`);
      expect(cli.stdout).toContain(`--ignore-class left out ${a.ignored.count} objects (${formatBytes(a.ignored.retainedSize)})`);
    }
  });

  it('the leak is real and fails the default budgets', async () => {
    const report = leakReport(await analysis, budgetsOf(undefined), 0, 1000);
    expect(report.pass).toBe(false);
    expect(report.total).toBeGreaterThan(0);
    expect(verdictLine(report, formatBytes)).toMatch(/^FAIL: \d+ leaked objects in \d+ clusters, .* over budget \(\d+ objects > 0 allowed, .* > 0 B allowed\)$/);
    expect(notes(report, formatBytes)).toEqual([]);
  });

  it('no leak: the note says what was looked at and left out', () => {
    const report = { total: 0, totalCount: 0, totalRetainedSize: 0, candidates: 12, ignored: { count: 0, retainedSize: 0 }, budgets: budgetsOf(undefined), pass: true };
    expect(verdictLine(report, formatBytes)).toBe('PASS: 0 leaked objects in 0 clusters, 0 B retained (budget 0 objects, 0 B)');
    expect(notes(report, formatBytes)[0]).toMatch(/^Of 12 objects allocated between baseline and target and still alive in final, none/);
  });
});
