/**
 * The web host's rules, one negative test each (DESIGN.md practice 7): token, Host, Origin, path
 * traversal, the CSP on every response, and a WebSocket that survives whatever a client sends.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/host/web/security.js';
import { NOT_BUILT } from '../../src/host/web/static.js';
import { Client, http, startHost, tempDir, upgradeStatus, type Host } from './harness.js';

let host: Host;
let rendererDir: string;
let outside: string;

beforeAll(async () => {
  // A stand-in for dist/renderer (the real one is another helper's build), with a secret file beside it.
  const base = await tempDir('heapscope-static-');
  rendererDir = path.join(base, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>heapscope</title><script type="module" src="/assets/app.js"></script>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(path.join(base, 'secret.txt'), 'do not serve me');
  outside = base;
  host = await startHost({ rendererDir });
});

afterAll(async () => {
  await host?.close();
  await rm(outside, { recursive: true, force: true });
});

const api = (p: string, token = host.token) => `${p}${p.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

describe('static files', () => {
  it('serves index.html at / and assets with their types, without a token', async () => {
    const index = await http(host.port, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.toString()).toContain('<title>heapscope</title>');
    const js = await http(host.port, 'GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body.toString()).toBe('console.log("app");');
  });

  it.each([
    '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/%00index.html', '/%zz', '/../package.json',
  ])('refuses %s', async (p) => {
    const r = await http(host.port, 'GET', p);
    expect([400, 404]).toContain(r.status);
    expect(r.body.toString()).not.toContain('do not serve me');
  });

  it('does not follow a symlink out of the root', async () => {
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(outside, 'secret.txt'), path.join(rendererDir, 'link.txt'));
    const r = await http(host.port, 'GET', '/link.txt');
    expect(r.status).toBe(404);
    expect(r.body.toString()).not.toContain('do not serve me');
  });

  it('says to build when dist/renderer has no index.html', async () => {
    const bare = await startHost({ rendererDir: path.join(outside, 'missing') });
    try {
      const r = await http(bare.port, 'GET', '/');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body.toString().trim()).toBe(NOT_BUILT);
      expect(r.body.toString()).toContain('npm run build');
      expect((await http(bare.port, 'GET', '/assets/app.js')).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe('every request', () => {
  it('is refused with 403 when Host is not 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    for (const h of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.1:${host.port + 1}`, `[::1]:${host.port}`]) {
      const r = await http(host.port, 'GET', api('/api/snapshots/x/file'), { headers: { host: h } });
      expect(r.status, h).toBe(403);
      expect((await http(host.port, 'GET', '/', { headers: { host: h } })).status, h).toBe(403);
    }
    expect((await http(host.port, 'GET', '/', { headers: { host: `localhost:${host.port}` } })).status).toBe(200);
  });

  it('is refused with 403 when Origin is another site, on HTTP and on the WebSocket upgrade', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${host.port}`, `https://127.0.0.1:${host.port}`, 'null', `http://127.0.0.1:${host.port + 1}`]) {
      const r = await http(host.port, 'POST', api('/api/snapshots'), { headers: { origin }, body: Buffer.from('{}') });
      expect(r.status, origin).toBe(403);
      expect((await upgradeStatus(host.port, api('/api/ws'), { Origin: origin })).status, origin).toBe(403);
    }
    expect((await upgradeStatus(host.port, api('/api/ws'), { Origin: `http://localhost:${host.port}` })).status).toBe(101);
    expect((await upgradeStatus(host.port, api('/api/ws'), { Origin: `http://127.0.0.1:${host.port}` })).status).toBe(101);
  });

  it('needs the token on the API: missing or wrong → 401, on HTTP and WebSocket', async () => {
    const wrong = `${host.token.slice(0, -1)}${host.token.endsWith('A') ? 'B' : 'A'}`;
    for (const p of ['/api/snapshots/AAAAAAAAAAAAAAAAAAAAAA/file', '/api/ws', '/api/nothing']) {
      expect((await http(host.port, 'GET', p)).status, p).toBe(401);
      expect((await http(host.port, 'GET', api(p, wrong))).status, p).toBe(401);
      expect((await http(host.port, 'GET', api(p, ''))).status, p).toBe(401);
    }
    expect((await http(host.port, 'POST', '/api/snapshots', { body: Buffer.from('x') })).status).toBe(401);
    expect((await upgradeStatus(host.port, '/api/ws')).status).toBe(401);
    expect((await upgradeStatus(host.port, api('/api/ws', wrong))).status).toBe(401);
    expect((await upgradeStatus(host.port, api('/api/ws'), { Host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await upgradeStatus(host.port, api('/api/ws'))).status).toBe(101);
  });

  it('carries the strict CSP and nosniff, refusals included; API answers are no-store', async () => {
    const csp = contentSecurityPolicy(host.port);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    const responses = await Promise.all([
      http(host.port, 'GET', '/'),
      http(host.port, 'GET', '/assets/app.js'),
      http(host.port, 'GET', '/missing'),
      http(host.port, 'GET', '/../x'),
      http(host.port, 'GET', '/', { headers: { host: 'evil.example' } }),
      http(host.port, 'GET', '/', { headers: { origin: 'http://evil.example' } }),
      http(host.port, 'GET', '/api/ws'),
      http(host.port, 'GET', api('/api/ws')),
      http(host.port, 'GET', api('/api/snapshots/AAAAAAAAAAAAAAAAAAAAAA/file')),
      http(host.port, 'DELETE', api('/api/snapshots')),
    ]);
    for (const r of responses) {
      expect(r.headers['content-security-policy']).toBe(csp);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 400, 403, 403, 401, 426, 404, 405]);
    for (const r of responses.slice(6)) expect(r.headers['cache-control']).toBe('no-store');
    const refused = await upgradeStatus(host.port, '/api/ws');
    expect(refused.headers['content-security-policy']).toBe(csp);
  });
});

describe('the WebSocket', () => {
  it('answers an unknown channel and bad fields with errors naming them', async () => {
    const c = await host.connect();
    const unknown = await c.raw('fs.readFile', { path: '/etc/passwd' });
    expect(unknown).toMatchObject({ ok: false, error: { name: 'RequestError', field: 'channel' } });
    const load = await c.raw('snapshot.load', { path: '/etc/passwd' });
    expect(load).toMatchObject({ ok: false, error: { field: 'channel' } });
    const badId = await c.raw('summary.range', { snapshotId: '../../etc/passwd', start: 0, end: 10 });
    expect(badId).toMatchObject({ ok: false, error: { name: 'RequestError', field: 'snapshotId' } });
    const badRange = await c.raw('summary.range', { snapshotId: 'AAAAAAAAAAAAAAAAAAAAAA', start: 5, end: 1 });
    expect(badRange).toMatchObject({ ok: false, error: { field: 'end' } });
    const extra = await c.raw('snapshot.rename', { snapshotId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x', path: '/tmp' });
    expect(extra).toMatchObject({ ok: false, error: { name: 'RequestError' } });
    const longName = await c.raw('snapshot.rename', { snapshotId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x'.repeat(201) });
    expect(longName).toMatchObject({ ok: false, error: { field: 'name' } });
    const pid = await c.raw('target.attach', { address: 'pid:1' });
    expect(pid).toMatchObject({ ok: false, error: { field: 'address' } });
    // A DevToolsActivePort file is a path: the page never makes the server read a file it names.
    for (const address of ['chromium:/etc', 'CHROMIUM:/tmp/x', '/tmp/profile/DevToolsActivePort']) {
      const file = await c.raw('target.attach', { address });
      expect(file, address).toMatchObject({ ok: false, error: { name: 'RequestError', field: 'address' } });
    }
    const remote = await c.raw('target.attach', { address: '10.1.2.3:9229' });
    expect(remote).toMatchObject({ ok: false, error: { name: 'UsageError' } });
    expect((remote as { error: { message: string } }).error.message).toContain('not a loopback address');
    // Still open and answering after all that.
    const state = await c.call('session.state', {});
    expect(state).toEqual({ targets: [], snapshots: [], captures: [] });
  });

  it('names the field of an unknown store id, on session and engine channels', async () => {
    const c = await host.connect();
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect(await c.raw('snapshot.open', { snapshotId: id })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'snapshotId' } });
    expect(await c.raw('summary.range', { snapshotId: id, start: 0, end: 1 })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'snapshotId' } });
    expect(await c.raw('diff.classes', { beforeId: id, afterId: id, start: 0, end: 1 })).toMatchObject({ ok: false, error: { field: 'beforeId' } });
    expect(await c.raw('capture.start', { targetId: id })).toMatchObject({ ok: false, error: { field: 'targetId' } });
    expect(await c.raw('capture.cancel', { captureId: id })).toMatchObject({ ok: false, error: { field: 'captureId' } });
  });

  it.each([
    ['malformed JSON', '{"type":"call",', 1008],
    ['a JSON value that is not a call', '[1,2,3]', 1008],
    ['a call without a callId', JSON.stringify({ type: 'call', channel: 'session.state', request: {} }), 1008],
  ])('closes with a policy code on %s', async (_what, frame, code) => {
    const c = await host.connect();
    c.ws.send(frame);
    expect(await c.closed).toBe(code);
  });

  it('closes on a binary frame and on an oversize frame (> 1 MB), and the server carries on', async () => {
    const binary = await host.connect();
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect(await binary.closed).toBe(1003);
    const big = await host.connect();
    big.ws.send(JSON.stringify({ type: 'call', callId: 1, channel: 'session.state', request: { pad: 'x'.repeat(1024 * 1024 + 10) } }));
    expect(await big.closed).toBe(1009);
    const after = await host.connect();
    expect(await after.call('session.state', {})).toMatchObject({ targets: [] });
  });

  it('refuses upgrades on other paths', async () => {
    expect((await upgradeStatus(host.port, api('/api/other'))).status).toBe(404);
    expect((await upgradeStatus(host.port, api('/'))).status).toBe(404);
    await expect(Client.open(`ws://127.0.0.1:${host.port}/api/ws?token=nope`)).rejects.toThrow('HTTP 401');
  });
});
