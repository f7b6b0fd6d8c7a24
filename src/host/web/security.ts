import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** 32 random bytes, base64url: the secret in the dashboard's URL that every API request must carry. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first, so neither the time nor an early length
 * check says how much of a guess was right.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1 reaches this server
 * with `Host: evil.example:PORT`. Only the two names the dashboard's own URL can have are accepted.
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * Cross-site requests (a page elsewhere posting to us, or opening our WebSocket, which the
 * same-origin policy does not stop) carry their own Origin. No Origin is a non-browser client
 * (curl, tests); those still need the token.
 */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/**
 * The strict Content-Security-Policy: only our own scripts, styles and sockets; no framing, no forms,
 * no inline code. Without a port (the desktop app, which talks over IPC) no socket is allowed.
 */
export function contentSecurityPolicy(port?: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    port === undefined ? "connect-src 'self'" : `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response carries, errors included (the desktop app's protocol sends the same, without a port). */
export function securityHeaders(port?: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function setSecurityHeaders(res: ServerResponse, port: number): void {
  for (const [name, value] of Object.entries(securityHeaders(port))) res.setHeader(name, value);
}
