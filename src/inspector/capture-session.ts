import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../shared/errors.js';
import type { CdpChannel } from './channel.js';
import { discoverTarget, type DiscoveredTarget } from './discover.js';
import { CaptureIncompleteError, SessionError, TargetUnreachableError, type CaptureExtent } from './errors.js';
import { getJson } from './http-json.js';
import { findTargetPid, processMemory, type ProcessMemory } from './process-memory.js';
import { describeSpec, resolveInspector } from './resolve-target.js';
import { Session } from './session.js';
import { SnapshotFileSink } from './sink.js';
import { SnapshotStreamTracker } from './snapshot-stream.js';
import { parseTarget, type TargetSpec } from './target.js';
import { WorkerChannel, type WorkerInfo } from './worker-channel.js';

export type { ProcessMemory } from './process-memory.js';
export type { WorkerInfo } from './worker-channel.js';

export type CaptureProgress =
  /** The inspector answered and the session is open. */
  | { phase: 'attached'; address: string; browser: string; title: string }
  | { phase: 'gc' }
  /** V8 building the graph (the target's JS is blocked meanwhile). */
  | { phase: 'graph'; done: number; total: number }
  /** Snapshot text arriving; `estimatedBytes` from the first chunk's node and edge counts. */
  | { phase: 'write'; bytes: number; estimatedBytes: number | undefined }
  | { phase: 'done'; file: string; bytes: number };

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
  /**
   * Additive: the target's memory just before the snapshot (after `gc`): its heap usage and, where
   * the OS tells, its process's RSS. Absent when the target would not say.
   */
  memory?: ProcessMemory;
}

export interface CaptureSessionOptions {
  /** A TARGET as in CONTRACT.md (ws://HOST:PORT/ID, HOST:PORT, PORT, pid:PID) or chromium:USER_DATA_DIR. */
  target: string;
  /** Where one port serves several targets: the one whose title or URL contains this text. */
  pick?: string;
  /**
   * A worker thread of the Node target: its thread id (`1`) or text in its title or URL. The
   * snapshots are then of that thread's heap, taken through the process's session (NodeWorker).
   */
  worker?: string;
  /** Read the target's memory before each snapshot (CaptureResult.memory). Default true. */
  memory?: boolean;
  allowRemote?: boolean;
  deadlines?: CaptureDeadlines;
  /** Cancels attaching: rejects with CaptureIncompleteError ("cancelled"). Each capture takes its own signal. */
  signal?: AbortSignal;
}

export interface SnapshotOptions {
  /** Destination file, or an existing directory to put the default name in. Default: the default name in `cwd`. */
  out?: string;
  cwd?: string;
  /** Run HeapProfiler.collectGarbage first (V8 runs full GCs before a snapshot anyway; this adds one more). */
  gc?: boolean;
  onProgress?: (p: CaptureProgress) => void;
  /**
   * Cancels this capture: it rejects with CaptureIncompleteError and leaves no file. CDP cannot stop
   * a snapshot V8 has begun, so cancelling drops the connection and ends the session.
   */
  signal?: AbortSignal;
}

/** The target a session is attached to; nothing here carries the WebSocket URL's secret. */
export interface AttachedTarget {
  /** HOST:PORT of the inspector. */
  address: string;
  /** `Browser` from /json/version, e.g. `node.js/v20.20.2`. */
  browser: string;
  type: string;
  title: string;
  url: string;
  /** The process, when known (a pid: TARGET; or found through /proc for memory readings). */
  pid?: number;
  /** With `worker`: the worker thread whose heap the snapshots hold (type, title and url above are its own). */
  worker?: WorkerInfo;
}

/**
 * One inspector session kept open for a series of snapshots whose object ids can be compared.
 *
 * Why a session: V8 numbers heap objects per inspector session. When any session on the target
 * closes, its HeapProfiler agent is disabled and `V8HeapProfilerAgentImpl::disable()` calls
 * `HeapProfiler::ClearObjectIds()` (v8/src/inspector/v8-heap-profiler-agent-impl.cc), so the next
 * snapshot numbers the heap afresh and reuses old numbers for other objects (measured on Node 20:
 * ~24,000 of ~45,000 ids changed meaning; fixtures/targets/README.md item 1). Snapshots for a diff,
 * a weak before/after or a three-snapshot leak check must all come from one session that stays open.
 */
export interface CaptureSession {
  readonly target: AttachedTarget;
  /**
   * Takes one snapshot and writes it like `captureHeapSnapshot` does (temp file, fsync, rename; no
   * file on failure). Calls made while one runs wait for it: one session serves one capture at a
   * time. A failure that may leave V8 still sending the snapshot (a stall, a cancel, a write error)
   * ends the session, so its chunks can never land in the next file; a failure to create the file
   * does not. Once the session has ended, rejects with CaptureIncompleteError saying why.
   */
  capture(options?: SnapshotOptions): Promise<CaptureResult>;
  /**
   * Resolves (never rejects) when the connection ends other than by `close()`: the target exited,
   * the connection dropped, or a failed capture ended it. Its `reason` says which. Race it with
   * whatever the caller waits for between captures.
   */
  readonly lost: Promise<CaptureIncompleteError>;
  /**
   * The target's memory now (heap usage; RSS where the process can be found on this machine). Sent
   * at once, beside any capture: while one runs the target's JS thread is blocked and this waits for
   * it (or fails at its deadline). Throws the channel's SessionError.
   */
  memory(options?: { deadlineMs?: number }): Promise<ProcessMemory>;
  /** False once the connection has ended, for whatever reason. */
  readonly isOpen: boolean;
  /** Closes the connection politely. Safe to call more than once. Note: closing makes V8 forget the ids. */
  close(): Promise<void>;
}

const NO_DATA: CaptureExtent = { bytes: 0, estimatedBytes: undefined };
const DEFAULT_STALL_MS = 120_000;

/**
 * Attaches to TARGET (discovery with deadlines, pid: via SIGUSR1, `HeapProfiler.enable`) and returns
 * a session for one or more snapshots. Throws UsageError (2), TargetUnreachableError (3) or, when
 * `signal` cancels, CaptureIncompleteError (4).
 */
export async function openCaptureSession(options: CaptureSessionOptions): Promise<CaptureSession> {
  const d = options.deadlines ?? {};
  const spec = parseTarget(options.target, { allowRemote: options.allowRemote });
  const signal = options.signal;
  const checkAborted = (where: string) => {
    if (signal?.aborted) throw new CaptureIncompleteError(where, 'cancelled', NO_DATA);
  };

  checkAborted(describeSpec(spec));
  const { host, port, path: wsPath, pid } = await resolveInspector(spec, { pidMs: d.pidMs });
  const target = await discoverTarget(host, port, wsPath, { pick: options.pick, deadlineMs: d.probeMs });
  checkAborted(target.address);
  if (options.worker !== undefined && !isNode(target)) {
    throw new UsageError(`--worker is for Node processes; ${target.address} is ${target.browser} (a ${target.type} target). `
      + 'A Chromium page\'s workers are targets of their own: see --list');
  }

  const session = await Session.connect(target.wsUrl, target.address, { connectDeadlineMs: d.connectMs, commandDeadlineMs: d.commandMs });
  let channel: CdpChannel = session;
  const onAbort = () => channel.destroy('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    try {
      if (options.worker !== undefined) channel = await WorkerChannel.attach(session, options.worker, { commandDeadlineMs: d.commandMs });
      // The first command proves a V8 inspector is talking: failing here is exit 3, not 4.
      await channel.send('HeapProfiler.enable');
    } catch (err) {
      if (signal?.aborted || !(err instanceof SessionError)) throw err;
      throw new TargetUnreachableError(target.address, sessionDetail(err), { cause: err });
    }
  } catch (err) {
    await channel.close();
    throw await explain(err, channel, target, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const worker = channel instanceof WorkerChannel ? channel.worker : undefined;
  return new LiveCaptureSession(channel, target, spec, d.stallMs ?? DEFAULT_STALL_MS,
    { pid, worker, memory: options.memory ?? true, commandMs: d.commandMs });
}

function isNode(target: DiscoveredTarget): boolean {
  return target.type === 'node' || target.browser.startsWith('node');
}

interface SessionExtras {
  pid: number | undefined;
  worker: WorkerInfo | undefined;
  memory: boolean;
  commandMs: number | undefined;
}

class LiveCaptureSession implements CaptureSession {
  readonly target: AttachedTarget;
  readonly lost: Promise<CaptureIncompleteError>;
  private closing = false;
  /** The capture running now (or the last one), so the next waits for it. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The process's pid, found once for Node targets (its inspector port's owner does not change). */
  private pid: Promise<number | undefined> | undefined;

  constructor(private readonly session: CdpChannel, private readonly discovered: DiscoveredTarget,
    private readonly spec: TargetSpec, private readonly stallMs: number, private readonly extras: SessionExtras) {
    const { address, browser, type, title, url } = discovered;
    const worker = extras.worker;
    this.target = worker
      ? { address, browser, type: worker.type, title: worker.title, url: worker.url, worker }
      : { address, browser, type, title, url };
    if (extras.pid !== undefined) {
      this.target.pid = extras.pid;
      this.pid = Promise.resolve(extras.pid);
    } else if (isNode(discovered)) {
      this.pid = findTargetPid({ ...discovered, pid: undefined }).then((pid) => {
        if (pid !== undefined) this.target.pid = pid;
        return pid;
      }, () => undefined);
    }
    this.lost = new Promise((resolve) => {
      session.onEnd((err) => {
        if (this.closing) return;
        void sessionReason(err, session, discovered, undefined)
          .then((reason) => resolve(new CaptureIncompleteError(address, reason, NO_DATA, { cause: err })));
      });
    });
  }

  get isOpen(): boolean {
    return this.session.ended === undefined;
  }

  capture(options: SnapshotOptions = {}): Promise<CaptureResult> {
    const run = this.queue.then(() => this.captureNow(options));
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.session.close();
  }

  async memory(options: { deadlineMs?: number } = {}): Promise<ProcessMemory> {
    const pid = await this.processId();
    const memory = await processMemory(this.session, { ...this.discovered, type: this.target.type, pid },
      { deadlineMs: options.deadlineMs ?? this.extras.commandMs, findPid: false });
    // The process is gone (a page's renderer swapped on navigation): look again next time.
    if (pid !== undefined && memory.rss === undefined && this.extras.pid === undefined) this.pid = undefined;
    return memory;
  }

  /**
   * The pid, looked up once per session: Node's from its inspector port, a page's from a short
   * trace (findTargetPid), which is too heavy to repeat for every reading of a poll.
   */
  private processId(): Promise<number | undefined> {
    this.pid ??= findTargetPid({ ...this.discovered, type: this.target.type }, this.session).then((pid) => {
      if (pid !== undefined) this.target.pid = pid;
      return pid;
    }, () => undefined);
    return this.pid;
  }

  /** The target's memory, or undefined when it will not say; a session that ended meanwhile still fails the capture. */
  private async readMemory(): Promise<ProcessMemory | undefined> {
    try {
      return await this.memory();
    } catch (err) {
      if (this.session.ended) throw err;
      return undefined;
    }
  }

  private async captureNow(options: SnapshotOptions): Promise<CaptureResult> {
    const { session, discovered: target, stallMs } = this;
    if (options.signal?.aborted) throw new CaptureIncompleteError(target.address, 'cancelled', NO_DATA);
    if (session.ended) throw await explain(session.ended, session, target, undefined);
    const file = await destination(options, this.spec, target, this.extras.worker);
    // Before the snapshot: V8's snapshot generator itself takes ~7x the snapshot in extra RSS (FACTS.md §2).
    let memory: ProcessMemory | undefined;
    return snapshotOnChannel(session, file, {
      target, stallMs, gc: options.gc, onProgress: options.onProgress, signal: options.signal,
      beforeSnapshot: this.extras.memory ? async () => { memory = await this.readMemory(); } : undefined,
    }).then((result) => (memory ? { ...result, memory } : result));
  }
}

/** Where a channel leads, for messages; `host` and `port` when an inspector's HTTP endpoint can be probed. */
export interface ChannelTarget {
  address: string;
  host?: string;
  port?: number;
}

export interface ChannelSnapshotOptions {
  target: ChannelTarget;
  /** Inactivity limit for collectGarbage and takeHeapSnapshot. Default 120 s. */
  stallMs?: number;
  gc?: boolean;
  onProgress?: (p: CaptureProgress) => void;
  signal?: AbortSignal;
  /** Runs after the GC step, before the snapshot is requested (memory readings). */
  beforeSnapshot?: () => Promise<void>;
  /**
   * Ask V8 for graph-building progress events. Default true. They are not free: a Chromium page of
   * 600k objects took 24.3 s with them and 14.8 s without (Playwright relaying every event).
   */
  reportProgress?: boolean;
}

/**
 * Takes one heap snapshot over an open CDP channel (a Node session, a worker, a Playwright page's
 * CDPSession) and writes it to `file` the safe way (temp file, fsync, rename; no file on failure).
 * HeapProfiler must be enabled on the channel. A failure that may leave V8 still sending (a stall,
 * a cancel) ends the channel, so its chunks never land in a later file. Throws
 * CaptureIncompleteError (4) for a channel that ended or failed, FileIoError (5) for the disk.
 */
export async function snapshotOnChannel(session: CdpChannel, file: string, options: ChannelSnapshotOptions): Promise<CaptureResult> {
  const { target, signal } = options;
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const progress = options.onProgress ?? (() => {});
  if (signal?.aborted) throw new CaptureIncompleteError(target.address, 'cancelled', NO_DATA);
  if (session.ended) throw await explain(session.ended, session, target, undefined);
  const onAbort = () => session.destroy('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    if (options.gc) {
      progress({ phase: 'gc' });
      await session.send('HeapProfiler.collectGarbage', undefined, { deadlineMs: stallMs });
    }
    await options.beforeSnapshot?.();
    return await streamSnapshot(session, target, file, progress, stallMs, signal, options.reportProgress ?? true);
  } catch (err) {
    // A stalled command may still be running in V8: its chunks must not reach the next capture.
    // (Every other failure after the request either ended the session already or came after V8's answer.)
    const stall = stallOf(err);
    if (stall && !session.ended) session.destroy(`an earlier capture stalled (${sessionDetail(stall)})`);
    throw await explain(err, session, target, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function streamSnapshot(session: CdpChannel, target: ChannelTarget, file: string,
  progress: (p: CaptureProgress) => void, stallMs: number, signal: AbortSignal | undefined, reportProgress: boolean): Promise<CaptureResult> {
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
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress }, { deadlineMs: stallMs, idle: true });
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
    if (err instanceof SessionError) throw new CaptureIncompleteError(target.address, await sessionReason(err, session, target, signal), extent(), { cause: err });
    throw err;
  } finally {
    offChunk();
    offProgress();
  }
}

/** Turns a SessionError from outside the snapshot stream (the GC step, a cancel) into exit 4 with a reason. */
async function explain(err: unknown, session: CdpChannel, target: ChannelTarget, signal: AbortSignal | undefined): Promise<unknown> {
  if (!(err instanceof SessionError)) return err;
  return new CaptureIncompleteError(target.address, await sessionReason(err, session, target, signal), NO_DATA, { cause: err });
}

async function sessionReason(err: SessionError, session: CdpChannel, target: ChannelTarget, signal: AbortSignal | undefined): Promise<string> {
  if (signal?.aborted) return 'cancelled';
  if (session instanceof WorkerChannel && session.workerExited) return 'the worker thread exited';
  // Ours (closed, cancelled, a stall or a write error ended it): its own words say why.
  if (err.failure !== 'closed' || session.endedLocally) return sessionDetail(err);
  // A channel with no inspector endpoint to probe (a Playwright page's session) knew why it ended.
  if (target.port === undefined) return err.detail;
  // Tell a dead target from a dropped connection: a live inspector still answers /json/version.
  try {
    await getJson(target.host ?? '127.0.0.1', target.port, '/json/version', 500);
    return 'the connection dropped (the target is still running; it may refuse a new session until it has finished serialising)';
  } catch {
    return 'the target exited (its inspector no longer answers)';
  }
}

function stallOf(err: unknown): SessionError | undefined {
  const e = err instanceof CaptureIncompleteError ? err.cause : err;
  return e instanceof SessionError && e.failure === 'timeout' ? e : undefined;
}

function sessionDetail(err: SessionError): string {
  return err.message.slice(err.address.length + 2);
}

/** `heapscope-<yyyymmdd-hhmmss>-<pid or port>[-worker<id>].heapsnapshot`, in `out` when that is a directory. */
async function destination(options: SnapshotOptions, spec: TargetSpec, target: DiscoveredTarget, worker: WorkerInfo | undefined): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  let dir = cwd;
  if (options.out !== undefined) {
    const out = path.resolve(cwd, options.out);
    const st = await stat(out).catch(() => undefined);
    if (!st?.isDirectory()) return out;
    dir = out;
  }
  const tag = `${spec.kind === 'pid' ? spec.pid : target.port}${worker ? `-worker${worker.workerId.replace(/[^0-9A-Za-z]/g, '')}` : ''}`;
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
