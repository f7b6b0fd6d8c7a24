/**
 * The engine from the host's side: starts engine/host.js in a worker thread and makes typed calls
 * over its port. Every host (web server, Electron main, CLI) talks to the engine through this.
 * Practice 8: a worker that dies mid-call rejects every pending call (as chrome-remote-interface
 * does when the inspector drops), and each call has a deadline.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Channel, EventName, Events, HostMessage, LoadProgress, Request, Response } from '../shared/contract.js';
import { ErrorFromDto } from '../shared/error-dto.js';

/** An error the engine answered with, rebuilt from its ErrorDto (`name` says which kind). */
export class EngineError extends ErrorFromDto {}

/** The worker stopped (crashed, ran out of memory, or was closed) before answering. */
export class EngineExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineExitedError';
  }
}

/** A call did not get its answer within its deadline (the engine may still be working on it). */
export class EngineTimeoutError extends Error {
  constructor(channel: string, ms: number) {
    super(`${channel}: no answer from the engine within ${ms} ms`);
    this.name = 'EngineTimeoutError';
  }
}

export interface StartOptions {
  /** The worker script; by default host.js next to this file (see workerFile). */
  workerFile?: string | URL;
  /** Heap limits for the worker (a 1 GB snapshot needs a few GB of old space). */
  resourceLimits?: ResourceLimits;
}

export interface CallOptions {
  /** Deadline in ms; default 60 s, or 30 min for loads and whole-snapshot analyses. */
  timeoutMs?: number;
  /** Progress of this call only (loads). */
  onProgress?: (p: LoadProgress) => void;
}

// A first call on a snapshot or a pair computes a whole-snapshot index (dominator tree, object match,
// comparison, leak analysis): seconds to minutes on a 1 GB snapshot.
const LONG_CALLS: ReadonlySet<Channel> = new Set(['snapshot.load', 'diff.classes', 'diff.instances', 'leaks.report', 'weak.report', 'dominators.tree', 'graph.subgraph']);
const SHORT_TIMEOUT = 60_000;
const LONG_TIMEOUT = 30 * 60_000;

interface Pending {
  channel: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  onProgress: ((p: LoadProgress) => void) | undefined;
}

/**
 * Where the worker script is. Compiled (dist/engine/client.js) it is host.js in the same folder.
 * Run from TypeScript sources (vitest runs src/ directly) there is no host.js next to us, and a
 * worker thread cannot load .ts itself on Node 20, so we use the build's dist/engine/host.js: the
 * one option that runs exactly the code that ships, with no loader hooks or second compiler in
 * the worker. `npm test` builds before vitest; when the build is missing or older than any file
 * under src/ we refuse with a message, rather than test yesterday's engine.
 */
export function workerFile(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new URL('./host.js', import.meta.url);
  const root = path.resolve(path.dirname(here), '../..');
  const built = path.join(root, 'dist/engine/host.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (the engine worker runs compiled code)`);
  const builtAt = statSync(built).mtimeMs;
  const newer = newestSource(path.join(root, 'src'), builtAt);
  if (newer) throw new Error(`${built} is older than ${newer}: run \`npm run build\` (the engine worker runs compiled code)`);
  return pathToFileURL(built);
}

function newestSource(dir: string, than: number): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = newestSource(p, than);
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && statSync(p).mtimeMs > than) return p;
  }
  return undefined;
}

export class EngineClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private nextId = 1;
  private exited: string | undefined;
  private lastError: Error | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (m: HostMessage) => this.receive(m));
    worker.on('error', (err) => {
      this.lastError = err;
    });
    worker.on('exit', (code) => {
      const why = this.lastError ? `: ${this.lastError.message}` : '';
      this.exited ??= `the engine worker exited with code ${code}${why}`;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new EngineExitedError(`${p.channel}: ${this.exited}`));
      }
    });
  }

  /** Starts the worker and resolves once it runs (rejects if it cannot start). */
  static async start(options: StartOptions = {}): Promise<EngineClient> {
    const worker = new Worker(options.workerFile ?? workerFile(), { resourceLimits: options.resourceLimits });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      worker.once('error', fail);
      worker.once('online', () => {
        worker.off('error', fail);
        resolve();
      });
    });
    return new EngineClient(worker);
  }

  /** True once the worker has stopped; every later call rejects. */
  get closed(): boolean {
    return this.exited !== undefined;
  }

  call<C extends Channel>(channel: C, request: Request<C>, options: CallOptions = {}): Promise<Response<C>> {
    if (this.exited) return Promise.reject(new EngineExitedError(`${channel}: ${this.exited}`));
    const callId = this.nextId++;
    const ms = options.timeoutMs ?? (LONG_CALLS.has(channel) ? LONG_TIMEOUT : SHORT_TIMEOUT);
    return new Promise<Response<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(callId);
        reject(new EngineTimeoutError(channel, ms));
      }, ms);
      this.pending.set(callId, { channel, resolve: resolve as (v: unknown) => void, reject, timer, onProgress: options.onProgress });
      try {
        this.worker.postMessage({ type: 'call', callId, channel, request });
      } catch (err) {
        // A request that cannot be cloned (a function, a symbol) never reaches the worker.
        clearTimeout(timer);
        this.pending.delete(callId);
        reject(err as Error);
      }
    });
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, fn: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (data: never) => void);
    return () => void set.delete(fn as (data: never) => void);
  }

  /** Stops the worker; pending calls reject with EngineExitedError. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.exited = 'the engine was closed';
    await this.worker.terminate();
  }

  private receive(m: HostMessage): void {
    if (m.type === 'event') {
      const data = m.data;
      if (m.event === 'progress') this.pending.get(data.callId)?.onProgress?.(data);
      for (const fn of this.listeners.get(m.event) ?? []) (fn as (d: typeof data) => void)(data);
      return;
    }
    const p = this.pending.get(m.callId);
    if (!p) return; // timed out already
    this.pending.delete(m.callId);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.response);
    else p.reject(new EngineError(m.error));
  }
}
