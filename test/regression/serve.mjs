#!/usr/bin/env node
// Serves fixtures/pages/ on 127.0.0.1 for a Playwright suite's `webServer` (test/regression/):
//   PORT=0 node test/regression/serve.mjs
// prints `heapscope pages listening on http://127.0.0.1:PORT/` once it accepts connections, so a
// config can wait for that line and pick the port up from it:
//   webServer: { command: 'node test/regression/serve.mjs', wait: { stdout: /listening on (?<heapscope_pages_url>\S+)/ } }
// (Playwright then sets process.env.HEAPSCOPE_PAGES_URL for the tests.) PORT defaults to 0: a free
// port, so parallel runs never collide. Only files under fixtures/pages are served, GET and HEAD
// only, no dot files; a folder is served by its index.html, and a folder asked for without its
// trailing slash is redirected to it so that the page's relative script paths resolve.
// No dependencies: node:http only.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/pages');
const HOST = '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

function parsePort(text) {
  if (text === undefined || text === '') return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    process.stderr.write(`serve.mjs: PORT must be a whole number from 0 to 65535 (0: any free port), got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return port;
}

/** The file under ROOT that URL path `pathname` names, or why not: 404 for anything outside ROOT, dot files included. */
async function resolve(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes('\0')) return { status: 400 };
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((p) => p.startsWith('.') || p.includes('\\'))) return { status: 404 };
  const file = path.join(ROOT, ...parts);
  // Symbolic links are followed only while they stay inside ROOT.
  const real = await realpath(file).catch(() => undefined);
  if (!real || (real !== ROOT && !real.startsWith(ROOT + path.sep))) return { status: 404 };
  const info = await stat(real);
  if (info.isDirectory()) {
    if (!pathname.endsWith('/')) return { status: 301, location: `${pathname}/` };
    return resolveIndex(real);
  }
  return info.isFile() ? { status: 200, file: real, size: info.size } : { status: 404 };
}

async function resolveIndex(dir) {
  const index = path.join(dir, 'index.html');
  const info = await stat(index).catch(() => undefined);
  return info?.isFile() ? { status: 200, file: index, size: info.size } : { status: 404 };
}

const server = createServer(async (req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  const found = await resolve(url.pathname).catch(() => ({ status: 500 }));
  if (found.status === 301) {
    res.writeHead(301, { location: found.location + url.search }).end();
    return;
  }
  if (found.status !== 200) {
    res.writeHead(found.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${found.status}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(found.file)] ?? 'application/octet-stream',
    'content-length': found.size,
    // Every run loads the build under test, never a cached twin.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
});

server.on('error', (err) => {
  process.stderr.write(`serve.mjs: cannot listen on ${HOST}:${process.env.PORT ?? 0}: ${err.message}\n`);
  process.exit(1);
});

server.listen(parsePort(process.env.PORT), HOST, () => {
  process.stdout.write(`heapscope pages listening on http://${HOST}:${server.address().port}/\n`);
});

// Playwright stops its webServer with a signal: close at once (keep-alive sockets included).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
