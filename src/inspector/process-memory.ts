import type { CdpChannel } from './channel.js';
import { pidListeningOn, residentBytes } from './procfs.js';
import { isLoopbackHost } from './target.js';

/** Memory of the process behind a target, beside what its heap snapshot shows. Bytes throughout. */
export interface ProcessMemory {
  /** V8 heap in use and reserved (`Runtime.getHeapUsage`); for a worker thread, that thread's own heap. */
  heapUsed: number;
  heapTotal: number;
  /** Chromium: Blink's own heap in use (where DOM nodes live), outside V8's. */
  embedderHeapUsed?: number;
  /** Chromium: ArrayBuffer backing stores. */
  backingStorage?: number;
  /**
   * Resident set size of the whole process that runs the target (VmRSS from /proc): a Node process
   * (all its threads), or a Chromium page's renderer. Absent where it cannot be had: an inspector on
   * another host, no /proc (not Linux), or a browser that would not name the page's renderer.
   */
  rss?: number;
  /** The process `rss` was read from. */
  pid?: number;
  /** Chromium pages: the renderer's DOM counters (`Memory.getDOMCounters`). */
  dom?: { documents: number; nodes: number; jsEventListeners: number };
}

/** What processMemory needs to know about the target to find its process. */
export interface MemoryTarget {
  host: string;
  port: number;
  /** CDP target type: `node`, `page`, `worker`, … */
  type: string;
  /** `Browser` of /json/version: `node.js/v20…`, `Chrome/156…`, `Electron/…`. */
  browser: string;
  /** When known already (a `pid:` TARGET). */
  pid?: number;
}

const PAGE_TYPES = new Set(['page', 'iframe', 'webview', 'app']);

/**
 * Reads the target's heap usage over CDP and, where the pid can be found on this machine, its
 * process's RSS from /proc. The protocol has no RSS: Node's `process.memoryUsage()` would need code
 * run inside the target, which heapscope never does.
 *
 * Throws the channel's SessionError when `Runtime.getHeapUsage` fails; the DOM counters and RSS
 * are left out when they cannot be had.
 */
export async function processMemory(channel: CdpChannel, target: MemoryTarget, options: { deadlineMs?: number; findPid?: boolean } = {}): Promise<ProcessMemory> {
  const deadlineMs = options.deadlineMs ?? 5_000;
  const usage = await channel.send('Runtime.getHeapUsage', undefined, { deadlineMs });
  const memory: ProcessMemory = { heapUsed: usage.usedSize, heapTotal: usage.totalSize };
  // Chromium 156 answers these two as well; Node's older protocol does not.
  const extra = usage as { embedderHeapUsedSize?: unknown; backingStorageSize?: unknown };
  if (typeof extra.embedderHeapUsedSize === 'number') memory.embedderHeapUsed = extra.embedderHeapUsedSize;
  if (typeof extra.backingStorageSize === 'number') memory.backingStorage = extra.backingStorageSize;
  if (PAGE_TYPES.has(target.type)) {
    try {
      const { documents, nodes, jsEventListeners } = await channel.send('Memory.getDOMCounters', undefined, { deadlineMs });
      memory.dom = { documents, nodes, jsEventListeners };
    } catch { /* an embedder without the Memory domain */ }
  }
  // findPid false: the caller looked already (a page's lookup runs a trace: not for every poll).
  const pid = target.pid ?? (options.findPid === false ? undefined : await findTargetPid(target, channel));
  const rss = pid === undefined ? undefined : await residentBytes(pid);
  if (pid !== undefined && rss !== undefined) {
    memory.rss = rss;
    memory.pid = pid;
  }
  return memory;
}

/**
 * The local process that runs the target, or undefined. Node (a process, or one of its worker
 * threads): the process listening on the inspector port. A Chromium or Electron page: its
 * renderer, as the browser itself names it: a trace of the `devtools.timeline` category begins with
 * `TracingStartedInBrowser`, whose frames carry their renderer's `processId` (how DevTools'
 * Performance panel maps frames to processes); the page target's id is its main frame's id. Only
 * for inspectors on this machine: a pid from another host names nothing here.
 */
export async function findTargetPid(target: MemoryTarget, channel?: CdpChannel): Promise<number | undefined> {
  if (!isLoopbackHost(target.host)) return undefined;
  if (target.browser.startsWith('node')) return pidListeningOn(target.port);
  if (!channel || !PAGE_TYPES.has(target.type)) return undefined;
  try {
    return await rendererPid(channel);
  } catch {
    // Tracing already running (DevTools recording a profile), or an embedder without it.
    return undefined;
  }
}

const TRACE_DEADLINE_MS = 5_000;

async function rendererPid(channel: CdpChannel): Promise<number | undefined> {
  const { targetInfo } = await channel.send('Target.getTargetInfo', {}, { deadlineMs: TRACE_DEADLINE_MS });
  let pid: number | undefined;
  const offData = channel.on('Tracing.dataCollected', (e) => {
    for (const event of e.value) {
      if (pid !== undefined || (event as { name?: unknown }).name !== 'TracingStartedInBrowser') continue;
      const frames = (event as { args?: { data?: { frames?: unknown } } }).args?.data?.frames;
      if (!Array.isArray(frames)) continue;
      const main = frames.find((f: { frame?: unknown }) => f.frame === targetInfo.targetId) as { processId?: unknown } | undefined;
      if (typeof main?.processId === 'number' && main.processId > 0) pid = main.processId;
    }
  });
  let offComplete = () => {};
  const complete = new Promise<void>((resolve) => { offComplete = channel.on('Tracing.tracingComplete', () => resolve()); });
  try {
    await channel.send('Tracing.start', {
      traceConfig: { includedCategories: ['disabled-by-default-devtools.timeline'], excludedCategories: ['*'] },
      transferMode: 'ReportEvents',
    }, { deadlineMs: TRACE_DEADLINE_MS });
    await channel.send('Tracing.end', undefined, { deadlineMs: TRACE_DEADLINE_MS });
    await Promise.race([complete, new Promise((r) => setTimeout(r, TRACE_DEADLINE_MS).unref())]);
  } finally {
    offData();
    offComplete();
  }
  return pid;
}
