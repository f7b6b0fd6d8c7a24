/**
 * Real leak reports for the `compare` tests: `heapscope check --json` (the built CLI) on the
 * committed listener-leak snapshots, a real leak of 20 Widgets kept by their bus listeners.
 * `--ignore-class` takes clusters out, which stands in for "the same run after a fix".
 */
import path from 'node:path';
import { runCli } from './cli.js';
import { fixturesDir } from './target.js';

export interface ReportLeakJson {
  name: string;
  count: number;
  retainedSize: number;
  ids: number[];
  retainerPath: Array<{ id: number; name: string; type: string; edge: string | null; edgeType?: string; module?: string; function?: string; node?: string }>;
  type: string;
  selfSize: number;
  path: string;
}

export interface LeakReportJson {
  baseline: string;
  target: string;
  final: string;
  leaks: ReportLeakJson[];
  totalCount: number;
  totalRetainedSize: number;
  pass?: boolean;
  [key: string]: unknown;
}

export const listenerLeakSnapshot = (phase: 'baseline' | 'target' | 'final') =>
  path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);

const cache = new Map<string, Promise<LeakReportJson>>();

/** `check --json` on the listener-leak set with `--ignore-class` for each pattern (exit 0 or 1 both fine: it is a report either way). */
export function listenerLeakReport(ignoreClasses: string[] = []): Promise<LeakReportJson> {
  const key = JSON.stringify(ignoreClasses);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const args = ['check', '--json', '-q', '--baseline', listenerLeakSnapshot('baseline'), '--target', listenerLeakSnapshot('target'),
        '--final', listenerLeakSnapshot('final'), ...ignoreClasses.flatMap((re) => ['--ignore-class', re])];
      const r = await runCli(args);
      if (r.code !== 0 && r.code !== 1) throw new Error(`heapscope ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as LeakReportJson;
    })();
    cache.set(key, p);
  }
  return p.then((doc) => structuredClone(doc));
}

/** The heapscope Playwright fixture's report for one test: the CLI's document plus its additive keys. */
export function asFixtureReport(doc: LeakReportJson, test: { titlePath: string[]; project?: string; repeatEachIndex?: number; retry?: number }): LeakReportJson {
  return {
    ...structuredClone(doc),
    heapscope: { version: '0.1.0', report: 'leaks' },
    test: {
      title: test.titlePath.at(-1) ?? '',
      titlePath: test.titlePath,
      file: test.titlePath[0] ?? '',
      project: test.project ?? 'chromium',
      repeatEachIndex: test.repeatEachIndex ?? 0,
      retry: test.retry ?? 0,
      workerIndex: 0,
    },
    harness: { count: 0 },
  };
}
