/**
 * compare-runs.ts on real reports (`check --json` on the committed listener-leak snapshots; the
 * "fixed" side is the same analysis with --ignore-class taking a cluster out) and on edits of them:
 * fixed, new, persists, test keys, tests in one run only, repeats and retries, older reports
 * without `path`, and the sort order.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterPath, compareRuns, testKey, type CompareDocument, type LeakReportInput } from '../../src/analysis/compare-runs.js';
import { formatPath } from '../../src/analysis/paths.js';
import { asFixtureReport, listenerLeakReport, type LeakReportJson } from '../helpers/leak-reports.js';

let leaky: LeakReportJson;
let noWidget: LeakReportJson;
let nothing: LeakReportJson;

beforeAll(async () => {
  [leaky, noWidget, nothing] = await Promise.all([listenerLeakReport(), listenerLeakReport(['^Widget$']), listenerLeakReport(['.'])]);
  // The fixtures the rest of the file relies on, checked rather than assumed.
  expect(leaky.leaks.map((l) => l.name).sort()).toEqual(['Array', 'Array', 'Function', 'Widget']);
  expect(noWidget.leaks.map((l) => l.name).sort()).toEqual(['Array', 'Array', 'Function']);
  expect(nothing.leaks).toEqual([]);
});

const run = (label: string, ...reports: LeakReportInput[]) => ({ label, reports });
const widget = () => leaky.leaks.find((l) => l.name === 'Widget')!;
const byStatus = (doc: CompareDocument, status: string) => doc.clusters.filter((c) => c.status === status);

describe('two single reports', () => {
  it('the leak taken out in B is fixed, the rest persist unchanged', () => {
    const doc = compareRuns(run('before.json', leaky), run('after.json', noWidget));
    expect(doc.a).toBe('before.json');
    expect(doc.b).toBe('after.json');
    expect(doc.reports).toEqual({ a: 1, b: 1 });
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    const w = widget();
    expect(byStatus(doc, 'fixed')).toEqual([{
      status: 'fixed', test: null, name: 'Widget', path: w.path,
      before: { count: w.count, retainedSize: w.retainedSize }, after: null, retainedSizeDelta: -w.retainedSize,
    }]);
    for (const c of byStatus(doc, 'persists')) {
      const a = leaky.leaks.find((l) => l.name === c.name && l.path === c.path)!;
      const b = noWidget.leaks.find((l) => l.name === c.name && l.path === c.path)!;
      expect(c.before).toEqual({ count: a.count, retainedSize: a.retainedSize });
      expect(c.after).toEqual({ count: b.count, retainedSize: b.retainedSize });
      expect(c.retainedSizeDelta).toBe(b.retainedSize - a.retainedSize);
    }
    expect(doc.totalRetainedSize).toEqual({
      before: leaky.totalRetainedSize, after: noWidget.totalRetainedSize, delta: noWidget.totalRetainedSize - leaky.totalRetainedSize,
    });
    expect(doc.tests).toEqual({ onlyInA: [], onlyInB: [] });
  });

  it('the other way round the same cluster is new; against an empty report everything is fixed', () => {
    const doc = compareRuns(run('a', noWidget), run('b', leaky));
    expect(doc.counts).toEqual({ fixed: 0, new: 1, persists: 3 });
    expect(doc.clusters[0]).toMatchObject({ status: 'new', name: 'Widget', before: null, after: { count: widget().count } });
    expect(doc.clusters[0]!.retainedSizeDelta).toBe(widget().retainedSize);

    const all = compareRuns(run('a', leaky), run('b', nothing));
    expect(all.counts).toEqual({ fixed: leaky.leaks.length, new: 0, persists: 0 });
    expect(all.totalRetainedSize).toEqual({ before: leaky.totalRetainedSize, after: 0, delta: -leaky.totalRetainedSize });
  });

  it('a report against itself: everything persists with no change', () => {
    const doc = compareRuns(run('a', leaky), run('b', leaky));
    expect(doc.counts).toEqual({ fixed: 0, new: 0, persists: leaky.leaks.length });
    expect(doc.clusters.every((c) => c.retainedSizeDelta === 0)).toBe(true);
  });

  it('test keys are ignored: a fixture report of one test against a CLI report of another compares directly', () => {
    const doc = compareRuns(run('a', asFixtureReport(leaky, { titlePath: ['a.spec.ts', 'opens'] })), run('b', noWidget));
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(doc.clusters.every((c) => c.test === null)).toBe(true);
    // Two files of the same test: matched the same way, and the clusters name it.
    const t = { titlePath: ['a.spec.ts', 'opens'] };
    const same = compareRuns(run('a', asFixtureReport(leaky, t)), run('b', asFixtureReport(noWidget, { ...t, retry: 1 })));
    expect(same.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(same.clusters.every((c) => c.test === 'chromium › a.spec.ts › opens')).toBe(true);
    expect(same.tests).toEqual({ onlyInA: [], onlyInB: [] });
  });
});

describe('path shapes', () => {
  it('every real cluster\'s path line is the shape line of its retainerPath', () => {
    for (const l of leaky.leaks) expect(formatPath(l.retainerPath, { shape: true })).toBe(l.path);
  });

  it('a report without `path` (older or foreign) matches by its retainerPath', () => {
    const old = structuredClone(leaky);
    for (const l of old.leaks) delete (l as Partial<typeof l>).path;
    const doc = compareRuns(run('old', old), run('new', noWidget));
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(byStatus(doc, 'fixed')[0]!.path).toBe(widget().path);
  });

  it('global-handle numbers in edge names are normalised, so two processes\' paths match', () => {
    const with306 = { name: 'Ctx', count: 1, retainedSize: 10, path: '(Global handles) → ["306 / V8PerContextData::context_"] → Ctx' };
    const with17 = { ...with306, retainedSize: 12, path: '(Global handles) → ["17 / V8PerContextData::context_"] → Ctx' };
    const normalised = { ...with306, path: '(Global handles) → ["[] / V8PerContextData::context_"] → Ctx' };
    expect(clusterPath(with306)).toBe(normalised.path);
    const doc = compareRuns(run('a', { leaks: [with306] }), run('b', { leaks: [with17] }));
    expect(doc.clusters).toEqual([{
      status: 'persists', test: null, name: 'Ctx', path: normalised.path,
      before: { count: 1, retainedSize: 10 }, after: { count: 1, retainedSize: 12 }, retainedSizeDelta: 2,
    }]);
    // Same path, another class: not the same cluster.
    const other = compareRuns(run('a', { leaks: [with306] }), run('b', { leaks: [{ ...with306, name: 'Other' }] }));
    expect(other.counts).toEqual({ fixed: 1, new: 1, persists: 0 });
  });

  it('two clusters of one report that normalise to one identity are added up', () => {
    const a = { name: 'Ctx', count: 2, retainedSize: 10, path: 'x → ["1 / h"] → Ctx' };
    const b = { ...a, count: 3, retainedSize: 5, path: 'x → ["2 / h"] → Ctx' };
    const doc = compareRuns(run('a', { leaks: [a, b] }), run('b', { leaks: [] }));
    expect(doc.clusters).toHaveLength(1);
    expect(doc.clusters[0]!.before).toEqual({ count: 5, retainedSize: 15 });
  });
});

describe('runs of several reports (Playwright folders)', () => {
  it('test keys: project › titlePath, empty parts left out; \'\' without a test', () => {
    expect(testKey({ project: 'chromium', titlePath: ['app.spec.ts', 'dialog', 'closes'] })).toBe('chromium › app.spec.ts › dialog › closes');
    expect(testKey({ project: '', titlePath: ['app.spec.ts', '', 'closes'] })).toBe('app.spec.ts › closes');
    expect(testKey(undefined)).toBe('');
  });

  it('clusters are matched per test; a test that ran in one run only is listed, not fixed or new', () => {
    const t1 = { titlePath: ['app.spec.ts', 'dialog'] };
    const t2 = { titlePath: ['app.spec.ts', 'menu'] };
    const t3 = { titlePath: ['app.spec.ts', 'tabs'] };
    const a = run('before/', asFixtureReport(leaky, t1), asFixtureReport(leaky, t2));
    const b = run('after/', asFixtureReport(noWidget, t1), asFixtureReport(leaky, t3));
    const doc = compareRuns(a, b);
    expect(doc.reports).toEqual({ a: 2, b: 2 });
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(doc.clusters.every((c) => c.test === 'chromium › app.spec.ts › dialog')).toBe(true);
    expect(doc.tests.onlyInA).toEqual([{ test: 'chromium › app.spec.ts › menu', clusters: leaky.leaks.length, retainedSize: leaky.totalRetainedSize }]);
    expect(doc.tests.onlyInB).toEqual([{ test: 'chromium › app.spec.ts › tabs', clusters: leaky.leaks.length, retainedSize: leaky.totalRetainedSize }]);
    // Totals count the compared tests only.
    expect(doc.totalRetainedSize.before).toBe(leaky.totalRetainedSize);
  });

  it('the same cluster in two tests is two clusters; the same test in two projects is two tests', () => {
    const a = run('a', asFixtureReport(leaky, { titlePath: ['x.spec.ts', 't'], project: 'chromium' }),
      asFixtureReport(leaky, { titlePath: ['x.spec.ts', 't'], project: 'firefox' }));
    const b = run('b', asFixtureReport(noWidget, { titlePath: ['x.spec.ts', 't'], project: 'chromium' }),
      asFixtureReport(leaky, { titlePath: ['x.spec.ts', 't'], project: 'firefox' }));
    const doc = compareRuns(a, b);
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 2 * 3 + 1 });
    expect(byStatus(doc, 'fixed')[0]!.test).toBe('chromium › x.spec.ts › t');
  });

  it('repeats: a cluster seen in any repeat is in the run, with the largest size seen', () => {
    const t = { titlePath: ['x.spec.ts', 't'] };
    const small = structuredClone(leaky);
    for (const l of small.leaks) l.retainedSize = Math.floor(l.retainedSize / 2);
    // A: repeat 0 leaks half as much as repeat 1; repeat 2 has only the Widget-less part.
    const a = run('a', asFixtureReport(small, { ...t, repeatEachIndex: 0 }), asFixtureReport(leaky, { ...t, repeatEachIndex: 1 }),
      asFixtureReport(noWidget, { ...t, repeatEachIndex: 2 }));
    // B: the Widget shows up in one repeat of three.
    const b = run('b', asFixtureReport(noWidget, { ...t, repeatEachIndex: 0 }), asFixtureReport(noWidget, { ...t, repeatEachIndex: 1 }),
      asFixtureReport(small, { ...t, repeatEachIndex: 2 }));
    const doc = compareRuns(a, b);
    expect(doc.counts).toEqual({ fixed: 0, new: 0, persists: 4 });
    const w = doc.clusters.find((c) => c.name === 'Widget')!;
    expect(w.before).toEqual({ count: widget().count, retainedSize: widget().retainedSize });
    expect(w.after).toEqual({ count: widget().count, retainedSize: Math.floor(widget().retainedSize / 2) });

    // Gone from every repeat of B: fixed.
    const fixed = compareRuns(a, run('b', asFixtureReport(noWidget, { ...t, repeatEachIndex: 0 }), asFixtureReport(noWidget, { ...t, repeatEachIndex: 1 })));
    expect(fixed.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
  });

  it('retries: only the last retry of each repeat counts, in whatever order the reports come', () => {
    const t = { titlePath: ['x.spec.ts', 't'] };
    // Retry 0 leaked the Widgets, retry 1 (the attempt that stands) did not.
    const a = run('a', asFixtureReport(noWidget, { ...t, retry: 1 }), asFixtureReport(leaky, { ...t, retry: 0 }));
    const b = run('b', asFixtureReport(noWidget, t), asFixtureReport(nothing, { titlePath: ['x.spec.ts', 'other'] }));
    const doc = compareRuns(a, b);
    expect(doc.counts).toEqual({ fixed: 0, new: 0, persists: 3 });
    // And the other way: the last retry leaked.
    const c = run('c', asFixtureReport(noWidget, { ...t, retry: 0 }), asFixtureReport(leaky, { ...t, retry: 2 }), asFixtureReport(noWidget, { ...t, retry: 1 }));
    expect(compareRuns(c, b).counts).toEqual({ fixed: 1, new: 0, persists: 3 });
  });

  it('several CLI reports (no test) are one group, each a repeat of it', () => {
    const doc = compareRuns(run('a', leaky, noWidget), run('b', noWidget, nothing));
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(doc.clusters.every((c) => c.test === null)).toBe(true);
  });
});

describe('order', () => {
  it('new (largest growth first), then persists (largest growth first), then fixed (largest first)', () => {
    const leak = (name: string, retainedSize: number) => ({ name, count: 1, retainedSize, path: `p → ${name}` });
    const a = { leaks: [leak('P1', 100), leak('P2', 100), leak('P3', 100), leak('F1', 10), leak('F2', 500)] };
    const b = { leaks: [leak('P1', 90), leak('P2', 400), leak('P3', 150), leak('N1', 5), leak('N2', 50)] };
    const doc = compareRuns(run('a', a), run('b', b));
    expect(doc.clusters.map((c) => `${c.status} ${c.name} ${c.retainedSizeDelta}`)).toEqual([
      'new N2 50', 'new N1 5',
      'persists P2 300', 'persists P3 50', 'persists P1 -10',
      'fixed F2 -500', 'fixed F1 -10',
    ]);
    const { before, after, delta } = doc.totalRetainedSize;
    expect([before, after, delta]).toEqual([810, 695, -115]);
  });
});
