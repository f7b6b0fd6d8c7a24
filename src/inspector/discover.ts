import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AmbiguousTargetError, TargetUnreachableError, type TargetListing } from './errors.js';
import { getJson, ProbeError } from './http-json.js';
import { formatAddress } from './target.js';

/** One attachable target. `wsUrl` holds the secret UUID: hand it to the session, never to a message or a log. */
export interface DiscoveredTarget extends TargetListing {
  /** HOST:PORT, safe to print. */
  address: string;
  host: string;
  port: number;
  wsUrl: string;
  /** `Browser` from /json/version, e.g. `node.js/v20.20.2` or `Chrome/156.0...`. */
  browser: string;
}

export interface DiscoverOptions {
  /** Select the target whose title or URL contains this text (case-insensitive). */
  pick?: string;
  /** Deadline for each HTTP probe. */
  deadlineMs?: number;
}

interface ListEntry extends TargetListing {
  id: string;
  webSocketDebuggerUrl: string | undefined;
}

/**
 * Target types never chosen without a ws:// URL: Chromium's own UI (the omnibox popup and other
 * `chrome://…top-chrome` WebUI) lists itself as `browser_ui` since about Chromium 130. A headless
 * Chromium with one page lists two of them; counting them would make every `PORT` ambiguous.
 */
const NOT_CANDIDATES = new Set(['browser_ui']);

/**
 * Checks that HOST:PORT is a V8 inspector and returns every target a TARGET of this port can choose
 * (`--pick` chooses among them), in the inspector's order; with `path`, only that one (CLI `--list`).
 */
export async function discoverTargets(host: string, port: number, path: string | undefined, options: { deadlineMs?: number } = {}): Promise<{
  address: string; browser: string; targets: DiscoveredTarget[];
}> {
  if (path !== undefined) {
    const t = await discoverTarget(host, port, path, options);
    return { address: t.address, browser: t.browser, targets: [t] };
  }
  const { base, wsBase, list } = await probeInspector(host, port, options.deadlineMs ?? 3000);
  const targets = candidates(list).map((t) => ({ ...base, ...listing(t), wsUrl: wsBase + pathOf(t.webSocketDebuggerUrl!) }));
  return { address: base.address, browser: base.browser, targets };
}

/** Entries a TARGET without a ws:// path may choose: attachable, and not the browser's own UI. */
function candidates(list: ListEntry[]): ListEntry[] {
  return list.filter((e) => e.webSocketDebuggerUrl !== undefined && !NOT_CANDIDATES.has(e.type));
}

/** /json/version and /json/list of HOST:PORT, each with a deadline and checked for the inspector's shape. */
async function probeInspector(host: string, port: number, deadlineMs: number) {
  const address = formatAddress(host, port);
  // Chromium and Node reject a Host header that is neither an IP nor localhost (DNS-rebinding
  // protection), so a remote name is resolved here and the address used from then on.
  const ip = isIP(host) ? host : await resolve(host, address);
  const probe = async (p: string) => {
    try {
      return await getJson(ip, port, p, deadlineMs);
    } catch (err) {
      if (err instanceof ProbeError) throw new TargetUnreachableError(address, err.message);
      throw err;
    }
  };

  const version = await probe('/json/version');
  if (!isRecord(version) || typeof version['Protocol-Version'] !== 'string' || typeof version['Browser'] !== 'string') {
    throw new TargetUnreachableError(address, 'answer to /json/version lacks Browser and Protocol-Version: not a V8 inspector');
  }
  const browser = version['Browser'];
  const base = { address, host: ip, port, browser };
  const wsBase = `ws://${formatAddress(ip, port)}`;

  const list = parseList(await probe('/json/list'), address);
  return { base, wsBase, list };
}

/**
 * Checks that HOST:PORT is a V8 inspector (/json/version, then /json/list, each with a deadline and
 * a schema check) and returns the target to attach to. With `path` (from a ws:// TARGET) that one is
 * used; otherwise the port's list is searched, `pick` deciding when it holds several.
 */
export async function discoverTarget(host: string, port: number, path: string | undefined, options: DiscoverOptions = {}): Promise<DiscoveredTarget> {
  const { base, wsBase, list } = await probeInspector(host, port, options.deadlineMs ?? 3000);
  const address = base.address;
  if (path !== undefined) {
    // A ws:// TARGET need not be listed (Chromium's browser endpoint is not); when it is, use its names.
    const listed = list.find((e) => e.webSocketDebuggerUrl !== undefined && pathOf(e.webSocketDebuggerUrl) === path);
    return { ...base, type: listed?.type ?? 'unknown', title: listed?.title ?? '', url: listed?.url ?? '', wsUrl: wsBase + path };
  }

  const attachable = candidates(list);
  if (attachable.length === 0) {
    throw new TargetUnreachableError(address, list.length === 0
      ? 'the inspector lists no targets'
      : list.every((e) => NOT_CANDIDATES.has(e.type))
        ? 'the browser has no page open (it lists only its own UI)'
        : 'every target there already has a debugger attached (close DevTools or the other client)');
  }
  let chosen = attachable;
  if (options.pick !== undefined) {
    const needle = options.pick.toLowerCase();
    chosen = attachable.filter((e) => e.title.toLowerCase().includes(needle) || e.url.toLowerCase().includes(needle));
  }
  if (chosen.length !== 1) {
    throw new AmbiguousTargetError(address, (chosen.length === 0 ? attachable : chosen).map(listing), options.pick, chosen.length);
  }
  const t = chosen[0]!;
  // Connect to the address we probed, not to the host the list names: a hostile list could point
  // us anywhere, and Node fills it in from our own Host header anyway.
  return { ...base, ...listing(t), wsUrl: wsBase + pathOf(t.webSocketDebuggerUrl!) };
}

function parseList(value: unknown, address: string): ListEntry[] {
  if (!Array.isArray(value)) throw new TargetUnreachableError(address, 'answer to /json/list is not an array: not a V8 inspector');
  return value.map((e): ListEntry => {
    if (!isRecord(e) || typeof e['id'] !== 'string' || typeof e['type'] !== 'string'
      || (e['webSocketDebuggerUrl'] !== undefined && (typeof e['webSocketDebuggerUrl'] !== 'string' || pathOf(e['webSocketDebuggerUrl']) === undefined))) {
      throw new TargetUnreachableError(address, 'an entry of /json/list lacks id, type or a ws:// webSocketDebuggerUrl: not a V8 inspector');
    }
    return {
      id: e['id'],
      type: e['type'],
      title: typeof e['title'] === 'string' ? e['title'] : '',
      url: typeof e['url'] === 'string' ? e['url'] : '',
      webSocketDebuggerUrl: e['webSocketDebuggerUrl'] as string | undefined,
    };
  });
}

function listing(e: TargetListing): TargetListing {
  return { type: e.type, title: e.title, url: e.url };
}

function pathOf(wsUrl: string): string | undefined {
  try {
    const u = new URL(wsUrl);
    return u.protocol === 'ws:' && u.pathname.length > 1 ? u.pathname + u.search : undefined;
  } catch {
    return undefined;
  }
}

async function resolve(host: string, address: string): Promise<string> {
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new TargetUnreachableError(address, `host name not found`, { cause: err });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
