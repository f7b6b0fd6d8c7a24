import { SessionError } from './errors.js';

interface Entry {
  method: string;
  reject(err: SessionError): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The calls a CDP channel is waiting on, each with a deadline: a plain one, or an idle one that
 * restarts whenever the target sends anything or `touch()` is called (takeHeapSnapshot of 1 GB
 * streams for 90 s). When the channel ends, `rejectAll` fails every one at once. Session (our own
 * WebSocket) and PageChannel (a Playwright page's CDPSession) share it.
 */
export class PendingCalls {
  private readonly entries = new Set<Entry>();
  private lastActivity = Date.now();

  /** `who`: what sends nothing, in a stall's message (`the target`, `the page`). */
  constructor(private readonly address: string, private readonly who: string) {}

  /** The target sent something, or our side is busy: idle deadlines count from now. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /**
   * Runs `start` under a deadline. Its result resolves the call; its failure goes through
   * `failure` (which names why). A call that has already been settled by its deadline or by
   * `rejectAll` ignores what `start` does later.
   */
  run<T>(method: string, options: { deadlineMs: number; idle?: boolean }, start: () => Promise<T>,
    failure: (err: unknown) => SessionError): Promise<T> {
    const { deadlineMs, idle } = options;
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { method, reject, timer: undefined };
      const expire = () => {
        // Idle deadlines re-check rather than re-arm on every frame: a timer per 100 KB chunk is garbage we can do without.
        const idleFor = Date.now() - this.lastActivity;
        if (idle && idleFor < deadlineMs) {
          entry.timer = setTimeout(expire, deadlineMs - idleFor);
          return;
        }
        this.entries.delete(entry);
        reject(new SessionError(this.address, 'timeout', idle
          ? `${this.who} sent nothing for ${deadlineMs / 1000} s`
          : `no answer within ${deadlineMs / 1000} s`, method));
      };
      this.lastActivity = Date.now();
      entry.timer = setTimeout(expire, deadlineMs);
      this.entries.add(entry);
      const done = () => { clearTimeout(entry.timer); return this.entries.delete(entry); };
      start().then(
        (result) => { if (done()) resolve(result); },
        (err: unknown) => { if (done()) reject(failure(err)); },
      );
    });
  }

  /** Fails every pending call with the error `errorFor(method)` gives. */
  rejectAll(errorFor: (method: string) => SessionError): void {
    const entries = [...this.entries];
    this.entries.clear();
    for (const e of entries) {
      clearTimeout(e.timer);
      e.reject(errorFor(e.method));
    }
  }
}
