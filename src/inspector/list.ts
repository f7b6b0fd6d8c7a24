import { discoverTargets, type DiscoveredTarget } from './discover.js';
import type { TargetListing } from './errors.js';
import { resolveInspector } from './resolve-target.js';
import { Session } from './session.js';
import { parseTarget } from './target.js';
import { listWorkers, type WorkerInfo } from './worker-channel.js';

/** One target of a `--list`: what `--pick` matches, and for Node processes their worker threads. No WebSocket URL. */
export interface ListedTarget extends TargetListing {
  /** Node targets: the worker threads `--worker` can choose (absent when they could not be listed). */
  workers?: WorkerInfo[];
}

export interface TargetList {
  /** HOST:PORT of the inspector. */
  address: string;
  /** `Browser` from /json/version. */
  browser: string;
  targets: ListedTarget[];
}

export interface ListOptions {
  /** A TARGET (CONTRACT.md forms, or chromium:USER_DATA_DIR). */
  target: string;
  allowRemote?: boolean;
  /** Only targets whose title or URL contains this text (case-insensitive), as `--pick` would match. */
  pick?: string;
  /** Attach to each Node target to list its worker threads. Default true. */
  workers?: boolean;
  deadlines?: { probeMs?: number; pidMs?: number; connectMs?: number; commandMs?: number };
}

/**
 * What TARGET offers: the targets of its port (Chromium's pages, iframes and workers; a Node
 * process), and the worker threads of each Node process. Listing workers attaches briefly: like
 * any session that closes, it makes V8 forget the object ids of a capture series running meanwhile.
 */
export async function listInspectorTargets(options: ListOptions): Promise<TargetList> {
  const d = options.deadlines ?? {};
  const spec = parseTarget(options.target, { allowRemote: options.allowRemote });
  const { host, port, path } = await resolveInspector(spec, { pidMs: d.pidMs });
  const offered = await discoverTargets(host, port, path, { deadlineMs: d.probeMs });
  let found = offered.targets;
  const needle = options.pick?.toLowerCase();
  if (needle !== undefined) found = found.filter((t) => t.title.toLowerCase().includes(needle) || t.url.toLowerCase().includes(needle));
  const targets: ListedTarget[] = [];
  for (const t of found) {
    const entry: ListedTarget = { type: t.type, title: t.title, url: t.url };
    if ((options.workers ?? true) && (t.type === 'node' || t.browser.startsWith('node'))) {
      const workers = await workersOf(t, d).catch(() => undefined);
      if (workers) entry.workers = workers;
    }
    targets.push(entry);
  }
  return { address: offered.address, browser: offered.browser, targets };
}

async function workersOf(t: DiscoveredTarget, d: NonNullable<ListOptions['deadlines']>): Promise<WorkerInfo[]> {
  const session = await Session.connect(t.wsUrl, t.address, { connectDeadlineMs: d.connectMs, commandDeadlineMs: d.commandMs });
  try {
    return await listWorkers(session, d.commandMs);
  } finally {
    await session.close();
  }
}
