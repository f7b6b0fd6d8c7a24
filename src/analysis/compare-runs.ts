/**
 * Fix verification across runs (`heapscope compare RUN_A RUN_B`, and the dashboard's Leaks view
 * through the `reports.compare` channel): given the leak reports of two runs, which clusters are
 * fixed (in A, not in B), new (in B, not in A) and which persist. Pure: no files, no platform; the
 * CLI and the hosts read and validate the reports (src/shared/report-schema.ts) and call this.
 *
 * A cluster is identified by (test, class name, path shape):
 * - test: `project › titlePath…` of the Playwright test that wrote the report (the heapscope
 *   fixture's `test` key); reports without one (CLI reports) share the key ''. When each run is a
 *   single report, test keys are ignored: two files are compared directly, whatever wrote them
 *   (the clusters still name the test when both files are of the same one).
 * - path shape: the report's `path` line, or, for a report without one (older or foreign), the
 *   shape line of its representative `retainerPath`; either way with the varying numbers of global
 *   handles normalised (`["306 / V8PerContextData::context_"]` → `["[] / V8PerContextData::context_"]`).
 *
 * Several reports for one test in one run (`--repeat-each`, retries), the rule:
 * 1. per repeat (`repeatEachIndex`), only the last retry counts (the attempt whose result stands);
 * 2. a cluster is in the run if any repeat has it: "fixed" must mean gone from every repeat, and a
 *    leak that shows in one repeat of twenty is still a leak;
 * 3. its count and retained size are those of the repeat where it retains the most (not a sum:
 *    runs with different --repeat-each stay comparable).
 * Reports without a `test` each count as a repeat of the '' test.
 *
 * A test that ran in only one of the runs is not compared (its clusters are neither fixed nor new)
 * and is listed under `tests.onlyInA`/`onlyInB`, so "fixed" is never claimed for a test that
 * simply did not run in B.
 */
import { formatPath, type Step } from './paths.js';

// ---- Input: what compare reads of a leak report (`leaks --json`/`check --json`, heapscope-leaks.json)

/** One step of a report's `retainerPath` (CONTRACT.md "Shared shapes"); only what a shape needs is required. */
export interface ReportStep {
  id?: number;
  name: string;
  type: string;
  edge: string | null;
  edgeType?: string;
  module?: string;
  function?: string;
  node?: string;
}

export interface ReportLeak {
  name: string;
  count: number;
  retainedSize: number;
  /** The path shape line (additive in CONTRACT.md; absent in older reports). */
  path?: string;
  /** The representative's path: the shape comes from it when `path` is absent. */
  retainerPath?: ReportStep[];
}

/** The heapscope Playwright fixture's `test` key. */
export interface ReportTest {
  titlePath: string[];
  project: string;
  repeatEachIndex?: number;
  retry?: number;
  title?: string;
  file?: string;
  workerIndex?: number;
}

export interface LeakReportInput {
  leaks: ReportLeak[];
  test?: ReportTest;
}

export interface RunInput {
  /** How the run is named in the output (the CLI: the RUN argument as given). */
  label: string;
  reports: readonly LeakReportInput[];
}

// ---- Output: `compare --json` and the `reports.compare` response -----------------------------

export type CompareStatus = 'fixed' | 'new' | 'persists';
export const COMPARE_STATUSES: readonly CompareStatus[] = ['new', 'persists', 'fixed'];

export interface ClusterSide {
  count: number;
  retainedSize: number;
}

export interface ComparedCluster {
  status: CompareStatus;
  /** The test key (`project › file › title`); null for reports without a test, and when two single reports of different tests are compared. */
  test: string | null;
  name: string;
  /** The normalised path shape both runs are matched by. */
  path: string;
  /** In A; null when new. */
  before: ClusterSide | null;
  /** In B; null when fixed. */
  after: ClusterSide | null;
  /** after.retainedSize − before.retainedSize (a missing side counts 0). */
  retainedSizeDelta: number;
}

/** A test whose reports are in one run only: not compared. */
export interface UncomparedTest {
  test: string | null;
  clusters: number;
  retainedSize: number;
}

export interface CompareDocument {
  a: string;
  b: string;
  /** Reports read from each run (all of them, before the retry rule). */
  reports: { a: number; b: number };
  /** Sorted: new, then persists (largest growth first), then fixed (largest first). */
  clusters: ComparedCluster[];
  counts: Record<CompareStatus, number>;
  /** Over `clusters` only (tests in both runs). */
  totalRetainedSize: { before: number; after: number; delta: number };
  tests: { onlyInA: UncomparedTest[]; onlyInB: UncomparedTest[] };
}

/** The test key of a report: `project › titlePath…`, empty parts left out; '' without a test. */
export function testKey(test: ReportTest | undefined): string {
  if (!test) return '';
  return [test.project, ...test.titlePath].filter((s) => s !== '').join(' › ');
}

/**
 * Global-handle edges carry a number that differs from process to process (`306 / V8PerContextData…`),
 * and scope names the id of their ScopeInfo (`system / Context / scope @42171`, different between
 * two loads of one page); reports written before the path shape normalised them still carry both.
 */
const HANDLE_NUMBER = /\["\d+ \/ /g;
const NODE_ID = /@\d+/g;

/** The shape line a cluster is matched by. */
export function clusterPath(leak: ReportLeak): string {
  const line = leak.path ?? formatPath((leak.retainerPath ?? []).map(asStep), { shape: true });
  return line.replace(HANDLE_NUMBER, '["[] / ').replace(NODE_ID, '@');
}

function asStep(s: ReportStep): Step {
  return { ...s, id: s.id ?? 0 };
}

interface Cluster extends ClusterSide {
  name: string;
  path: string;
}

/** One run: per test key, its clusters by `name \0 path`. */
type RunClusters = Map<string, Map<string, Cluster>>;

export function compareRuns(a: RunInput, b: RunInput): CompareDocument {
  // Two files: compare them whatever tests wrote them (a CLI report against a fixture's, say).
  const byTest = !(a.reports.length === 1 && b.reports.length === 1);
  const runA = collect(a.reports, byTest);
  const runB = collect(b.reports, byTest);
  // Two files of one test still name it; of different tests (or none), there is no test to name.
  const single = byTest ? '' : testKey(a.reports[0]!.test);
  const shared = single !== '' && single === testKey(b.reports[0]!.test) ? single : '';

  const clusters: ComparedCluster[] = [];
  for (const [key, before] of runA) {
    const after = runB.get(key);
    if (!after) continue;
    const test = byTest ? (key === '' ? null : key) : (shared || null);
    for (const [id, c] of before) {
      const d = after.get(id);
      clusters.push(entry(d ? 'persists' : 'fixed', test, c, side(c), d ? side(d) : null));
    }
    for (const [id, d] of after) {
      if (!before.has(id)) clusters.push(entry('new', test, d, null, side(d)));
    }
  }
  clusters.sort(byStatusThenSize);

  const counts: Record<CompareStatus, number> = { fixed: 0, new: 0, persists: 0 };
  let before = 0;
  let after = 0;
  for (const c of clusters) {
    counts[c.status]++;
    before += c.before?.retainedSize ?? 0;
    after += c.after?.retainedSize ?? 0;
  }
  return {
    a: a.label,
    b: b.label,
    reports: { a: a.reports.length, b: b.reports.length },
    clusters,
    counts,
    totalRetainedSize: { before, after, delta: after - before },
    tests: { onlyInA: uncompared(runA, runB), onlyInB: uncompared(runB, runA) },
  };
}

/** A run's clusters per test key, after the retry and repeat rules (see the file comment). */
function collect(reports: readonly LeakReportInput[], byTest: boolean): RunClusters {
  // test key → repeat → the report that counts for it
  const chosen = new Map<string, Map<string, LeakReportInput>>();
  reports.forEach((report, i) => {
    const key = byTest ? testKey(report.test) : '';
    // Reports without a test have no repeat index: each is a repeat of its own.
    const repeat = report.test ? `r${report.test.repeatEachIndex ?? 0}` : `#${i}`;
    let repeats = chosen.get(key);
    if (!repeats) chosen.set(key, (repeats = new Map()));
    const held = repeats.get(repeat);
    if (!held || (report.test?.retry ?? 0) >= (held.test?.retry ?? 0)) repeats.set(repeat, report);
  });

  const run: RunClusters = new Map();
  for (const [key, repeats] of chosen) {
    const merged = new Map<string, Cluster>();
    for (const report of repeats.values()) {
      for (const [id, c] of clustersOf(report)) {
        const held = merged.get(id);
        if (!held || c.retainedSize > held.retainedSize || (c.retainedSize === held.retainedSize && c.count > held.count)) merged.set(id, c);
      }
    }
    run.set(key, merged);
  }
  return run;
}

/** One report's clusters by identity; two clusters of one report with the same identity (after normalising) are added up. */
function clustersOf(report: LeakReportInput): Map<string, Cluster> {
  const out = new Map<string, Cluster>();
  for (const leak of report.leaks) {
    const path = clusterPath(leak);
    const id = `${leak.name}\u0000${path}`;
    const held = out.get(id);
    if (held) {
      held.count += leak.count;
      held.retainedSize += leak.retainedSize;
    } else {
      out.set(id, { name: leak.name, path, count: leak.count, retainedSize: leak.retainedSize });
    }
  }
  return out;
}

function side(c: Cluster): ClusterSide {
  return { count: c.count, retainedSize: c.retainedSize };
}

function entry(status: CompareStatus, test: string | null, c: Cluster, before: ClusterSide | null, after: ClusterSide | null): ComparedCluster {
  return {
    status,
    test,
    name: c.name,
    path: c.path,
    before,
    after,
    retainedSizeDelta: (after?.retainedSize ?? 0) - (before?.retainedSize ?? 0),
  };
}

function uncompared(run: RunClusters, other: RunClusters): UncomparedTest[] {
  const out: UncomparedTest[] = [];
  for (const [key, clusters] of run) {
    if (other.has(key)) continue;
    let retainedSize = 0;
    for (const c of clusters.values()) retainedSize += c.retainedSize;
    out.push({ test: key === '' ? null : key, clusters: clusters.size, retainedSize });
  }
  return out.sort((x, y) => compareText(x.test ?? '', y.test ?? ''));
}

const STATUS_RANK: Record<CompareStatus, number> = { new: 0, persists: 1, fixed: 2 };

function byStatusThenSize(x: ComparedCluster, y: ComparedCluster): number {
  const rank = STATUS_RANK[x.status] - STATUS_RANK[y.status];
  if (rank !== 0) return rank;
  // new and persists: largest growth first; fixed: largest fix first (the most negative delta).
  const size = x.status === 'fixed' ? x.retainedSizeDelta - y.retainedSizeDelta : y.retainedSizeDelta - x.retainedSizeDelta;
  if (size !== 0) return size;
  const bigger = (y.after ?? y.before)!.retainedSize - (x.after ?? x.before)!.retainedSize;
  if (bigger !== 0) return bigger;
  return compareText(x.test ?? '', y.test ?? '') || compareText(x.name, y.name) || compareText(x.path, y.path);
}

/** Code-unit order: the same on every machine and locale (the output is a contract). */
function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
