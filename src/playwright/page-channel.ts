import type { CDPSession, Page } from '@playwright/test';
import type { CdpChannel, Commands, Events, SendArgs, SendOptions } from '../inspector/channel.js';
import { SessionError } from '../inspector/errors.js';
import { EndSignal } from '../inspector/end-signal.js';
import { PendingCalls } from '../inspector/pending-calls.js';

const DEFAULT_COMMAND_MS = 30_000;

/**
 * A CdpChannel over a Playwright page's own CDP session (`page.context().newCDPSession(page)`), so
 * heapscope's capture code (streamed to a temp file, fsync, rename; completeness judged from the
 * text) serves Playwright tests unchanged. What Playwright does not give, this adds: a deadline on
 * every command (an idle one for the snapshot), and a SessionError for every pending call the
 * moment the page crashes or closes or the session detaches. Playwright leaves a call to a crashed
 * renderer pending, so without this a test would hang until its own timeout.
 */
export class PageChannel implements CdpChannel {
  readonly address: string;
  private readonly calls: PendingCalls;
  private readonly ending = new EndSignal();
  private local = false;
  private readonly detachListeners: Array<() => void> = [];

  private constructor(private readonly session: CDPSession, page: Page, private readonly commandMs: number) {
    this.address = `page ${describeUrl(page.url())}`;
    this.calls = new PendingCalls(this.address, 'the page');
    const onCrash = () => this.end('the page crashed (its renderer process died)');
    const onClose = () => this.end('the page was closed');
    const onDetach = () => this.end('the page\'s CDP session ended (the page closed, crashed or moved to another process)');
    page.on('crash', onCrash);
    page.on('close', onClose);
    session.on('close', onDetach);
    this.detachListeners.push(() => { page.off('crash', onCrash); page.off('close', onClose); session.off('close', onDetach); });
  }

  static async open(page: Page, options: { commandMs?: number } = {}): Promise<PageChannel> {
    if (page.isClosed()) throw new SessionError(`page ${describeUrl(page.url())}`, 'closed', 'the page is closed');
    const session = await page.context().newCDPSession(page);
    return new PageChannel(session, page, options.commandMs ?? DEFAULT_COMMAND_MS);
  }

  send<M extends keyof Commands>(method: M, ...args: SendArgs<M>): Promise<Commands[M]['returnType']> {
    const [params, options = {}] = args as [object | undefined, SendOptions | undefined];
    if (this.ending.error) return Promise.reject(this.errorFor(method));
    // Playwright's types name its own protocol copy; the method and params are the same CDP.
    const send = this.session.send as (m: string, p?: object) => Promise<Commands[M]['returnType']>;
    return this.calls.run(method, { deadlineMs: options.deadlineMs ?? this.commandMs, idle: options.idle },
      () => send.call(this.session, method, params),
      (err) => (this.ending.error ? this.errorFor(method)
        : new SessionError(this.address, 'protocol', `the page answered an error: ${(err as Error).message}`, method, { cause: err })));
  }

  on<E extends keyof Events>(event: E, handler: (...params: Events[E]) => void): () => void {
    const listener = (params: unknown) => {
      this.calls.touch();
      (handler as (p: unknown) => void)(params);
    };
    const s = this.session as unknown as { on(e: string, l: (p: unknown) => void): void; off(e: string, l: (p: unknown) => void): void };
    s.on(event, listener);
    return () => s.off(event, listener);
  }

  touch(): void {
    this.calls.touch();
  }

  /** Playwright reads the socket itself and offers no backpressure; chunks queue in the file sink. */
  pauseIncoming(): void {}

  resumeIncoming(): void {}

  get ended(): SessionError | undefined {
    return this.ending.error;
  }

  get endedLocally(): boolean {
    return this.local;
  }

  onEnd(listener: (err: SessionError) => void): () => void {
    return this.ending.onEnd(listener);
  }

  destroy(reason: string): void {
    this.local = true;
    this.end(reason);
    void this.session.detach().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.ending.error) return;
    this.local = true;
    this.end('the session was closed');
    await this.session.detach().catch(() => {});
  }

  private end(reason: string): void {
    this.ending.end(new SessionError(this.address, 'closed', reason), () => {
      for (const off of this.detachListeners.splice(0)) off();
      this.calls.rejectAll((method) => this.errorFor(method));
    });
  }

  private errorFor(method: string): SessionError {
    return new SessionError(this.address, 'closed', this.ending.error!.detail, method);
  }
}

/** The page's URL without query and fragment (they may carry tokens), cut to a readable length. */
export function describeUrl(url: string): string {
  let text = url;
  try {
    const u = new URL(url);
    // From href rather than origin + pathname: a blob: URL's path is its creator's whole URL, and
    // file: or chrome-error://host/ have no origin to rebuild them from.
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    text = u.protocol === 'data:' ? 'data: URL' : u.href;
  } catch { /* not a URL (about:blank is one) */ }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
