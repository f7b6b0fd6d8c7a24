import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fixturesDir } from './target.js';

export const pagesDir = path.join(fixturesDir, 'pages');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface PagesServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The URL of fixtures/pages/NAME. */
  url(name: string): string;
  close(): Promise<void>;
}

/**
 * Serves fixtures/pages/ on 127.0.0.1 at a free port: plain files of this folder only (no
 * subfolders, no dot files), so a page under test can load nothing else from disk.
 */
export async function startPagesServer(): Promise<PagesServer> {
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
    const type = TYPES[path.extname(name)];
    if (req.method !== 'GET' || !/^[a-z0-9][a-z0-9-]*\.[a-z]+$/.test(name) || !type) {
      res.writeHead(404).end();
      return;
    }
    readFile(path.join(pagesDir, name)).then(
      (body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (name) => `${origin}/${name}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
