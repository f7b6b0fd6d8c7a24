import { readDevToolsActivePort } from './devtools-active-port.js';
import { openInspectorByPid } from './pid.js';
import type { TargetSpec } from './target.js';

/** Where a TARGET's inspector listens, once a pid has opened it or a DevToolsActivePort file has told. */
export interface InspectorAddress {
  host: string;
  port: number;
  /** From a ws:// TARGET: the one target to use. */
  path?: string;
  /** From a pid: TARGET. */
  pid?: number;
}

/**
 * Turns a parsed TARGET into the address of its inspector: `pid:` sends SIGUSR1 and finds the port,
 * `chromium:` reads DevToolsActivePort. Throws TargetUnreachableError (exit 3).
 */
export async function resolveInspector(spec: TargetSpec, options: { pidMs?: number } = {}): Promise<InspectorAddress> {
  switch (spec.kind) {
    case 'pid': return { ...(await openInspectorByPid(spec.pid, { deadlineMs: options.pidMs })), pid: spec.pid };
    case 'active-port': {
      const { host, port } = await readDevToolsActivePort(spec.location);
      return { host, port };
    }
    case 'ws': return { host: spec.host, port: spec.port, path: spec.path };
    case 'http': return { host: spec.host, port: spec.port };
  }
}

/** How a TARGET is named in messages before its inspector is found. */
export function describeSpec(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'pid': return `pid ${spec.pid}`;
    case 'active-port': return spec.location;
    default: return `${spec.host}:${spec.port}`;
  }
}
