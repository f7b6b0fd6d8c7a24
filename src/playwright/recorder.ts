import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LeakCluster } from '../analysis/leaks.js';
import type { WeakReport } from '../analysis/weak/types.js';
import { parseBytes } from '../cli/check.js';
import { writeFileAtomic } from '../cli/junit.js';
import type { CaptureResult } from '../inspector/capture.js';
import type { HarnessRoots } from '../snapshot/harness.js';
import { analyzeRun, analyzeWeak } from './analyze.js';
import type { HeapSource } from './page-source.js';
import { leakReportHtml } from './report-html.js';

export type Phase = 'baseline' | 'target' | 'final';

/** Budgets of `toHaveNoLeaks`, as `heapscope check` takes them. */
export interface LeakBudgets {
  /** Bytes the leaked objects may retain in all: a number, or text with a unit (`'50KB'`, `'1.5MiB'`). Default 0. */
  maxLeakedBytes?: number | string;
  /** Leaked objects allowed in all. Default 0. */
  maxLeakedObjects?: number;
  /** Classes expected to stay (with what only they keep alive): a string is an exact class name, a RegExp a pattern. */
  ignoreClasses?: ReadonlyArray<string | RegExp>;
}

/** The fixture's options: `test.use({ heapscope: { … } })`. */
export interface HeapscopeOptions extends LeakBudgets {
  /**
   * Snapshot files: `'on-failure'` (default) keeps and attaches them when the test did not pass
   * (whatever `test.fail()` expected) and deletes them when it passed; `'always'` keeps and
   * attaches them; `'never'` deletes them (the JSON and HTML reports are always written and attached).
   */
  snapshots?: 'on-failure' | 'always' | 'never';
  /**
   * A snapshot of the page (`heap`) fails with CaptureIncompleteError when the page sends nothing
   * for this long (ms). Default 120,000. Node targets (`nodeHeap`) do not read it: they use 120 s.
   */
  stallTimeout?: number;
}

/** Where a test is, for reports: Playwright's TestInfo in a few fields. */
export interface TestDescription {
  title: string;
  titlePath: string[];
  file: string;
  project: string;
  repeatEachIndex: number;
  retry: number;
  workerIndex: number;
}

/** What a recorder needs from the test runner (the fixture passes Playwright's TestInfo through this). */
export interface RecorderHost {
  outputDir: string;
  attach(name: string, file: string, contentType: string): Promise<void>;
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  test?: TestDescription;
}

/** `check --json` (CONTRACT.md) plus what a test run adds. */
export interface LeakReportDocument {
  baseline: string;
  target: string;
  final: string;
  leaks: LeakCluster[];
  totalCount: number;
  totalRetainedSize: number;
  candidates: number;
  ignored: { count: number; retainedSize: number };
  pass: boolean;
  budgets: { maxLeakedBytes: number; maxLeakedObjects: number; ignoreClass: string[] };
  heapscope: { version: string; report: 'leaks' };
  /** The page or process the snapshots are of. */
  source: string;
  test?: TestDescription;
  /** Objects left out because only the test harness keeps them. */
  harness: { count: number };
}

/** `weak --json` of the latest snapshot (against the baseline when there is one), for `toRelease`. */
export interface WeakResult extends WeakReport {
  heapscope: { version: string; report: 'weak' };
  source: string;
  test?: TestDescription;
}

/** A recorder method called out of order (target before baseline, a report before final). */
export class HeapSequenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeapSequenceError';
  }
}

/** A budget that cannot be read (`maxLeakedBytes: '10 apples'`). */
export class BudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetError';
  }
}

/** heapscope's version, from its package.json (two folders up from dist/playwright/ and from src/playwright/). */
export const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * Baseline, target and final snapshots of one page or process, in one inspector session, written
 * to the test's own output folder (so repeats, retries and workers never share a file), analysed
 * with `heapscope check`'s engine. The fixture makes one per test; `finish` ends it.
 */
export class HeapRecorder {
  private readonly files: Partial<Record<Phase, string>> = {};
  private readonly harnessIds = new Set<number>();
  private pageWorlds = false;
  private readonly analyses = new Map<string, ReturnType<typeof analyzeRun>>();
  /** Report files written, attached by `finish` (file → content type). */
  private readonly reports = new Map<string, string>();
  private weakCount = 0;
  private weakFiles: string[] = [];
  private prepared = false;
  private finished = false;

  constructor(private readonly source: HeapSource, private readonly host: RecorderHost,
    private readonly options: HeapscopeOptions, private readonly prefix = 'heapscope-') {}

  /** The baseline, target and final files taken so far (not `weak()`'s). */
  get snapshots(): Readonly<Partial<Record<Phase, string>>> {
    return { ...this.files };
  }

  /** Before the action. Starts a new series: an earlier target and final are forgotten. */
  async baseline(): Promise<CaptureResult> {
    await this.prepare();
    delete this.files.target;
    delete this.files.final;
    this.analyses.clear();
    return this.take('baseline');
  }

  /** After the action: what it allocated is in this snapshot. */
  async target(): Promise<CaptureResult> {
    if (!this.files.baseline) throw new HeapSequenceError('heap.target() needs heap.baseline() first: take the baseline before the action');
    delete this.files.final;
    this.analyses.clear();
    return this.take('target');
  }

  /** After undoing the action: what is still here of what it allocated leaked. */
  async final(): Promise<CaptureResult> {
    if (!this.files.target) {
      throw new HeapSequenceError(`heap.final() needs ${this.files.baseline ? 'heap.target()' : 'heap.baseline() and heap.target()'} first`);
    }
    this.analyses.clear();
    return this.take('final');
  }

  /**
   * The leak report for these budgets (objects born between baseline and target still alive in
   * final, as `heapscope check`), written as JSON and HTML to the output folder and attached.
   */
  async leaks(budgets: LeakBudgets = {}): Promise<LeakReportDocument> {
    const missing = (['baseline', 'target', 'final'] as const).filter((p) => !this.files[p]);
    if (missing.length > 0) {
      throw new HeapSequenceError(`no leak report without ${missing.map((p) => `heap.${p}()`).join(', ')}: `
        + 'take the baseline before the action, the target after it, the final after undoing it');
    }
    const merged = { ...this.options, ...definedOnly(budgets) };
    const ignore = readIgnore(merged.ignoreClasses);
    const maxLeakedBytes = readBytes(merged.maxLeakedBytes);
    const maxLeakedObjects = readCount(merged.maxLeakedObjects);
    const key = ignore.map((r) => `${r.source}/${r.flags}`).join('\n');
    let pending = this.analyses.get(key);
    if (!pending) {
      const files = { baseline: this.files.baseline!, target: this.files.target!, final: this.files.final! };
      pending = this.host.step(`heapscope: analyse ${this.describeFiles()}`, () => analyzeRun(files, this.harnessRoots(), ignore));
      this.analyses.set(key, pending);
    }
    const a = await pending;
    const doc: LeakReportDocument = {
      baseline: this.files.baseline!,
      target: this.files.target!,
      final: this.files.final!,
      leaks: a.leaks,
      totalCount: a.totalCount,
      totalRetainedSize: a.totalRetainedSize,
      candidates: a.candidates,
      ignored: a.ignored,
      pass: a.totalCount <= maxLeakedObjects && a.totalRetainedSize <= maxLeakedBytes,
      budgets: { maxLeakedBytes, maxLeakedObjects, ignoreClass: ignore.map((r) => r.source) },
      heapscope: { version: VERSION, report: 'leaks' },
      source: this.source.label,
      ...(this.host.test ? { test: this.host.test } : {}),
      harness: a.harness,
    };
    await this.writeReport(`${this.prefix}leaks`, doc, leakReportHtml(doc));
    return doc;
  }

  /**
   * Takes a snapshot now and reports what weak references hold in it: against the baseline when
   * one was taken (what was released since), else on its own.
   */
  async weak(): Promise<WeakResult> {
    const name = `weak${this.weakCount++ > 0 ? `-${this.weakCount}` : ''}`;
    await this.prepare();
    const file = await this.snapshotTo(name);
    this.weakFiles.push(file);
    const before = this.files.baseline;
    const report = await this.host.step(`heapscope: weak references in ${path.basename(file)}`,
      () => analyzeWeak(before ?? file, before ? file : undefined, this.harnessRoots()));
    const result: WeakResult = {
      heapscope: { version: VERSION, report: 'weak' },
      source: this.source.label,
      ...(this.host.test ? { test: this.host.test } : {}),
      ...report,
    };
    await this.writeReport(`${this.prefix}${name}`, result);
    return result;
  }

  /**
   * Attaches or deletes the snapshots as `options.snapshots` says, and closes the session. `failed`:
   * whether the test ended other than expected.
   */
  async finish(failed: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.close();
    // Reports are attached now, not when written: Playwright copies a file when it is attached, and
    // a report rewritten for other budgets must be attached as it ended up.
    for (const [file, contentType] of this.reports) await this.host.attach(path.basename(file), file, contentType);
    const policy = this.options.snapshots ?? 'on-failure';
    const files = [...Object.values(this.files), ...this.weakFiles].filter((f): f is string => f !== undefined);
    const keep = policy === 'always' || (policy === 'on-failure' && failed);
    for (const f of files) {
      if (keep) await this.host.attach(path.basename(f), f, 'application/json');
      else rmSync(f, { force: true });
    }
  }

  /** Ends the session (and, for a Node target, the process); the files stay until `finish` decides. */
  async close(): Promise<void> {
    await this.source.close().catch(() => {});
  }

  /** The leak report's file name without extension: `heapscope-leaks`, `heapscope-node-leaks`, …. */
  get reportName(): string {
    return `${this.prefix}leaks`;
  }

  /** What must exist before the first snapshot (the source's `prepare`), once. */
  private async prepare(): Promise<void> {
    if (this.prepared) return;
    await this.source.prepare();
    this.prepared = true;
  }

  private async take(phase: Phase): Promise<CaptureResult> {
    const result = await this.snapshotToResult(phase);
    this.files[phase] = result.file;
    return result;
  }

  private async snapshotTo(name: string): Promise<string> {
    return (await this.snapshotToResult(name)).file;
  }

  private snapshotToResult(name: string): Promise<CaptureResult> {
    mkdirSync(this.host.outputDir, { recursive: true });
    const file = path.join(this.host.outputDir, `${this.prefix}${name}.heapsnapshot`);
    return this.host.step(`heapscope: ${name} snapshot of ${this.source.label}`, async () => {
      const result = await this.source.snapshot(file);
      const roots = await this.source.harness();
      if (roots.mainWorldGlobals) {
        this.pageWorlds = true;
        for (const id of roots.mainWorldGlobals) this.harnessIds.add(id);
      }
      return result;
    });
  }

  private harnessRoots(): HarnessRoots {
    return this.pageWorlds ? { mainWorldGlobals: [...this.harnessIds] } : {};
  }

  private describeFiles(): string {
    return [this.files.baseline, this.files.target, this.files.final].map((f) => path.basename(f!)).join(' → ');
  }

  private async writeReport(base: string, doc: object, html?: string): Promise<void> {
    mkdirSync(this.host.outputDir, { recursive: true });
    const json = path.join(this.host.outputDir, `${base}.json`);
    writeFileAtomic(json, `${JSON.stringify(doc, null, 2)}\n`);
    this.reports.set(json, 'application/json');
    if (html !== undefined) {
      const page = path.join(this.host.outputDir, `${base}.html`);
      writeFileAtomic(page, html);
      this.reports.set(page, 'text/html');
    }
  }
}

function definedOnly(b: LeakBudgets): LeakBudgets {
  return Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) as LeakBudgets;
}

function readBytes(v: number | string | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new BudgetError(`maxLeakedBytes must be a number of bytes >= 0 or text such as '50KB'; got ${v}`);
    return Math.floor(v);
  }
  try {
    return parseBytes(v);
  } catch (err) {
    throw new BudgetError(`maxLeakedBytes ${(err as Error).message}`);
  }
}

function readCount(v: number | undefined): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0) throw new BudgetError(`maxLeakedObjects must be a whole number >= 0; got ${String(v)}`);
  return v;
}

function readIgnore(list: ReadonlyArray<string | RegExp> | undefined): RegExp[] {
  return (list ?? []).map((c, i) => {
    if (c instanceof RegExp) return c;
    if (typeof c === 'string') return new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    throw new BudgetError(`ignoreClasses[${i}] must be a class name (string) or a RegExp; got ${typeof c}`);
  });
}
