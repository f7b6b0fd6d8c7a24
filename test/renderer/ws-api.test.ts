/**
 * The dashboard's WebSocket client against a real WebSocket server (the `ws` package) that answers
 * calls with the real engine worker, the way the web host does: results matched by callId, typed
 * errors, events, calls queued while connecting, every pending call rejected when the socket drops,
 * and reconnection with backoff.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { EngineClient, EngineError } from '../../src/engine/client.js';
import type { CallMessage, Channel, ErrorDto, Request, UiHostMessage } from '../../src/shared/contract.js';
import { ApiError, describeError } from '../../renderer/lib/errors.js';
import type { ConnectionState } from '../../renderer/lib/types.js';
import { WsApi, backoffDelay, type SocketLike } from '../../renderer/lib/ws-api.js';

const file = path.resolve('fixtures/snapshots/listener-leak-target.heapsnapshot.gz');

let engine: EngineClient;
let snapshotId: string;
let server: WebSocketServer;
let url: string;
const clients = new Set<WebSocket>();
/** Calls the server saw, by channel. */
const seen: string[] = [];

function toDto(err: unknown): ErrorDto {
  if (err instanceof EngineError) {
    const dto: ErrorDto = { name: err.name, message: err.message };
    if (err.field !== undefined) dto.field = err.field;
    if (err.offset !== undefined) dto.offset = err.offset;
    return dto;
  }
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

beforeAll(async () => {
  engine = await EngineClient.start();
  snapshotId = (await engine.call('snapshot.load', { path: file })).snapshotId;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/ws`;
  server.on('connection', (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as CallMessage;
      seen.push(m.channel);
      if (m.channel === 'test.hang') return; // never answered: the drop must reject it
      if (m.channel === 'test.garbage') {
        socket.send('not json {');
        socket.send(JSON.stringify({ type: 'result', callId: 99_999, ok: true, response: 1 }));
        socket.send(JSON.stringify({ type: 'result', callId: m.callId, ok: true, response: 'after garbage' }));
        return;
      }
      if (m.channel === 'test.emit') {
        const event: UiHostMessage = { type: 'event', event: 'snapshots.changed', data: { snapshots: [] } };
        socket.send(JSON.stringify(event));
        socket.send(JSON.stringify({ type: 'result', callId: m.callId, ok: true, response: null }));
        return;
      }
      engine.call(m.channel as Channel, m.request as Request<Channel>).then(
        (response) => socket.send(JSON.stringify({ type: 'result', callId: m.callId, ok: true, response })),
        (err: unknown) => socket.send(JSON.stringify({ type: 'result', callId: m.callId, ok: false, error: toDto(err) })),
      );
    });
  });
});
afterAll(async () => {
  for (const c of clients) c.terminate();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await engine?.close();
});

function client(options: Partial<ConstructorParameters<typeof WsApi>[0]> = {}) {
  const states: ConnectionState[] = [];
  const api = new WsApi({
    url,
    connect: (u) => new WebSocket(u) as unknown as SocketLike,
    initialDelayMs: 20,
    maxDelayMs: 100,
    ...options,
  });
  api.onConnection((s) => states.push(s));
  return { api, states };
}

function waitFor(predicate: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > 10_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

describe('WsApi', () => {
  it('queues calls made while connecting and answers them with the engine results', async () => {
    const { api, states } = client();
    try {
      expect(states).toEqual(['connecting']);
      const direct = await engine.call('summary.range', { snapshotId, start: 0, end: 5 });
      const instances = await engine.call('class.instances', { snapshotId, classKey: direct.rows[0].key, start: 0, end: 3 });
      const [a, b] = await Promise.all([
        api.call('summary.range', { snapshotId, start: 0, end: 5 }),
        api.call('class.instances', { snapshotId, classKey: direct.rows[0].key, start: 0, end: 3 }),
      ]);
      expect(a).toEqual(direct);
      expect(b).toEqual(instances);
      expect(states).toEqual(['connecting', 'open']);
    } finally {
      api.close();
    }
  });

  it('rejects with an ApiError carrying the host error fields', async () => {
    const { api } = client();
    try {
      const err = await api.call('summary.range', { snapshotId, start: 5, end: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).name).toBe('RequestError');
      expect((err as ApiError).dto.field).toBe('end');
      expect(describeError(err)).toContain('end');
      const unknown = await api.call('summary.range', { snapshotId: 'B'.repeat(22), start: 0, end: 1 }).catch((e: unknown) => e);
      expect((unknown as ApiError).name).toBe('UnknownSnapshotError');
    } finally {
      api.close();
    }
  });

  it('delivers events to subscribers until they unsubscribe, and skips garbage', async () => {
    const { api } = client();
    try {
      const got: unknown[] = [];
      const off = api.on('snapshots.changed', (d) => got.push(d));
      await api.call('test.emit' as never, {} as never);
      expect(got).toEqual([{ snapshots: [] }]);
      off();
      await api.call('test.emit' as never, {} as never);
      expect(got).toHaveLength(1);
      expect(await api.call('test.garbage' as never, {} as never)).toBe('after garbage');
    } finally {
      api.close();
    }
  });

  it('rejects pending calls with ConnectionError when the socket drops, then reconnects', async () => {
    const { api, states } = client();
    try {
      await api.call('summary.range', { snapshotId, start: 0, end: 1 });
      const hanging = api.call('test.hang' as never, {} as never).catch((e: unknown) => e);
      await waitFor(() => seen.includes('test.hang'), 'the hanging call to reach the server');
      for (const c of clients) c.terminate();
      const err = await hanging;
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).name).toBe('ConnectionError');
      // While closed (waiting out the backoff) a call fails at once rather than hanging.
      if (api.connection === 'closed') {
        const now = await api.call('summary.range', { snapshotId, start: 0, end: 1 }).catch((e: unknown) => e);
        expect((now as ApiError).name).toBe('ConnectionError');
      }
      await waitFor(() => api.connection === 'open', 'the reconnect');
      expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'closed', 'connecting']);
      expect(states.at(-1)).toBe('open');
      const again = await api.call('summary.range', { snapshotId, start: 0, end: 2 });
      expect(again.rows).toHaveLength(2);
    } finally {
      api.close();
    }
  });

  it('keeps retrying a host that is down, and close() stops it for good', async () => {
    const dead = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => dead.once('listening', () => resolve()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    let attempts = 0;
    const { api, states } = client({
      url: `ws://127.0.0.1:${port}/api/ws`,
      connect: (u) => {
        attempts++;
        return new WebSocket(u) as unknown as SocketLike;
      },
    });
    await waitFor(() => attempts >= 3, 'three attempts');
    const err = await api.call('summary.range', { snapshotId, start: 0, end: 1 }).catch((e: unknown) => e);
    expect((err as ApiError).name).toBe('ConnectionError');
    api.close();
    const after = attempts;
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(after);
    expect(states.at(-1)).toBe('closed');
    expect(states).not.toContain('open');
  });

  it('backs off exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, 250, 5000))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
