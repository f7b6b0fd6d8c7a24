import path from 'node:path';
import { test as base, expect as baseExpect, type TestInfo } from '@playwright/test';
import { leakFailureMessage, noLeakMessage, releaseMessage, releaseVerdict } from './messages.js';
import { NodeProcessSource, type LaunchNodeOptions } from './node-source.js';
import { PageSource } from './page-source.js';
import { BudgetError, HeapRecorder, type HeapscopeOptions, type LeakBudgets, type RecorderHost, type WeakResult } from './recorder.js';

const DEFAULT_STALL_MS = 120_000;

/** `check`'s budgets, and how many warm-up rounds of action and undo run before the baseline (default 1). */
export interface CheckOptions extends LeakBudgets {
  warmup?: number;
}

async function runCheck(heap: HeapRecorder, action: () => Promise<unknown>, undo: () => Promise<unknown>, options: CheckOptions): Promise<void> {
  const { warmup = 1, ...budgets } = options;
  if (!Number.isInteger(warmup) || warmup < 0) throw new BudgetError(`warmup must be a whole number >= 0; got ${String(warmup)}`);
  for (let i = 0; i < warmup; i++) {
    await action();
    await undo();
  }
  await heap.baseline();
  await action();
  await heap.target();
  await undo();
  await heap.final();
  await expect(heap).toHaveNoLeaks(budgets);
}

/** The `heap` fixture: snapshots of the test's page. */
export class PageHeap extends HeapRecorder {
  /**
   * The whole leak test in one call: `action` and `undo` once as a warm-up (`warmup` times;
   * lazy initialisation, caches, pooled connections and JIT feedback are not leaks), then
   * baseline, `action`, target, `undo`, final, and `expect(heap).toHaveNoLeaks(budgets)`.
   */
  async check(action: () => Promise<unknown>, undo: () => Promise<unknown>, budgets: CheckOptions = {}): Promise<void> {
    await runCheck(this, action, undo, budgets);
  }
}

/** A Node program under test (`nodeHeap.launch`): the recorder's API plus its process. */
export class NodeTarget extends HeapRecorder {
  constructor(private readonly proc: NodeProcessSource, host: RecorderHost, options: HeapscopeOptions, prefix: string) {
    super(proc, host, options, prefix);
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Its output so far: stdout and stderr lines, interleaved, without Node's own inspector lines (the last `keepLines`). */
  get output(): readonly string[] {
    return this.proc.output;
  }

  /**
   * The first line of output (already printed or to come) matching `pattern` (e.g. `/listening on (\d+)/`;
   * a string matches literally), as a RegExp match. Rejects with NodeOutputError when the program
   * exits first or `timeout` ms pass (default 30,000).
   */
  waitForOutput(pattern: RegExp | string, options?: { timeout?: number }): Promise<RegExpExecArray> {
    return this.proc.waitForOutput(pattern, options);
  }

  /** As PageHeap.check: a warm-up round, then baseline, action, target, undo, final, toHaveNoLeaks. */
  async check(action: () => Promise<unknown>, undo: () => Promise<unknown>, budgets: CheckOptions = {}): Promise<void> {
    await runCheck(this, action, undo, budgets);
  }

  /**
   * Stops the program now (the fixture also stops it after the test). Its snapshot files stay
   * until the test ends, then are kept or deleted by `snapshots` like any others.
   */
  async stop(): Promise<void> {
    await this.close();
  }
}

/** The `nodeHeap` fixture: starts Node programs with the inspector; every one is stopped after the test. */
export class NodeHeaps {
  private readonly started: NodeTarget[] = [];

  constructor(private readonly host: RecorderHost, private readonly options: HeapscopeOptions) {}

  /**
   * Starts this Node (`process.execPath`) with `--inspect=127.0.0.1:0` and ARGS (a script and its
   * arguments, Node options before it if any), and attaches one inspector session for its snapshots.
   * `name` prefixes its files (`heapscope-NAME-baseline.heapsnapshot`, `heapscope-NAME-leaks.json`);
   * default `node`, `node-2`, …. Rejects when the program exits before its inspector opens or opens
   * none within `startTimeout`.
   */
  async launch(args: string[], options: LaunchNodeOptions & { name?: string } = {}): Promise<NodeTarget> {
    const name = options.name ?? (this.started.length === 0 ? 'node' : `node-${this.started.length + 1}`);
    const source = await NodeProcessSource.launch([process.execPath, ...args], { stallTimeout: this.options.stallTimeout ?? DEFAULT_STALL_MS, ...options });
    const target = new NodeTarget(source, this.host, this.options, `heapscope-${name.replace(/[^\w.-]/g, '_')}-`);
    this.started.push(target);
    return target;
  }

  async finishAll(failed: boolean): Promise<void> {
    await Promise.all(this.started.map((t) => t.finish(failed)));
  }
}

function hostFor(testInfo: TestInfo): RecorderHost {
  return {
    outputDir: testInfo.outputDir,
    attach: (name, file, contentType) => testInfo.attach(name, { path: file, contentType }),
    step: (title, body) => base.step(title, body, { box: true }),
    test: {
      title: testInfo.title,
      titlePath: testInfo.titlePath.slice(1),
      file: path.relative(testInfo.config.rootDir, testInfo.file).split(path.sep).join('/'),
      project: testInfo.project.name,
      repeatEachIndex: testInfo.repeatEachIndex,
      retry: testInfo.retry,
      workerIndex: testInfo.workerIndex,
    },
  };
}

/**
 * Whether the test failed, whatever was expected: a `test.fail()` test that fails (a known leak
 * kept in the suite) still keeps its snapshots for whoever comes to fix it.
 */
function failed(testInfo: TestInfo): boolean {
  return testInfo.status !== 'passed' && testInfo.status !== 'skipped';
}

export interface HeapscopeFixtures {
  /** Options for the fixtures: `test.use({ heapscope: { snapshots: 'always', maxLeakedBytes: '10KB' } })`. */
  heapscope: HeapscopeOptions;
  /** Baseline/target/final snapshots of the test's page through its own CDP session (Chromium only). */
  heap: PageHeap;
  /** Node programs under test, started with the inspector and stopped after the test. */
  nodeHeap: NodeHeaps;
}

export const test = base.extend<HeapscopeFixtures>({
  heapscope: [{}, { option: true }],
  heap: async ({ page, heapscope, browserName }, use, testInfo) => {
    const source = new PageSource(page, heapscope.stallTimeout ?? DEFAULT_STALL_MS, browserName);
    const heap = new PageHeap(source, hostFor(testInfo), heapscope);
    await use(heap);
    await heap.finish(failed(testInfo));
  },
  nodeHeap: async ({ heapscope }, use, testInfo) => {
    const heaps = new NodeHeaps(hostFor(testInfo), heapscope);
    await use(heaps);
    await heaps.finishAll(failed(testInfo));
  },
});

function recorderOf(received: unknown, matcher: string): HeapRecorder {
  if (received instanceof HeapRecorder) return received;
  throw new TypeError(`expect(heap).${matcher}(): expected the \`heap\` fixture or a target from nodeHeap.launch(), got ${describe(received)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return typeof v;
}

function isWeakResult(v: unknown): v is WeakResult {
  return typeof v === 'object' && v !== null && (v as WeakResult).heapscope?.report === 'weak' && Array.isArray((v as WeakResult).targets);
}

export const expect = baseExpect.extend({
  /**
   * Analyses baseline → target → final (as `heapscope check`) and passes when the leaked objects
   * are within `budgets` (default: none at all). Writes and attaches heapscope-leaks.json and .html.
   */
  async toHaveNoLeaks(received: unknown, budgets: LeakBudgets = {}) {
    const recorder = recorderOf(received, 'toHaveNoLeaks');
    const doc = await recorder.leaks(budgets);
    return {
      pass: doc.pass,
      name: 'toHaveNoLeaks',
      expected: doc.budgets,
      actual: { totalCount: doc.totalCount, totalRetainedSize: doc.totalRetainedSize, clusters: doc.leaks.length },
      message: () => (this.isNot ? noLeakMessage(doc, recorder.reportName) : leakFailureMessage(doc, recorder.reportName)),
    };
  },

  /**
   * For code whose contract is "let go": every object of class `cls` that a WeakRef, WeakMap,
   * WeakSet or FinalizationRegistry holds in `heap.weak()`'s snapshot is released (or reachable
   * only weakly). Fails naming what still holds each one; fails too when there is no such object.
   */
  toRelease(received: unknown, cls: string | RegExp) {
    if (!isWeakResult(received)) throw new TypeError(`expect(weak).toRelease(): expected the result of heap.weak(), got ${describe(received)}`);
    if (typeof cls !== 'string' && !(cls instanceof RegExp)) throw new TypeError('expect(weak).toRelease(cls): cls must be a class name or a RegExp');
    const verdict = releaseVerdict(received, cls);
    // Nothing of the class is weakly held: neither toRelease nor not.toRelease can judge, both fail.
    const nothing = verdict.matching.length === 0;
    return {
      pass: nothing ? this.isNot : verdict.pass,
      name: 'toRelease',
      expected: String(cls),
      actual: { matching: verdict.matching.length, kept: verdict.kept.length },
      message: () => releaseMessage(received, cls, verdict, this.isNot),
    };
  },
});
