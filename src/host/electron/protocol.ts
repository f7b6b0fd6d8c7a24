/**
 * The desktop app's origin: `heapscope://app/`, a custom protocol serving the built renderer, so
 * the page never runs from file:// (where every local file would be same-origin with it). Pure
 * Node: main.ts hands requests here from Electron's protocol.handle, tests call it directly.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { securityHeaders } from '../web/security.js';
import { decodeSegments, TYPES } from '../web/static.js';

export const APP_SCHEME = 'heapscope';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * Chromium's privileges for the scheme (protocol.registerSchemesAsPrivileged): `standard` gives
 * it an origin and relative URLs, `secure` makes it a secure context; fetch, and CORS-mode loads
 * (module scripts and the graph's module worker are fetched in CORS mode, even from their own
 * origin). No other origin exists in the app to read from us, and CSP still applies: no bypass,
 * no service workers.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, bypassCSP: false, allowServiceWorkers: false },
} as const;

/** The headers of every answer: the web host's security headers, with the CSP for a host without sockets. */
export function appHeaders(): Record<string, string> {
  return securityHeaders();
}

/**
 * True only for our own origin: the scheme, the host `app`, no port and no user info. Anything
 * that does not parse (or parses as something else, `heapscope://app.evil/`, `heapscope://app@evil/`)
 * is foreign.
 */
export function isAppUrl(url: string | undefined): boolean {
  if (typeof url !== 'string') return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.hostname === APP_HOST && u.port === '' && u.username === '' && u.password === '';
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/**
 * The answer to one request of the page: a file of the built renderer, or a plain-text refusal
 * (405 for anything but GET/HEAD, 404 for a foreign host or a missing file, 400 for a path that
 * could step outside the root). Paths are checked as the web host checks them (decodeSegments),
 * then resolved with symlinks and required to stay inside the root.
 */
export async function appResponse(rootDir: string, url: string, method = 'GET'): Promise<AppResponse> {
  const headers = appHeaders();
  const refuse = (status: number, text: string): AppResponse => ({ status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: `${text}\n` });
  if (method !== 'GET' && method !== 'HEAD') return refuse(405, 'method not allowed');
  if (!isAppUrl(url)) return refuse(404, 'not found');
  // The path as sent: URL normalises `..` away, but `%2e%2e` and `%2f` are left for decodeSegments to refuse.
  const rawPath = new URL(url).pathname;
  const segments = decodeSegments(rawPath);
  if (!segments) return refuse(400, 'bad path');
  let root: string;
  try {
    root = await realpath(rootDir);
  } catch {
    return refuse(404, 'the desktop renderer has not been built: run `npm run build`');
  }
  let file: string;
  try {
    file = await realpath(path.join(root, ...(segments.length === 0 ? ['index.html'] : segments)));
    if (!file.startsWith(root + path.sep) || !(await stat(file)).isFile()) return refuse(404, 'not found');
  } catch {
    return refuse(404, 'not found');
  }
  const body = method === 'HEAD' ? '' : await readFile(file);
  return {
    status: 200,
    headers: { ...headers, 'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' },
    body,
  };
}
