import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendText } from './respond.js';

export const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const NOT_BUILT = 'The heapscope dashboard has not been built: run `npm run build` in the heapscope checkout, then reload this page.';

/**
 * The built renderer (vite's dist/renderer). It holds no data, so it needs no token. Paths are
 * decoded segment by segment and any `.`, `..`, encoded slash or NUL is refused before the file
 * system is asked; what is left is resolved (symlinks too) and must still be inside the root.
 */
export class StaticFiles {
  private rootReal: Promise<string | undefined> | undefined;

  constructor(readonly root: string) {}

  async serve(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed');
      return;
    }
    const segments = decodeSegments(rawPath);
    if (!segments) {
      sendText(res, 400, 'bad path');
      return;
    }
    const root = await (this.rootReal ??= realpath(this.root).catch(() => undefined));
    const isIndex = segments.length === 0;
    const file = await this.resolve(root, isIndex ? ['index.html'] : segments);
    if (!file) {
      // No build yet: say so on the front page instead of a bare 404.
      if (isIndex) sendText(res, 200, NOT_BUILT);
      else sendText(res, 404, 'not found');
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Cache-Control', 'no-cache');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  private async resolve(root: string | undefined, segments: string[]): Promise<{ path: string; size: number } | undefined> {
    if (!root) return undefined;
    try {
      const real = await realpath(path.join(root, ...segments));
      if (!real.startsWith(root + path.sep)) return undefined;
      const st = await stat(real);
      return st.isFile() ? { path: real, size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** `/a/b%20c.js` → ['a', 'b c.js']; undefined for anything that could step outside (`..`, `%2f`, `\`, NUL, bad escapes). */
export function decodeSegments(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg)) return undefined;
    out.push(seg);
  }
  return out;
}
