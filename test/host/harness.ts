/**
 * A real dashboard host for tests: a store in a temp directory, the engine worker, the web server
 * on a free port, and a WebSocket client (the `ws` package) that speaks the UiApi contract.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { ResultMessage, UiChannel, UiEventMessage, UiEventName, UiEvents, UiRequest, UiResponse } from '../../src/shared/contract.js';
import type { ErrorDto } from '../../src/shared/dto.js';
import { HostSession } from '../../src/host/session/session.js';
import { WebHost } from '../../src/host/web/server.js';
import { SnapshotStore } from '../../src/store/store.js';

export interface Host {
  dir: string;
  store: SnapshotStore;
  session: HostSession;
  web: WebHost;
  port: number;
  token: string;
  connect(options?: { headers?: Record<string, string>; token?: string }): Promise<Client>;
  close(): Promise<void>;
}

export async function tempDir(prefix = 'heapscope-host-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Starts a host on a store in `dir` (a new temp dir unless given; removed on close only when it made it). */
export async function startHost(options: { dir?: string; rendererDir?: string } = {}): Promise<Host> {
  const dir = options.dir ?? await tempDir();
  const store = await SnapshotStore.open(dir);
  const session = await HostSession.start({ store });
  const web = await WebHost.start({ session, rendererDir: options.rendererDir });
  const clients: Client[] = [];
  return {
    dir, store, session, web, port: web.port, token: web.token,
    async connect(o = {}) {
      const c = await Client.open(`ws://127.0.0.1:${web.port}/api/ws?token=${o.token ?? web.token}`, o.headers);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await web.close();
      await session.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export type CallResult<C extends UiChannel> = { ok: true; response: UiResponse<C> } | { ok: false; error: ErrorDto };

export class Client {
  readonly events: UiEventMessage[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (r: ResultMessage) => void>();
  private readonly waiters = new Set<() => void>();
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ResultMessage | UiEventMessage;
      if (m.type === 'result') this.pending.get(m.callId)?.(m);
      else this.events.push(m);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => { this.closeCode = code; resolve(code); }));
  }

  static open(url: string, headers?: Record<string, string>): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends one call; resolves with the raw result. */
  raw(channel: string, request: unknown): Promise<ResultMessage> {
    const callId = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(callId, (r) => { this.pending.delete(callId); resolve(r); });
      this.ws.send(JSON.stringify({ type: 'call', callId, channel, request }));
    });
  }

  async call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<UiResponse<C>> {
    const r = await this.raw(channel, request);
    if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.name}: ${r.error.message}`), { dto: r.error });
    return r.response as UiResponse<C>;
  }

  /** The first event (already received or still to come) that matches. */
  waitFor<E extends UiEventName>(event: E, pred: (data: UiEvents[E]) => boolean = () => true, timeoutMs = 60_000): Promise<UiEvents[E]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find((e) => e.event === event && pred(e.data as UiEvents[E]));
        if (hit) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(hit.data as UiEvents[E]);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${event}; got ${this.events.map((e) => e.event).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}

export interface HttpResult { status: number; headers: IncomingHttpHeaders; body: Buffer }

/** A raw HTTP request with exactly the headers given (Host included), so tests can forge them. */
export function http(port: number, method: string, pathAndQuery: string, options: { headers?: Record<string, string>; body?: Buffer | NodeJS.ReadableStream } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: pathAndQuery, headers: { host: `127.0.0.1:${port}`, ...options.headers }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** Tries a WebSocket upgrade and reports the HTTP status it was refused with (or 101). */
export function upgradeStatus(port: number, pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, { headers });
    ws.once('open', () => { ws.close(); resolve({ status: 101, headers: {} }); });
    ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0, headers: res.headers }); res.resume(); ws.terminate(); });
    ws.once('error', (err) => reject(err));
  });
}
