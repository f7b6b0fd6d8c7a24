import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { HostSession } from '../session/session.js';
import { exportSnapshot, importSnapshot } from './http-api.js';
import { sendText } from './respond.js';
import { contentSecurityPolicy, hostAllowed, newToken, originAllowed, setSecurityHeaders, tokenMatches } from './security.js';
import { MAX_FRAME, serveSocket } from './socket.js';
import { StaticFiles } from './static.js';

export interface WebHostOptions {
  session: HostSession;
  /** 0 (default): a free port. */
  port?: number;
  /** The built renderer; default dist/renderer of this package. */
  rendererDir?: string;
}

/** dist/renderer of this package, from src/host/web (vitest) or dist/host/web (the build) alike. */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));
}

/**
 * The dashboard's local web host: node:http + ws on 127.0.0.1 only.
 *
 * Every request passes, in order: the Host check (DNS rebinding, 403), the Origin check (another
 * site's page, 403), and for /api/ the token (401, compared in constant time). Static files need
 * no token: they hold no data. Every response, refusals included, carries the strict CSP.
 *
 * API: `GET /api/ws?token=T` (WebSocket: the UiApi contract, socket.ts), `POST /api/snapshots?token=T&name=N`
 * (import, http-api.ts), `GET /api/snapshots/ID/file?token=T` (export).
 */
export class WebHost {
  readonly token = newToken();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly statics: StaticFiles;
  private boundPort = 0;

  private constructor(private readonly session: HostSession, rendererDir: string) {
    this.statics = new StaticFiles(rendererDir);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
    this.server = createServer({ requestTimeout: 30 * 60_000 }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'internal error');
        else res.destroy();
      });
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  static async start(options: WebHostOptions): Promise<WebHost> {
    const host = new WebHost(options.session, options.rendererDir ?? defaultRendererDir());
    await new Promise<void>((resolve, reject) => {
      host.server.once('error', reject);
      host.server.listen(options.port ?? 0, '127.0.0.1', () => {
        host.server.off('error', reject);
        resolve();
      });
    });
    const addr = host.server.address();
    host.boundPort = typeof addr === 'object' && addr ? addr.port : 0;
    return host;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The dashboard's address, token included: the one line `serve` prints. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  /** Closes every socket (1001, going away) and the listener. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'the dashboard host is shutting down');
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, this.port);
    if (!hostAllowed(req, this.port)) return sendText(res, 403, 'forbidden: unexpected Host header');
    if (!originAllowed(req, this.port)) return sendText(res, 403, 'forbidden: cross-origin request');
    const { pathname, query } = splitUrl(req.url);
    if (pathname !== '/api' && !pathname.startsWith('/api/')) return this.statics.serve(req, res, pathname);

    res.setHeader('Cache-Control', 'no-store');
    if (!tokenMatches(this.token, query.get('token'))) return sendText(res, 401, 'unauthorized: missing or wrong token');
    if (pathname === '/api/snapshots') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      return importSnapshot(req, res, this.session, query);
    }
    const file = /^\/api\/snapshots\/([^/]+)\/file$/.exec(pathname);
    if (file) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return exportSnapshot(res, this.session, file[1]!);
    }
    if (pathname === '/api/ws') return sendText(res, 426, 'upgrade required: this is the WebSocket endpoint');
    return sendText(res, 404, 'not found');
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Security-Policy: ${contentSecurityPolicy(this.port)}\r\n`
        + 'X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nContent-Type: text/plain; charset=utf-8\r\n'
        + `Content-Length: ${Buffer.byteLength(text) + 1}\r\nConnection: close\r\n\r\n${text}\n`);
    };
    if (!hostAllowed(req, this.port)) return refuse(403, 'Forbidden');
    if (!originAllowed(req, this.port)) return refuse(403, 'Forbidden');
    const { pathname, query } = splitUrl(req.url);
    if (pathname !== '/api/ws') return refuse(404, 'Not Found');
    if (!tokenMatches(this.token, query.get('token'))) return refuse(401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, this.session));
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendText(res, 405, 'method not allowed');
}

/** The raw path (not normalised: static.ts refuses `..` itself) and the query. */
function splitUrl(url: string | undefined): { pathname: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return { pathname: pathname.startsWith('/') ? pathname : `/${pathname}`, query };
}
