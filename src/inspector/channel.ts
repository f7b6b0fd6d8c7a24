import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type { SessionError } from './errors.js';

export type Commands = ProtocolMapping.Commands;
export type Events = ProtocolMapping.Events;

export interface SendOptions {
  deadlineMs?: number;
  /**
   * Treat the deadline as an inactivity limit: it restarts whenever the target sends anything or
   * `touch()` is called. For long commands that stream events (takeHeapSnapshot of 1 GB takes 90 s).
   */
  idle?: boolean;
}

/** The arguments of a typed command: params (optional when the command takes none), then options. */
export type SendArgs<M extends keyof Commands> = Commands[M]['paramsType'] extends []
  ? [params?: undefined, options?: SendOptions]
  : [params: Commands[M]['paramsType'][0], options?: SendOptions];

/**
 * What capturing needs from a CDP connection to one JavaScript thread: a page, a Node process
 * (Session, over its own WebSocket) or a Node worker thread (WorkerChannel, tunnelled through its
 * parent's session). Every command has a deadline and fails with a SessionError; every pending
 * command fails the moment the channel ends.
 */
export interface CdpChannel {
  /** HOST:PORT of the inspector, for messages; never the WebSocket URL. */
  readonly address: string;
  send<M extends keyof Commands>(method: M, ...args: SendArgs<M>): Promise<Commands[M]['returnType']>;
  on<E extends keyof Events>(event: E, handler: (...params: Events[E]) => void): () => void;
  /** Restarts the idle deadlines of pending commands (our side is busy, e.g. writing). */
  touch(): void;
  /** Stops reading from the target until `resumeIncoming()` (backpressure from a slow disk). */
  pauseIncoming(): void;
  resumeIncoming(): void;
  /** Once the channel has ended: the error its pending calls got. */
  readonly ended: SessionError | undefined;
  /** True when it ended because we closed or destroyed it. */
  readonly endedLocally: boolean;
  /** Calls `listener` once when the channel ends (at once, asynchronously, if it has); returns the unsubscribe function. */
  onEnd(listener: (err: SessionError) => void): () => void;
  /** Drops the connection at once; pending calls reject with `reason`. */
  destroy(reason: string): void;
  close(): Promise<void>;
}
