/**
 * test/regression/serve.mjs, the static server a Playwright `webServer` starts: a real process on a
 * free port, asked over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/target.js';

const SERVE = path.join(repoRoot, 'test/regression/serve.mjs');
let child: ChildProcess;
let origin = '';

beforeAll(async () => {
  child = spawn(process.execPath, [SERVE], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^heapscope pages listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
    if (m) { origin = m[1]!; break; }
  }
  expect(origin).not.toBe('');
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

/** A raw request (the path sent as written: fetch would normalise `..` away). */
function get(rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => { body += s; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('test/regression/serve.mjs', () => {
  it('serves fixtures/pages: a folder by its index.html, scripts with their type, never cached', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('heapscope fixture pages');
    const leaky = await get('/notes/leaky/');
    expect(leaky).toMatchObject({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
    expect(leaky.body).toContain('data-build="leaky"');
    const app = await get('/notes/app.js');
    expect(app.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(app.body).toContain('openPanels');
    expect(await get('/phases.js')).toMatchObject({ status: 200 });
    const head = await get('/notes/fixed/index.html', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
  });

  it('a folder without its slash is redirected, so the page\'s relative script paths resolve', async () => {
    expect(await get('/notes/fixed?x=1')).toMatchObject({ status: 301, headers: { location: '/notes/fixed/?x=1' } });
  });

  it('nothing outside fixtures/pages, no dot files, GET and HEAD only', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/notes/..%2f..%2fpackage.json', '/.git/config', '/notes/.hidden', '/nope.html', '/notes/']) {
      expect((await get(p)).status, p).toBe(404);
    }
    expect((await get('/%E0%A4%A')).status).toBe(400);
    expect(await get('/', 'POST')).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
  });

  it('a bad PORT is refused with exit 2; SIGTERM stops it with exit 0', async () => {
    const bad = spawn(process.execPath, [SERVE], { env: { ...process.env, PORT: '70000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bad.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const [code] = await once(bad, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('PORT must be a whole number from 0 to 65535');

    const other = spawn(process.execPath, [SERVE], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'ignore'] });
    for await (const line of createInterface({ input: other.stdout! })) if (line.includes('listening on')) break;
    other.kill('SIGTERM');
    const [stopped] = await once(other, 'exit');
    expect(stopped).toBe(0);
  });
});
