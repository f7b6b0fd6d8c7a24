/**
 * The DevTools oracle: Chrome DevTools' own heap snapshot code (chrome-devtools-frontend, bundled for
 * Node by ./bundle.mjs) run on a file, returning the numbers its Summary view shows. heapscope's
 * summary must equal these. The rules behind the numbers are written down in ./NOTES.md.
 *
 * Each call runs ./runner.mjs in a child process of its own: a 1 GB snapshot needs ~4.5 GB in
 * DevTools' code (FACTS.md §4), which must not land in a test worker's heap.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One row of DevTools' Summary view. */
export interface OracleClass {
  /** DevTools' public class key: `,Name`, or `scriptId,line,column,Name` for objects with a constructor location. */
  key: string;
  /** The name the Summary grid displays (two keys may share a name: two classes `Foo` in two files). */
  name: string;
  count: number;
  /** Shallow size, after DevTools moves owned arrays' and hidden nodes' sizes to their owner (NOTES.md §2.1). */
  selfSize: number;
  /** The row's retained size (`maxRet`, NOTES.md §2.3). */
  retainedSize: number;
  /** Smallest distance of an instance; ≥ 100000000 for system-only, −5 when one instance is unreachable. */
  distance: number;
}

/** One node looked up by V8 object id (`ids` option). */
export type OracleNode =
  | { id: number; found: false }
  | {
      id: number;
      found: true;
      ordinal: number;
      type: string;
      /** The instance label DevTools shows (e.g. `{a, …, z}` for plain objects). */
      name: string;
      className: string;
      classKey: string | null;
      selfSize: number;
      retainedSize: number;
      distance: number;
      dominatorId: number;
    };

export interface OracleStatistics {
  total: number;
  native: { total: number; typedArrays: number };
  v8heap: { total: number; code: number; jsArrays: number; strings: number; system: number };
}

export interface OracleResult {
  file: string;
  devtoolsVersion: string;
  nodeCount: number;
  edgeCount: number;
  /** What DevTools calls the snapshot's total size: retained size of the root + `extra_native_bytes`. */
  totalSize: number;
  rootRetainedSize: number;
  extraNativeBytes: number;
  /** The Statistics view's numbers. */
  statistics: OracleStatistics;
  /** Summary rows, sorted by retained size (largest first), then name, then key. */
  classes: OracleClass[];
  nodes: OracleNode[];
  /** With `collisions: true`: aggregates DevTools computed but dropped (NOTES.md §1.5). */
  overwritten?: Array<OracleClass & { internalKey: string | number }>;
  /** Time inside the child: parse (read + tokenize), init (JSHeapSnapshot.initialize), aggregate. */
  timings: { parseMs: number; initMs: number; aggregateMs: number; totalMs: number };
  /** Peak RSS of the child process (both DevTools threads). */
  maxRssMb: number;
}

export interface OracleOptions {
  /** V8 object ids to describe individually (self/retained size, distance, dominator, class). */
  ids?: number[];
  /** Also report aggregates dropped by DevTools' key overwrite (costs one more aggregation pass). */
  collisions?: boolean;
  /** Kill the child after this long; default 15 minutes. */
  timeoutMs?: number;
  /** Heap limit of each DevTools thread; default 3/4 of RAM, capped at 16 GiB. */
  maxOldSpaceMb?: number;
  /** Echo DevTools' progress lines to this process's stderr. */
  verbose?: boolean;
}

export class OracleError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'OracleError';
  }
}

/** Path of the child program, for callers that spawn it themselves (the benchmark). */
export const oracleRunnerPath: string = fileURLToPath(new URL('./runner.mjs', import.meta.url));

function defaultHeapMb(): number {
  return Math.max(2048, Math.min(16384, Math.floor((os.totalmem() / 2 ** 20) * 0.75)));
}

/**
 * Loads `file` (`.heapsnapshot` or `.heapsnapshot.gz`) with DevTools' code and returns the Summary
 * view's rows and totals. Rejects with an OracleError if DevTools fails on the file.
 */
export async function devtoolsSummary(file: string, options: OracleOptions = {}): Promise<OracleResult> {
  const abs = path.resolve(file);
  await fs.promises.access(abs, fs.constants.R_OK);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'heapscope-oracle-'));
  const out = path.join(dir, 'result.json');
  const heapMb = options.maxOldSpaceMb ?? defaultHeapMb();
  const args = [`--max-old-space-size=${heapMb}`, oracleRunnerPath, abs, '--out', out, '--worker-heap-mb', String(heapMb)];
  if (options.ids?.length) args.push('--ids', options.ids.join(','));
  if (options.collisions) args.push('--collisions');
  if (options.verbose) args.push('--verbose');
  try {
    const { code, signal, stderr, timedOut } = await run(process.execPath, args, options.timeoutMs ?? 15 * 60_000, options.verbose ?? false);
    if (timedOut) throw new OracleError(`DevTools oracle timed out on ${abs}`, abs, stderr, code);
    if (code !== 0) {
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      throw new OracleError(`DevTools oracle failed on ${abs} (${why}): ${lastLines(stderr)}`, abs, stderr, code);
    }
    return JSON.parse(await fs.promises.readFile(out, 'utf8')) as OracleResult;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], timeoutMs: number, echo: boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (echo) process.stderr.write(d);
      // DevTools prints a problem report for unreachable nodes; keep the tail only.
      stderr = (stderr + d).slice(-64 * 1024);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
