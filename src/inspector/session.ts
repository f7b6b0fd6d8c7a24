import { EventEmitter } from 'node:events';
import type { CdpChannel, Commands, Events, SendArgs, SendOptions } from './channel.js';
import { GuardedChrome } from './cdp-client.js';
import { SessionError, TargetUnreachableError } from './errors.js';
import { EndSignal } from './end-signal.js';
import { PendingCalls } from './pending-calls.js';
import { describeSocketError } from './http-json.js';

export type { SendOptions } from './channel.js';

export interface SessionOptions {
  /** WebSocket handshake deadline. */
  connectDeadlineMs?: number;
  /** Default deadline of each command. */
  commandDeadlineMs?: number;
}

/**
 * One CDP session over chrome-remote-interface with the guarantees the library lacks: a connect
 * deadline, a deadline on every command, and a typed `SessionError` for every pending call the
 * moment the connection ends, for whatever reason (peer gone, garbage frame, us). Errors name
 * `address` (HOST:PORT), never the WebSocket URL.
 */
export class Session implements CdpChannel {
  readonly address: string;
  private readonly chrome: GuardedChrome;
  private readonly commandDeadlineMs: number;
  private readonly events = new EventEmitter();
  private endReason: string | undefined;
  private readonly ending = new EndSignal();
  private readonly calls: PendingCalls;

  private constructor(chrome: GuardedChrome, address: string, options: SessionOptions) {
    this.chrome = chrome;
    this.address = address;
    this.commandDeadlineMs = options.commandDeadlineMs ?? 10_000;
    this.calls = new PendingCalls(address, 'the target');
    this.events.setMaxListeners(0);
    chrome.on('frame', () => this.calls.touch());
    chrome.on('event', (message: { method: string; params: unknown }) => this.events.emit(message.method, message.params));
    chrome.on('disconnect', () => this.end());
  }

  /** Opens the WebSocket. Failures are TargetUnreachableError (exit 3). */
  static connect(wsUrl: string, address: string, options: SessionOptions = {}): Promise<Session> {
    const deadlineMs = options.connectDeadlineMs ?? 5_000;
    const secretPath = new URL(wsUrl).pathname;
    return new Promise((resolve, reject) => {
      const notifier = new EventEmitter();
      const chrome = new GuardedChrome(wsUrl, notifier);
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        chrome.abort();
        reject(new TargetUnreachableError(address, `WebSocket handshake did not complete within ${deadlineMs / 1000} s: not a V8 inspector, or a hung one`));
      }, deadlineMs);
      notifier.once('connect', () => {
        clearTimeout(timer);
        if (settled) { chrome.abort(); return; }
        settled = true;
        resolve(new Session(chrome, address, options));
      });
      // A permanent listener: the library may emit 'error' after we gave up, and an 'error' nobody listens to throws.
      notifier.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(new TargetUnreachableError(address, describeConnectError(err, secretPath), { cause: err }));
      });
    });
  }

  /** Sends a command; resolves with its result or rejects with a SessionError. */
  send<M extends keyof Commands>(method: M, ...args: SendArgs<M>): Promise<Commands[M]['returnType']> {
    const [params, options] = args as [object | undefined, SendOptions | undefined];
    return this.sendRaw(method, params, options) as Promise<Commands[M]['returnType']>;
  }

  /**
   * `send` for domains the bundled protocol lacks (Node's `NodeWorker`): same deadlines and errors,
   * no types.
   */
  sendRaw(method: string, params?: object, options: SendOptions = {}): Promise<unknown> {
    if (this.ending.error) return Promise.reject(this.ending.error);
    return this.calls.run(method, { deadlineMs: options.deadlineMs ?? this.commandDeadlineMs, idle: options.idle },
      () => this.chrome.send(method, params) as Promise<unknown>,
      (err) => {
        const response = (err as { response?: { message?: unknown } }).response;
        if (response) return new SessionError(this.address, 'protocol', `the target answered an error: ${String(response.message)}`, method, { cause: err });
        // The library can fail a send before its 'disconnect' (ws refuses to send on a closing socket).
        return this.closedError(method, err);
      });
  }

  /** Subscribes to a CDP event; returns the unsubscribe function. */
  on<E extends keyof Events>(event: E, handler: (...params: Events[E]) => void): () => void {
    return this.onRaw(event, handler as (params: unknown) => void);
  }

  /** `on` for events the bundled protocol lacks; `params` is whatever the target sent. */
  onRaw(event: string, handler: (params: unknown) => void): () => void {
    this.events.on(event, handler);
    return () => this.events.off(event, handler);
  }

  /** Restarts the idle deadlines of pending commands (our side is busy, e.g. writing). */
  touch(): void {
    this.calls.touch();
  }

  /** Stops reading from the target until `resumeIncoming()`; the target's messages wait in the socket. */
  pauseIncoming(): void {
    this.chrome.holdIncoming(true);
  }

  resumeIncoming(): void {
    this.chrome.holdIncoming(false);
  }

  /** Once the connection has ended: the error its pending calls got. */
  get ended(): SessionError | undefined {
    return this.ending.error;
  }

  /** True when the connection ended because we closed or destroyed it (not the target, not the network). */
  get endedLocally(): boolean {
    return this.ending.error !== undefined && this.endReason !== undefined;
  }

  /**
   * Calls `listener` once, when the connection ends for whatever reason (after every pending call
   * has been rejected), with the error those calls got; asynchronously at once if it has already
   * ended. Returns the unsubscribe function. For sessions that sit idle between commands: nothing
   * else tells them the target has gone.
   */
  onEnd(listener: (err: SessionError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  /** Drops the connection at once; pending calls reject with `reason`. */
  destroy(reason: string): void {
    this.endReason ??= reason;
    this.chrome.abort();
    this.end();
  }

  /** Closes the connection politely (a close frame), within a short deadline. */
  async close(): Promise<void> {
    if (this.ending.error) return;
    this.endReason ??= 'the session was closed';
    const timer = setTimeout(() => this.chrome.abort(), 2_000);
    try {
      await this.chrome.close();
    } catch { /* already gone */ }
    clearTimeout(timer);
    this.end();
  }

  private end(): void {
    if (this.ending.error) return;
    this.ending.end(this.closedError(undefined), () => this.calls.rejectAll((method) => this.closedError(method)));
  }

  private closedError(method: string | undefined, cause?: unknown): SessionError {
    const violation = this.chrome.violation;
    const detail = violation ?? this.endReason ?? 'the connection closed (the target exited or the connection dropped)';
    return new SessionError(this.address, violation ? 'garbage' : 'closed', detail, method, cause === undefined ? undefined : { cause });
  }
}

function describeConnectError(err: NodeJS.ErrnoException, secretPath: string): string {
  let why: string;
  const status = /Unexpected server response: (\d+)/.exec(err.message ?? '');
  if (status) why = `WebSocket handshake refused (HTTP ${status[1]}): no such target (it may have exited), or not a V8 inspector`;
  else if (err.code) why = describeSocketError(err);
  else why = `WebSocket connection failed: ${err.message}`;
  // ws puts the URL into some messages; the path is the secret.
  return why.split(secretPath).join('/<id>');
}
