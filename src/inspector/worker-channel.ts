import { EventEmitter } from 'node:events';
import type { CdpChannel, Commands, Events, SendArgs, SendOptions } from './channel.js';
import { EndSignal } from './end-signal.js';
import { SessionError, printable } from './errors.js';
import { ExitCode, HeapscopeError } from '../shared/errors.js';
import type { Session } from './session.js';

/** One worker thread of a Node process, as `NodeWorker.attachedToWorker` describes it. Safe to print. */
export interface WorkerInfo {
  /** Node's thread id, as text (`"1"`). */
  workerId: string;
  type: string;
  /** `[worker 1] NAME` (NAME from `new Worker(file, { name })`). */
  title: string;
  /** The worker's script, a file:// URL. */
  url: string;
}

/** `--worker` matched no worker thread, several, or the process has none (exit 2, like `--pick`). */
export class WorkerSelectionError extends HeapscopeError {
  readonly address: string;
  readonly workers: WorkerInfo[];
  constructor(address: string, workers: WorkerInfo[], selector: string, matched: number) {
    const lines = workers.map((w) => `  ${printable(w.workerId)}\t${printable(w.title)}\t${printable(w.url)}`).join('\n');
    const sel = printable(selector);
    const why = workers.length === 0
      ? `the process at ${address} has no worker threads (if it starts one later, try again once it has)`
      : matched === 0
        ? `no worker thread at ${address} has id ${sel} or "${sel}" in its title or URL`
        : `${matched} worker threads at ${address} match "${sel}"; give the thread id instead`;
    super(workers.length === 0 ? why : `${why}:\n${lines}`, ExitCode.usage);
    this.address = address;
    this.workers = workers;
  }
}

interface Attached extends WorkerInfo {
  sessionId: string;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: SessionError): void;
  timer: NodeJS.Timeout | undefined;
  idle: boolean;
  deadlineMs: number;
}

/**
 * Enables the NodeWorker domain on `parent` and returns the worker threads it reports. Node sends
 * `attachedToWorker` for every running worker before it answers `NodeWorker.enable` (measured on
 * Node 20), so the list is complete when the command returns.
 */
async function enableWorkers(parent: Session, deadlineMs?: number): Promise<Attached[]> {
  const found: Attached[] = [];
  const off = parent.onRaw('NodeWorker.attachedToWorker', (p) => {
    const w = readAttached(p);
    if (w && !found.some((f) => f.sessionId === w.sessionId)) found.push(w);
  });
  try {
    await parent.sendRaw('NodeWorker.enable', { waitForDebuggerOnStart: false }, { deadlineMs });
  } finally {
    off();
  }
  return found;
}

/** The worker threads of the Node process `parent` is attached to (the session stays open and usable). */
export async function listWorkers(parent: Session, deadlineMs?: number): Promise<WorkerInfo[]> {
  return (await enableWorkers(parent, deadlineMs)).map(({ workerId, type, title, url }) => ({ workerId, type, title, url }));
}

/**
 * A CDP channel to one worker thread of a Node process, tunnelled through the parent's session
 * (FACTS.md §2): each command goes out as `NodeWorker.sendMessageToWorker` and its answer, like
 * every event of the worker, comes back inside `NodeWorker.receivedMessageFromWorker`. The bundled
 * protocol lacks the NodeWorker domain, hence the parent's untyped `sendRaw`/`onRaw`.
 *
 * The channel owns the parent session: closing or destroying it closes the parent (a snapshot the
 * worker is still sending can only be stopped by dropping the connection it travels on).
 */
export class WorkerChannel implements CdpChannel {
  readonly address: string;
  readonly worker: WorkerInfo;
  private readonly sessionId: string;
  private readonly events = new EventEmitter();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastActivity = Date.now();
  private localEnd = false;
  /** True once Node has said the worker thread is gone (the process may live on). */
  workerExited = false;
  private readonly ending = new EndSignal();
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(private readonly parent: Session, attached: Attached, private readonly commandDeadlineMs: number) {
    this.address = parent.address;
    this.sessionId = attached.sessionId;
    this.worker = { workerId: attached.workerId, type: attached.type, title: attached.title, url: attached.url };
    this.events.setMaxListeners(0);
    this.unsubscribe.push(
      parent.onRaw('NodeWorker.receivedMessageFromWorker', (p) => this.onMessage(p)),
      parent.onRaw('NodeWorker.detachedFromWorker', (p) => {
        if (isRecord(p) && p['sessionId'] === this.sessionId) {
          this.workerExited = true;
          this.end(new SessionError(this.address, 'closed', 'the worker thread exited'));
        }
      }),
      parent.onEnd((err) => this.end(err, parent.endedLocally)),
    );
  }

  /**
   * Attaches to the worker thread `selector` names: its thread id (`1`), or text found in its
   * title or URL (case-insensitive). Throws WorkerSelectionError (exit 2) when none or several match.
   */
  static async attach(parent: Session, selector: string, options: { commandDeadlineMs?: number } = {}): Promise<WorkerChannel> {
    const workers = await enableWorkers(parent, options.commandDeadlineMs);
    const chosen = selectWorkers(workers, selector);
    if (chosen.length !== 1) {
      throw new WorkerSelectionError(parent.address, chosen.length === 0 ? workers : chosen, selector, chosen.length);
    }
    return new WorkerChannel(parent, chosen[0]!, options.commandDeadlineMs ?? 10_000);
  }

  send<M extends keyof Commands>(method: M, ...args: SendArgs<M>): Promise<Commands[M]['returnType']> {
    const [params, options = {}] = args as [object | undefined, SendOptions | undefined];
    if (this.ending.error) return Promise.reject(this.ending.error);
    const id = this.nextId++;
    const deadlineMs = options.deadlineMs ?? this.commandDeadlineMs;
    return new Promise((resolve, reject) => {
      const entry: Pending = { method, resolve: resolve as (r: unknown) => void, reject, timer: undefined, idle: Boolean(options.idle), deadlineMs };
      this.lastActivity = Date.now();
      entry.timer = setTimeout(() => this.expire(id), deadlineMs);
      this.pending.set(id, entry);
      const message = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
      // The parent's answer only says the message was handed over; the worker's answer comes as an event.
      this.parent.sendRaw('NodeWorker.sendMessageToWorker', { sessionId: this.sessionId, message }).catch((err: unknown) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.settle(id);
        p.reject(err instanceof SessionError ? err : new SessionError(this.address, 'protocol', String(err), method, { cause: err }));
      });
    });
  }

  on<E extends keyof Events>(event: E, handler: (...params: Events[E]) => void): () => void {
    const h = handler as (...a: unknown[]) => void;
    this.events.on(event, h);
    return () => this.events.off(event, h);
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  pauseIncoming(): void {
    this.parent.pauseIncoming();
  }

  resumeIncoming(): void {
    this.parent.resumeIncoming();
  }

  get ended(): SessionError | undefined {
    return this.ending.error;
  }

  get endedLocally(): boolean {
    return this.ending.error !== undefined && this.localEnd;
  }

  onEnd(listener: (err: SessionError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  destroy(reason: string): void {
    this.localEnd = true;
    this.parent.destroy(reason);
  }

  async close(): Promise<void> {
    this.localEnd = true;
    await this.parent.close();
  }

  private onMessage(p: unknown): void {
    if (!isRecord(p) || p['sessionId'] !== this.sessionId || this.ending.error) return;
    this.lastActivity = Date.now();
    let message: unknown;
    try {
      message = typeof p['message'] === 'string' ? JSON.parse(p['message']) : undefined;
    } catch {
      message = undefined;
    }
    if (!isRecord(message) || (typeof message['id'] !== 'number' && typeof message['method'] !== 'string')) {
      this.parent.destroy('the worker sent a message that is not a DevTools protocol message: not a V8 inspector');
      return;
    }
    if (typeof message['id'] === 'number') {
      const entry = this.pending.get(message['id']);
      if (!entry) return;
      this.settle(message['id']);
      const error = message['error'];
      if (isRecord(error)) {
        entry.reject(new SessionError(this.address, 'protocol', `the worker answered an error: ${String(error['message'])}`, entry.method));
      } else entry.resolve(message['result']);
      return;
    }
    this.events.emit(message['method'] as string, message['params']);
  }

  private expire(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    const idleFor = Date.now() - this.lastActivity;
    if (entry.idle && idleFor < entry.deadlineMs) {
      entry.timer = setTimeout(() => this.expire(id), entry.deadlineMs - idleFor);
      return;
    }
    this.pending.delete(id);
    entry.reject(new SessionError(this.address, 'timeout', entry.idle
      ? `the worker sent nothing for ${entry.deadlineMs / 1000} s`
      : `no answer from the worker within ${entry.deadlineMs / 1000} s`, entry.method));
  }

  private settle(id: number): void {
    const entry = this.pending.get(id);
    if (entry) clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private end(err: SessionError, local = false): void {
    if (this.ending.error) return;
    this.localEnd ||= local;
    this.ending.end(err, () => {
      for (const off of this.unsubscribe.splice(0)) off();
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) {
        clearTimeout(p.timer);
        p.reject(new SessionError(err.address, err.failure, err.detail, p.method, { cause: err }));
      }
    });
    // The worker is gone but the process may live on: let go of the parent session too.
    if (!this.parent.ended) void this.parent.close();
  }
}

/** Workers whose thread id equals `selector`, else those whose title or URL contains it. */
export function selectWorkers<W extends WorkerInfo>(workers: W[], selector: string): W[] {
  const s = selector.trim();
  if (/^\d+$/.test(s)) return workers.filter((w) => w.workerId === s);
  const needle = s.toLowerCase();
  return workers.filter((w) => w.title.toLowerCase().includes(needle) || w.url.toLowerCase().includes(needle));
}

function readAttached(p: unknown): Attached | undefined {
  if (!isRecord(p) || typeof p['sessionId'] !== 'string' || !isRecord(p['workerInfo'])) return undefined;
  const info = p['workerInfo'];
  if (typeof info['workerId'] !== 'string') return undefined;
  return {
    sessionId: p['sessionId'],
    workerId: info['workerId'],
    type: typeof info['type'] === 'string' ? info['type'] : 'worker',
    title: typeof info['title'] === 'string' ? info['title'] : '',
    url: typeof info['url'] === 'string' ? info['url'] : '',
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
