/**
 * The Compare runs panel's own logic, without a browser: reading picked files as `heapscope
 * compare` reads a run (reports by name or shape, others skipped, bad JSON named with its byte
 * offset), run labels, and the table's sort (ties keep the comparison's order).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareDocument } from '../../src/analysis/compare-runs.js';
import { ReportFormatError } from '../../src/shared/report-json.js';
import { validateLeakReport } from '../../src/shared/report-schema.js';
import { readReportFiles, runLabel, type ReportFileLike } from '../../renderer/lib/report-files.js';
import { nextSort, sortClusters, verdictLine } from '../../renderer/views/leaks/compare-sort.js';
import { asFixtureReport, listenerLeakReport, type LeakReportJson } from '../helpers/leak-reports.js';

const file = (name: string, content: unknown): ReportFileLike => {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return { name, size: Buffer.byteLength(text), text: async () => text };
};

let leaky: LeakReportJson;
let fixed: LeakReportJson;
let doc: CompareDocument;

beforeAll(async () => {
  [leaky, fixed] = await Promise.all([listenerLeakReport(), listenerLeakReport(['^Widget$'])]);
  doc = compareRuns({ label: 'a', reports: [leaky] }, { label: 'b', reports: [fixed] });
});

describe('readReportFiles', () => {
  it('a folder: heapscope-leaks.json files and JSON shaped as a report; other files skipped; sorted by path; trimmed', async () => {
    const read = await readReportFiles([
      file('results/z-test/heapscope-leaks.json', asFixtureReport(leaky, { titlePath: ['z'] })),
      file('results/.last-run.json', { status: 'passed' }),
      file('results/a-test/trace.zip', 'PK'),
      file('results/cli/check.json', leaky),
      file('results/broken.json', '{'),
    ], true);
    expect(read.reports.map((r) => r.name)).toEqual(['results/cli/check.json', 'results/z-test/heapscope-leaks.json']);
    expect(read.skipped).toBe(3);
    for (const r of read.reports) {
      const leaks = (r.document as LeakReportJson).leaks;
      expect(leaks.every((l) => !('ids' in l) && !('retainerPath' in l))).toBe(true);
      validateLeakReport(r.document, r.name);
    }
  });

  it('picked files are each a report: bad JSON is an error naming the file and byte offset', async () => {
    await expect(readReportFiles([file('x.json', '{"a": nope}')], false)).rejects.toThrow(new ReportFormatError('x.json', 'not valid JSON at byte 6: unexpected character "n"', { offset: 6 }));
    // Not shaped as a report: kept, for the host to refuse with the JSON path.
    expect((await readReportFiles([file('other.json', { status: 'passed' })], false)).reports).toHaveLength(1);
    // In a folder, a broken heapscope-leaks.json is an error too.
    await expect(readReportFiles([file('r/heapscope-leaks.json', '')], true)).rejects.toThrow('r/heapscope-leaks.json: not valid JSON at byte 0');
  });

  it('run labels: the file, the folder, or a count', () => {
    expect(runLabel([file('a.json', {})], false)).toBe('a.json');
    expect(runLabel([file('test-results/x/heapscope-leaks.json', {}), file('test-results/y.json', {})], true)).toBe('test-results/');
    expect(runLabel([file('a.json', {}), file('b.json', {})], false)).toBe('2 files');
    expect(runLabel([file('one/a.json', {}), file('two/b.json', {})], true)).toBe('2 files');
  });
});

describe('compare table sort', () => {
  it('status is the comparison\'s order; numbers start largest first; ties keep the order', () => {
    expect(sortClusters(doc.clusters, { by: 'status', order: 'asc' })).toEqual(doc.clusters);
    const byDelta = sortClusters(doc.clusters, nextSort({ by: 'status', order: 'asc' }, 'delta'));
    expect(byDelta.at(-1)!.status).toBe('fixed');
    // The three persisting clusters all changed by 0: they stay in the comparison's order.
    expect(byDelta.slice(0, 3)).toEqual(doc.clusters.filter((c) => c.status === 'persists'));
    const before = sortClusters(doc.clusters, { by: 'before', order: 'desc' }).map((c) => c.before?.retainedSize);
    expect(before).toEqual([...before].sort((x, y) => y! - x!));
    const names = sortClusters(doc.clusters, { by: 'name', order: 'asc' }).map((c) => c.name);
    expect(names).toEqual(['Array', 'Array', 'Function', 'Widget']);
    expect(nextSort({ by: 'name', order: 'asc' }, 'name')).toEqual({ by: 'name', order: 'desc' });
    expect(nextSort({ by: 'name', order: 'asc' }, 'count')).toEqual({ by: 'count', order: 'desc' });
    expect(nextSort({ by: 'count', order: 'desc' }, 'path')).toEqual({ by: 'path', order: 'asc' });
  });

  it('a missing side sorts below every size', () => {
    const after = sortClusters(doc.clusters, { by: 'after', order: 'desc' });
    expect(after.at(-1)!.after).toBeNull();
    expect(verdictLine(doc.counts)).toBe('1 fixed, 0 new, 3 persist');
  });
});
