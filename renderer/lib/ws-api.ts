/**
 * The dashboard's side of the web host's WebSocket: calls matched to results by callId, events fanned
 * out to subscribers, reconnects with backoff. No DOM types here: the socket is anything shaped like
 * a WebSocket, so tests drive this client with the `ws` package against a real server.
 */
import type {
  CallMessage, SnapshotId, SnapshotMeta, UiChannel, UiEventName, UiEvents, UiRequest, UiResponse,
} from '../../src/shared/contract.js';
import { ApiError, connectionError, toErrorDto } from './errors.js';
import type { ConnectionState, HeapscopeApi } from './types.js';

/** The part of the WebSocket interface the client uses (browser WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsApiOptions {
  url: string;
  /** Opens a socket (e.g. `(url) => new WebSocket(url)`). */
  connect: (url: string) => SocketLike;
  importSnapshot?: HeapscopeApi['importSnapshot'];
  exportUrl?: HeapscopeApi['exportUrl'];
  /** First retry delay; doubles up to maxDelayMs, back to the start after a successful open. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: ApiError): void;
}

const OPEN = 1;

/** Backoff delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

export class WsApi implements HeapscopeApi {
  private socket: SocketLike | undefined;
  private state: ConnectionState = 'connecting';
  private nextCallId = 1;
  /** Calls sent on the current socket, by callId. */
  private readonly pending = new Map<number, Pending>();
  /** Calls made while the socket was still connecting: sent on open. */
  private queued: { message: CallMessage; pending: Pending }[] = [];
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WsApiOptions) {
    this.initialDelayMs = options.initialDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.open();
  }

  get connection(): ConnectionState {
    return this.state;
  }

  call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<UiResponse<C>> {
    return new Promise<UiResponse<C>>((resolve, reject) => {
      const pending: Pending = { resolve: resolve as (v: unknown) => void, reject };
      const message: CallMessage = { type: 'call', callId: this.nextCallId++, channel, request };
      if (this.state === 'open' && this.socket?.readyState === OPEN) this.send(message, pending);
      else if (this.state === 'connecting' && !this.stopped) this.queued.push({ message, pending });
      else reject(connectionError(`Not connected to the heapscope host (${channel} not sent)`));
    });
  }

  on<E extends UiEventName>(event: E, fn: (data: UiEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listener = fn as (data: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  onConnection(fn: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(fn);
    fn(this.state);
    return () => this.connectionListeners.delete(fn);
  }

  importSnapshot(file: File, onProgress?: (sent: number, total: number) => void): Promise<SnapshotMeta> {
    if (!this.options.importSnapshot) return Promise.reject(connectionError('Import is not available on this transport'));
    return this.options.importSnapshot(file, onProgress);
  }

  exportUrl(snapshotId: SnapshotId): string {
    return this.options.exportUrl ? this.options.exportUrl(snapshotId) : '';
  }

  /** Closes the socket for good: pending calls are rejected and no reconnect follows. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close();
    }
    this.failAll('Connection to the heapscope host closed');
    this.setState('closed');
  }

  private open(): void {
    if (this.stopped) return;
    this.setState('connecting');
    let socket: SocketLike;
    try {
      socket = this.options.connect(this.options.url);
    } catch (err) {
      this.lost(err instanceof Error ? err.message : String(err));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setState('open');
      const queued = this.queued;
      this.queued = [];
      for (const { message, pending } of queued) this.send(message, pending);
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    // A failed handshake fires error then close; only close decides, so the loss is handled once.
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.lost('Connection to the heapscope host was lost');
    };
  }

  private lost(reason: string): void {
    this.failAll(reason);
    this.setState('closed');
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.initialDelayMs, this.maxDelayMs);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private failAll(reason: string): void {
    const pending = [...this.pending.values(), ...this.queued.map((q) => q.pending)];
    this.pending.clear();
    this.queued = [];
    for (const p of pending) p.reject(connectionError(reason));
  }

  private send(message: CallMessage, pending: Pending): void {
    this.pending.set(message.callId, pending);
    try {
      this.socket!.send(JSON.stringify(message));
    } catch (err) {
      this.pending.delete(message.callId);
      pending.reject(connectionError(err instanceof Error ? err.message : String(err)));
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') data = String(data);
    let message: unknown;
    try {
      message = JSON.parse(data as string);
    } catch {
      // The host only sends JSON; anything else is a fault of the channel, not worth a crash.
      return;
    }
    if (!message || typeof message !== 'object') return;
    const m = message as Record<string, unknown>;
    if (m.type === 'result' && typeof m.callId === 'number') {
      const pending = this.pending.get(m.callId);
      if (!pending) return;
      this.pending.delete(m.callId);
      if (m.ok === true) pending.resolve(m.response);
      else pending.reject(new ApiError(toErrorDto(m.error, 'The host reported an error without a message')));
    } else if (m.type === 'event' && typeof m.event === 'string') {
      const set = this.listeners.get(m.event);
      if (!set) return;
      for (const fn of [...set]) {
        try {
          fn(m.data);
        } catch (err) {
          // One faulty subscriber must not starve the others of the event.
          console.error(err);
        }
      }
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const fn of [...this.connectionListeners]) fn(state);
  }
}
