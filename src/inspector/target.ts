import { isIP } from 'node:net';
import { UsageError } from '../shared/errors.js';

/** What a TARGET argument names (CONTRACT.md "Targets", plus the additive `chromium:` form). */
export type TargetSpec =
  | { kind: 'ws'; host: string; port: number; /** the URL path: /UUID for Node, /devtools/page/ID for Chromium */ path: string }
  | { kind: 'http'; host: string; port: number }
  | { kind: 'pid'; pid: number }
  /** `chromium:DIR` or a path to a DevToolsActivePort file: the port a Chromium or Electron wrote there (devtools-active-port.ts). */
  | { kind: 'active-port'; location: string };

/** The TARGET forms, for messages. */
export const TARGET_FORMS = 'ws://HOST:PORT/ID, HOST:PORT, PORT, pid:PID or chromium:USER_DATA_DIR';

export interface ParseTargetOptions {
  /** Accept hosts outside loopback. The inspector gives whoever reaches it full control of the process. */
  allowRemote?: boolean;
}

const DEFAULT_HOST = '127.0.0.1';

/**
 * Parses `ws://HOST:PORT/ID`, `HOST:PORT`, `PORT`, `pid:PID`, `chromium:PATH` (a user data
 * directory or its DevToolsActivePort file) or a path ending in `DevToolsActivePort`. Anything
 * else, and a non-loopback host without `allowRemote`, is a UsageError (exit 2).
 */
export function parseTarget(text: string, options: ParseTargetOptions = {}): TargetSpec {
  const raw = text.trim();
  if (raw === '') throw new UsageError(`TARGET is empty; expected ${TARGET_FORMS}`);
  let spec: Exclude<TargetSpec, { kind: 'pid' | 'active-port' }>;
  const activePort = /^chromium:(.*)$/i.exec(raw);
  if (activePort) {
    if (activePort[1]!.trim() === '') throw new UsageError('chromium: needs a path: chromium:USER_DATA_DIR (the folder given to --user-data-dir) or its DevToolsActivePort file');
    return { kind: 'active-port', location: activePort[1]!.trim() };
  }
  // A bare path to the file, as `ls` prints it. Chromium binds its port to loopback: no host to check.
  if (/(^|[/\\])DevToolsActivePort$/.test(raw)) return { kind: 'active-port', location: raw };
  const pidMatch = /^pid:(.*)$/i.exec(raw);
  if (pidMatch) {
    const pid = parseInteger(pidMatch[1]!);
    if (pid === undefined || pid < 1 || pid > 0x3fffffff) throw new UsageError(`bad pid in TARGET "pid:${pidMatch[1]}"`);
    return { kind: 'pid', pid };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    spec = parseWsUrl(raw);
  } else if (/^\d+$/.test(raw)) {
    spec = { kind: 'http', host: DEFAULT_HOST, port: parsePort(raw, raw) };
  } else {
    spec = parseHostPort(raw);
  }
  if (!options.allowRemote && !isLoopbackHost(spec.host)) {
    throw new UsageError(`refusing to attach to ${formatAddress(spec.host, spec.port)}: not a loopback address. `
      + 'The inspector gives full control of the process to whoever reaches it; pass --allow-remote if you mean it');
  }
  return spec;
}

function parseWsUrl(raw: string): Exclude<TargetSpec, { kind: 'pid' | 'active-port' }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('TARGET is not a valid URL; expected ws://HOST:PORT/ID');
  }
  if (url.protocol !== 'ws:') throw new UsageError(`TARGET URL must start with ws:// (got ${url.protocol}//)`);
  if (url.username || url.password) throw new UsageError('TARGET URL must not carry credentials');
  if (url.port === '') throw new UsageError('TARGET URL must name a port: ws://HOST:PORT/ID');
  if (url.pathname === '/' || url.pathname === '') throw new UsageError('TARGET URL must name a target: ws://HOST:PORT/ID');
  // URL keeps IPv6 hosts bracketed; everything downstream wants the bare address.
  const host = normaliseHost(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  return { kind: 'ws', host, port: parsePort(url.port, 'the URL'), path: url.pathname + url.search };
}

function parseHostPort(raw: string): Exclude<TargetSpec, { kind: 'pid' | 'active-port' }> {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:\s/[\]]+):(\d+)$/.exec(raw);
  if (!m) {
    throw new UsageError(`cannot read TARGET "${raw}"; expected ${TARGET_FORMS}`);
  }
  const host = m[1]!;
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
    throw new UsageError(`bad host "${host}" in TARGET`);
  }
  return { kind: 'http', host: normaliseHost(host), port: parsePort(m[2]!, raw) };
}

function parsePort(s: string, where: string): number {
  const port = parseInteger(s);
  if (port === undefined || port < 1 || port > 65535) throw new UsageError(`bad port in TARGET ${where}: must be 1-65535`);
  return port;
}

function parseInteger(s: string): number | undefined {
  return /^\d{1,10}$/.test(s) ? Number(s) : undefined;
}

/**
 * `localhost` becomes 127.0.0.1: Node and Chromium bind the inspector to 127.0.0.1 by default, and a
 * resolver that prefers ::1 would make us miss it.
 */
function normaliseHost(host: string): string {
  return host.toLowerCase() === 'localhost' ? DEFAULT_HOST : host.toLowerCase();
}

/** 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and localhost. No DNS: a name that resolves to loopback is still refused. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    // IPv4-mapped loopback, dotted or (as URL parsing normalises it) in hex: ::ffff:7f00:1.
    const mapped = /^(?:0:0:0:0:0|:):ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return mapped[1]!.startsWith('127.');
    return /^(?:0:0:0:0:0|:):ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
  }
  return false;
}

/** HOST:PORT as users type it, IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
