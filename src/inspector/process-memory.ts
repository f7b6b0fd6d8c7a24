import type { CdpChannel } from './channel.js';
import { commandLine, listPids, parentPid, pidListeningOn, residentBytes } from './procfs.js';
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
   * (all its threads), or a Chromium page's renderer. Absent where /proc cannot tell (another host,
   * not Linux, or a browser whose renderers cannot be told apart).
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
export async function processMemory(channel: CdpChannel, target: MemoryTarget, options: { deadlineMs?: number } = {}): Promise<ProcessMemory> {
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
  const pid = target.pid ?? await findTargetPid(target);
  const rss = pid === undefined ? undefined : await residentBytes(pid);
  if (pid !== undefined && rss !== undefined) {
    memory.rss = rss;
    memory.pid = pid;
  }
  return memory;
}

/**
 * The local process that runs the target: for Node (a process, or one of its worker threads) the
 * process listening on the inspector port; for a Chromium or Electron page, the one renderer among
 * the browser's descendants (not its own UI's renderers), when there is exactly one. CDP has no
 * way to name a page's renderer, so with several tabs or windows this answers undefined.
 */
export async function findTargetPid(target: MemoryTarget): Promise<number | undefined> {
  if (!isLoopbackHost(target.host)) return undefined;
  const owner = await pidListeningOn(target.port);
  if (owner === undefined) return undefined;
  if (target.browser.startsWith('node')) return owner;
  if (!PAGE_TYPES.has(target.type)) return undefined;
  const renderers = (await descendants(owner)).filter((args) => isPageRenderer(args.args));
  return renderers.length === 1 ? renderers[0]!.pid : undefined;
}

function isPageRenderer(args: string[]): boolean {
  return args.includes('--type=renderer')
    // Chromium's own UI (the omnibox popup, …) runs in WebUI renderers of its own; extensions too.
    && !args.some((a) => a === '--top-chrome-webui' || a === '--extension-process' || a.startsWith('--webui'));
}

async function descendants(root: number): Promise<Array<{ pid: number; args: string[] }>> {
  const children = new Map<number, number[]>();
  for (const pid of await listPids()) {
    const ppid = await parentPid(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: Array<{ pid: number; args: string[] }> = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const args = await commandLine(pid);
    if (args) out.push({ pid, args });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}
