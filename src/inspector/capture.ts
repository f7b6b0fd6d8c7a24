import { openCaptureSession, type CaptureDeadlines, type CaptureProgress, type CaptureResult } from './capture-session.js';

export { openCaptureSession, snapshotOnChannel } from './capture-session.js';
export type {
  AttachedTarget, CaptureDeadlines, CaptureProgress, CaptureResult, CaptureSession, CaptureSessionOptions, ChannelSnapshotOptions, ChannelTarget, ProcessMemory,
  SnapshotOptions, WorkerInfo,
} from './capture-session.js';

export interface CaptureOptions {
  /** A TARGET as in CONTRACT.md (ws://HOST:PORT/ID, HOST:PORT, PORT, pid:PID) or chromium:USER_DATA_DIR. */
  target: string;
  /** Destination file, or an existing directory to put the default name in. Default: the default name in `cwd`. */
  out?: string;
  /** Run HeapProfiler.collectGarbage first (V8 runs full GCs before a snapshot anyway; this adds one more). */
  gc?: boolean;
  /** Where one port serves several targets: the one whose title or URL contains this text. */
  pick?: string;
  /** A worker thread of the Node target (thread id, or text in its title or URL): snapshot its heap. */
  worker?: string;
  /** Read the target's memory before the snapshot (CaptureResult.memory). Default true. */
  memory?: boolean;
  allowRemote?: boolean;
  onProgress?: (p: CaptureProgress) => void;
  /** Cancels the capture; it rejects with CaptureIncompleteError and leaves no file. */
  signal?: AbortSignal;
  cwd?: string;
  deadlines?: CaptureDeadlines;
}

/**
 * Takes one heap snapshot of TARGET and writes it to a file, streaming: chunks go to a temp file
 * as they arrive (never the whole snapshot in memory), which is fsynced and renamed into place
 * only when the text is a whole snapshot. Throws UsageError (2), TargetUnreachableError (3),
 * CaptureIncompleteError (4) or FileIoError (5); on any failure no file is left behind.
 *
 * One session per call: object ids of two such snapshots cannot be compared (V8 forgets them when
 * the session closes). For a series, use `openCaptureSession` and call `capture()` on it per file.
 *
 * Memory: the chunks pass through two fixed 1 MiB buffers, but V8 may still grow the caller's young
 * generation while they stream; a process that must stay small can set
 * `--semi-space-growth-factor=1` as the CLI does (src/cli/capture.ts).
 */
export async function captureHeapSnapshot(options: CaptureOptions): Promise<CaptureResult> {
  const session = await openCaptureSession({
    target: options.target,
    pick: options.pick,
    worker: options.worker,
    memory: options.memory,
    allowRemote: options.allowRemote,
    deadlines: options.deadlines,
    signal: options.signal,
  });
  try {
    const { address, browser, title } = session.target;
    options.onProgress?.({ phase: 'attached', address, browser, title });
    return await session.capture({ out: options.out, cwd: options.cwd, gc: options.gc, onProgress: options.onProgress, signal: options.signal });
  } finally {
    await session.close();
  }
}
