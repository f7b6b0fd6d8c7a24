import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/**
 * Fault-injection servers for the inspector layer: things that are not (quite) a V8 inspector,
 * and a WebSocket-level proxy in front of a real one that can drop or withhold messages. All bind
 * 127.0.0.1 on a free port; `close()` ends every connection they hold.
 */
export interface FakeServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface Listing {
  type: string;
  title: string;
  url: string;
  /** Path of the WebSocket URL; default a made-up id. */
  path?: string;
}

/** Answers every HTTP request with 200 and an HTML page: a web server, not an inspector. */
export function httpNotInspector(host = '127.0.0.1'): Promise<FakeServer> {
  return serve(createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>hello</title><p>just a web server</p>');
  }), undefined, host);
}

/** Accepts TCP connections and never sends a byte. */
export async function silentTcp(): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A port with nothing listening (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface FakeInspector extends FakeServer {
  /** ws://127.0.0.1:PORT/PATH of listing `i`. */
  wsUrl(i?: number): string;
}

/**
 * Answers /json/version and /json/list like an inspector, so the HTTP probe passes, and hands every
 * WebSocket connection to `onConnection` (to send garbage, or nothing at all).
 */
export function fakeInspector(onConnection: (ws: WebSocket, path: string) => void,
  listings: Listing[] = [{ type: 'node', title: 'fake', url: 'file:///fake.js' }]): Promise<FakeInspector> {
  return inspectorFront(listings, (req, socket, head, wss) => {
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req.url ?? '/'));
  });
}

export interface ProxyHooks {
  /**
   * Called for every message from the target. 'drop-client': forward it, then cut our side;
   * 'withhold-and-drop-client': cut our side instead of forwarding it; 'garbage': send non-JSON instead.
   */
  fromTarget?: (message: string) => void | 'drop-client' | 'withhold-and-drop-client' | 'garbage';
}

/**
 * A WebSocket-level proxy in front of a real inspector at `upstreamPort`/`upstreamPath`, listed
 * first in its /json/list, followed by `extra` listings whose sockets go nowhere (for --pick).
 */
export function inspectorProxy(upstreamPort: number, upstreamPath: string, hooks: ProxyHooks = {},
  first: Omit<Listing, 'path'> = { type: 'node', title: 'proxied', url: 'file:///proxied.js' }, extra: Listing[] = []): Promise<FakeInspector> {
  return inspectorFront([{ ...first, path: upstreamPath }, ...extra], (req, socket, head, wss) => {
    if (req.url !== upstreamPath) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      const upstream = new WebSocket(`ws://127.0.0.1:${upstreamPort}${upstreamPath}`);
      const backlog: RawData[] = [];
      upstream.on('open', () => { for (const m of backlog.splice(0)) upstream.send(m.toString()); });
      client.on('message', (m) => { if (upstream.readyState === WebSocket.OPEN) upstream.send(m.toString()); else backlog.push(m); });
      upstream.on('message', (m) => {
        const text = m.toString();
        const verdict = hooks.fromTarget?.(text);
        if (verdict === 'withhold-and-drop-client') {
          client.terminate();
          return;
        }
        if (client.readyState === WebSocket.OPEN) client.send(verdict === 'garbage' ? '<<garbage>>' : text);
        if (verdict === 'drop-client') client.terminate();
      });
      client.on('close', () => upstream.close());
      upstream.on('close', () => client.terminate());
      client.on('error', () => {});
      upstream.on('error', () => client.terminate());
    });
  });
}

async function inspectorFront(listings: Listing[],
  upgrade: (req: IncomingMessage, socket: Socket, head: Buffer, wss: WebSocketServer) => void): Promise<FakeInspector> {
  const wss = new WebSocketServer({ noServer: true });
  let port = 0;
  const pathOf = (l: Listing, i: number) => l.path ?? `/fake-target-${i}`;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const json = (v: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(v)); };
    if (req.url === '/json/version') json({ Browser: 'fake-inspector/1.0', 'Protocol-Version': '1.3' });
    else if (req.url === '/json/list' || req.url === '/json') {
      json(listings.map((l, i) => ({
        id: pathOf(l, i).slice(1), type: l.type, title: l.title, url: l.url,
        webSocketDebuggerUrl: `ws://127.0.0.1:${port}${pathOf(l, i)}`,
      })));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => upgrade(req, socket, head, wss));
  const base = await serve(server, async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  port = base.port;
  return { ...base, wsUrl: (i = 0) => `ws://127.0.0.1:${port}${pathOf(listings[i]!, i)}` };
}

async function serve(server: Server, beforeClose?: () => Promise<void>, host = '127.0.0.1'): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      await beforeClose?.();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
