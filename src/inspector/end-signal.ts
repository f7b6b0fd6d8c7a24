import type { SessionError } from './errors.js';

/**
 * How a CDP channel ends, once: the error its pending calls got, and the listeners `onEnd` adds
 * (called after the channel's own clean-up, or at once, asynchronously, if it has already ended).
 * Session, WorkerChannel and PageChannel share it.
 */
export class EndSignal {
  private err: SessionError | undefined;
  private readonly listeners = new Set<(err: SessionError) => void>();

  /** The error, once ended. */
  get error(): SessionError | undefined {
    return this.err;
  }

  /**
   * Ends with `err`: runs `cleanUp` (reject pending calls, drop subscriptions), then the listeners.
   * False when it had already ended (nothing is done).
   */
  end(err: SessionError, cleanUp: () => void): boolean {
    if (this.err) return false;
    this.err = err;
    cleanUp();
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l(err);
    return true;
  }

  onEnd(listener: (err: SessionError) => void): () => void {
    const ended = this.err;
    if (ended) {
      queueMicrotask(() => listener(ended));
      return () => {};
    }
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
}
