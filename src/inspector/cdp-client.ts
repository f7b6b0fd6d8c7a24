import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * chrome-remote-interface's client class, with its WebSocket 'message' listener replaced by one
 * that survives garbage.
 *
 * Why a subclass of a private class: the library's listener is `JSON.parse(data)` with no try
 * (lib/chrome.js, 0.34.0), so one non-JSON frame throws inside ws's receiver, outside any promise,
 * and takes the process down (or, under a global handler, leaves every call pending forever;
 * FACTS.md §2). The socket is created inside `_connectToWebSocket()` and its listeners attached
 * synchronously there, so swapping ours in right after that call returns leaves no gap in which a
 * frame could reach the original. The package is pinned to ^0.34 in package.json; the test
 * "WebSocket that sends garbage" fails loudly if a new version moves these internals.
 */

/** The parts of the library's Chrome class and its ws@7 socket that we touch. */
interface WsLike extends EventEmitter {
  readyState: number;
  terminate(): void;
  _socket?: (EventEmitter & { pause(): void; resume(): void; destroy(): void }) | null;
}
interface ChromeInternals extends EventEmitter {
  _ws: WsLike | undefined;
  _connectToWebSocket(): Promise<void>;
  _handleMessage(message: object): void;
  send(method: string, params?: object): Promise<unknown>;
  close(): Promise<void>;
}
type ChromeConstructor = new (options: { target: string; protocol: object }, notifier: EventEmitter) => ChromeInternals;

const require = createRequire(import.meta.url);
// lib/chrome.js directly: index.js would also flip dns.setDefaultResultOrder for the whole process.
const Chrome = require('chrome-remote-interface/lib/chrome.js') as ChromeConstructor;

export class GuardedChrome extends Chrome {
  /** Set when the peer broke the protocol; the connection is then terminated. */
  violation: string | undefined;
  private aborted = false;
  private held = false;

  /** Starts connecting at once; the notifier emits 'connect' (with this) or 'error'. */
  constructor(wsUrl: string, notifier: EventEmitter) {
    // An empty protocol: we only call send(), so the per-command shorthands the library builds from
    // its bundled 1.2 MB protocol.json (`local: true`) would cost memory for nothing, and fetching
    // /json/protocol would be one more unguarded HTTP call.
    super({ target: wsUrl, protocol: { version: { major: '1', minor: '3' }, domains: [] } }, notifier);
  }

  override _connectToWebSocket(): Promise<void> {
    const connecting = super._connectToWebSocket();
    const ws = this._ws;
    if (ws) {
      ws.removeAllListeners('message');
      ws.on('message', (data: unknown) => this.onFrame(data));
      if (this.aborted) ws.terminate();
    }
    return connecting;
  }

  /** Drops the connection now (connecting or open); pending calls fail through the library's close handling. */
  abort(reason?: string): void {
    if (reason !== undefined && this.violation === undefined) this.violation = reason;
    this.aborted = true;
    this._ws?.terminate();
  }

  /**
   * Stops (or restarts) reading from the socket, for backpressure from a slow disk. ws@7 resumes
   * the socket itself after each large frame (receiverOnDrain), so a hold re-pauses on every 'resume'.
   */
  holdIncoming(hold: boolean): void {
    const socket = this._ws?._socket;
    if (!socket || this.held === hold) return;
    this.held = hold;
    if (hold) {
      socket.pause();
      socket.on('resume', this.repause);
    } else {
      socket.off('resume', this.repause);
      socket.resume();
    }
  }

  private readonly repause = () => {
    if (this.held) this._ws?._socket?.pause();
  };

  private onFrame(data: unknown): void {
    this.emit('frame');
    let message: unknown;
    try {
      message = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      this.abort('the other side sent a WebSocket frame that is not JSON: not a V8 inspector');
      return;
    }
    if (typeof message !== 'object' || message === null
      || (typeof (message as { id?: unknown }).id !== 'number' && typeof (message as { method?: unknown }).method !== 'string')) {
      this.abort('the other side sent JSON that is not a DevTools protocol message: not a V8 inspector');
      return;
    }
    this._handleMessage(message);
  }
}
