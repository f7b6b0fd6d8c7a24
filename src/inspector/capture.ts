import { stat } from 'node:fs/promises';
import path from 'node:path';
import { discoverTarget, type DiscoveredTarget } from './discover.js';
import { CaptureIncompleteError, SessionError, TargetUnreachableError } from './errors.js';
import { getJson } from './http-json.js';
import { openInspectorByPid } from './pid.js';
import { Session } from './session.js';
import { SnapshotFileSink } from './sink.js';
import { SnapshotStreamTracker } from './snapshot-stream.js';
import { parseTarget, type TargetSpec } from './target.js';

export type CaptureProgress =
  /** The inspector answered and the session is open. */
  | { phase: 'attached'; address: string; browser: string; title: string }
  | { phase: 'gc' }
  /** V8 building the graph (the target's JS is blocked meanwhile). */
  | { phase: 'graph'; done: number; total: number }
  /** Snapshot text arriving; `estimatedBytes` from the first chunk's node and edge counts. */
  | { phase: 'write'; bytes: number; estimatedBytes: number | undefined }
  | { phase: 'done'; file: string; bytes: number };

export interface CaptureOptions {
  /** A TARGET as in CONTRACT.md: ws://HOST:PORT/ID, HOST:PORT, PORT or pid:PID. */
  target: string;
  /** Destination file, or an existing directory to put the default name in. Default: the default name in `cwd`. */
  out?: string;
  /** Run HeapProfiler.collectGarbage first (V8 runs full GCs before a snapshot anyway; this adds one more). */
  gc?: boolean;
  /** Where one port serves several targets: the one whose title or URL contains this text. */
  pick?: string;
  allowRemote?: boolean;
  onProgress?: (p: CaptureProgress) => void;
  /** Cancels the capture; it rejects with CaptureIncompleteError and leaves no file. */
  signal?: AbortSignal;
  cwd?: string;
  deadlines?: CaptureDeadlines;
}

export interface CaptureDeadlines {
  /** Each HTTP probe of /json/version and /json/list. */
  probeMs?: number;
  /** Waiting for the inspector to open after SIGUSR1. */
  pidMs?: number;
  connectMs?: number;
  /** Short commands (HeapProfiler.enable). */
  commandMs?: number;
  /** Inactivity limit for collectGarbage and takeHeapSnapshot: nothing from the target for this long. */
  stallMs?: number;
}

export interface CaptureResult {
  file: string;
  bytes: number;
  nodeCount: number;
  edgeCount: number;
  /** HOST:PORT of the inspector. */
  address: string;
}

/**
 * Takes one heap snapshot of TARGET and writes it to a file, streaming: chunks go to a temp file
 * as they arrive (never the whole snapshot in memory), which is fsynced and renamed into place
 * only when the text is a whole snapshot. Throws UsageError (2), TargetUnreachableError (3),
 * CaptureIncompleteError (4) or FileIoError (5); on any failure no file is left behind.
 *
 * Memory: the chunks pass through two fixed 1 MiB buffers, but V8 may still grow the caller's young
 * generation while they stream; a process that must stay small can set
 * `--semi-space-growth-factor=1` as the CLI does (src/cli/capture.ts).
 */
export async function captureHeapSnapshot(options: CaptureOptions): Promise<CaptureResult> {
  const d = options.deadlines ?? {};
  const spec = parseTarget(options.target, { allowRemote: options.allowRemote });
  const signal = options.signal;
  const progress = options.onProgress ?? (() => {});
  const checkAborted = (where: string) => {
    if (signal?.aborted) throw new CaptureIncompleteError(where, 'cancelled', { bytes: 0, estimatedBytes: undefined });
  };

  checkAborted(describeSpec(spec));
  const { host, port } = spec.kind === 'pid' ? await openInspectorByPid(spec.pid, { deadlineMs: d.pidMs }) : spec;
  const target = await discoverTarget(host, port, spec.kind === 'ws' ? spec.path : undefined,
    { pick: options.pick, deadlineMs: d.probeMs });
  const file = await destination(options, spec, target);
  checkAborted(target.address);

  const session = await Session.connect(target.wsUrl, target.address, { connectDeadlineMs: d.connectMs, commandDeadlineMs: d.commandMs });
  const onAbort = () => session.destroy('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    try {
      // The first command proves a V8 inspector is talking: failing here is exit 3, not 4.
      await session.send('HeapProfiler.enable');
    } catch (err) {
      if (signal?.aborted || !(err instanceof SessionError)) throw err;
      throw new TargetUnreachableError(target.address, sessionDetail(err), { cause: err });
    }
    progress({ phase: 'attached', address: target.address, browser: target.browser, title: target.title });
    if (options.gc) {
      progress({ phase: 'gc' });
      await session.send('HeapProfiler.collectGarbage', undefined, { deadlineMs: d.stallMs ?? 120_000 });
    }
    return await streamSnapshot(session, target, file, progress, d.stallMs ?? 120_000, signal);
  } catch (err) {
    throw await explain(err, target, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}

async function streamSnapshot(session: Session, target: DiscoveredTarget, file: string,
  progress: (p: CaptureProgress) => void, stallMs: number, signal: AbortSignal | undefined): Promise<CaptureResult> {
  const tracker = new SnapshotStreamTracker();
  const sink = await SnapshotFileSink.create(file, {
    onPressure: (stop) => { if (stop) session.pauseIncoming(); else { session.resumeIncoming(); session.touch(); } },
    onError: (err) => session.destroy(err.message),
  });
  const extent = () => ({ bytes: tracker.bytes, estimatedBytes: tracker.estimatedBytes });
  const offChunk = session.on('HeapProfiler.addHeapSnapshotChunk', (e) => {
    if (typeof e?.chunk !== 'string') {
      session.destroy('the target sent a snapshot chunk without text: not a V8 inspector');
      return;
    }
    tracker.feed(e.chunk);
    sink.write(e.chunk);
    progress({ phase: 'write', bytes: tracker.bytes, estimatedBytes: tracker.estimatedBytes });
  });
  const offProgress = session.on('HeapProfiler.reportHeapSnapshotProgress', (e) => {
    if (typeof e?.done === 'number' && typeof e?.total === 'number') progress({ phase: 'graph', done: e.done, total: e.total });
  });
  try {
    try {
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true }, { deadlineMs: stallMs, idle: true });
    } catch (err) {
      // The target may die between its last chunk and its answer: the data decides (FACTS.md §2).
      if (!(err instanceof SessionError && err.failure === 'closed' && tracker.complete && !sink.error && !signal?.aborted)) throw err;
    }
    if (sink.error) throw sink.error;
    if (tracker.malformed) throw new CaptureIncompleteError(target.address, `the target sent text that is not a heap snapshot (${tracker.malformed})`, extent());
    if (!tracker.complete) throw new CaptureIncompleteError(target.address, 'the target reported success but the snapshot text is cut short', extent());
    await sink.commit();
    progress({ phase: 'done', file, bytes: tracker.bytes });
    return { file, bytes: tracker.bytes, nodeCount: tracker.header?.nodeCount ?? 0, edgeCount: tracker.header?.edgeCount ?? 0, address: target.address };
  } catch (err) {
    await sink.discard();
    if (sink.error) throw sink.error;
    if (err instanceof SessionError) throw new CaptureIncompleteError(target.address, await sessionReason(err, target, signal), extent(), { cause: err });
    throw err;
  } finally {
    offChunk();
    offProgress();
  }
}

/** Turns a SessionError from outside the snapshot stream (the GC step, a cancel) into exit 4 with a reason. */
async function explain(err: unknown, target: DiscoveredTarget, signal: AbortSignal | undefined): Promise<unknown> {
  if (!(err instanceof SessionError)) return err;
  return new CaptureIncompleteError(target.address, await sessionReason(err, target, signal), { bytes: 0, estimatedBytes: undefined }, { cause: err });
}

async function sessionReason(err: SessionError, target: DiscoveredTarget, signal: AbortSignal | undefined): Promise<string> {
  if (signal?.aborted) return 'cancelled';
  if (err.failure !== 'closed') return sessionDetail(err);
  // Tell a dead target from a dropped connection: a live inspector still answers /json/version.
  try {
    await getJson(target.host, target.port, '/json/version', 500);
    return 'the connection dropped (the target is still running; it may refuse a new session until it has finished serialising)';
  } catch {
    return 'the target exited (its inspector no longer answers)';
  }
}

function sessionDetail(err: SessionError): string {
  return err.message.slice(err.address.length + 2);
}

function describeSpec(spec: TargetSpec): string {
  return spec.kind === 'pid' ? `pid ${spec.pid}` : `${spec.host}:${spec.port}`;
}

/** `heapscope-<yyyymmdd-hhmmss>-<pid or port>.heapsnapshot`, in `out` when that is a directory. */
async function destination(options: CaptureOptions, spec: TargetSpec, target: DiscoveredTarget): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  let dir = cwd;
  if (options.out !== undefined) {
    const out = path.resolve(cwd, options.out);
    const st = await stat(out).catch(() => undefined);
    if (!st?.isDirectory()) return out;
    dir = out;
  }
  const tag = spec.kind === 'pid' ? spec.pid : target.port;
  const stamp = timestamp(new Date());
  for (let n = 1; ; n++) {
    const file = path.join(dir, `heapscope-${stamp}-${tag}${n > 1 ? `-${n}` : ''}.heapsnapshot`);
    if (!(await stat(file).catch(() => undefined))) return file;
  }
}

function timestamp(t: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}${p(t.getMonth() + 1)}${p(t.getDate())}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}
