import { ExitCode, HeapscopeError } from '../shared/errors.js';

/**
 * Errors of the inspector layer. Messages name the target by HOST:PORT (or pid) only: the UUID in
 * a DevTools WebSocket URL is the only secret guarding the target (FACTS.md §2 Security).
 */

/** Nothing answers at the address, or what answers is not a V8 inspector (exit 3). */
export class TargetUnreachableError extends HeapscopeError {
  readonly address: string;
  constructor(address: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot attach to ${address}: ${reason}`, ExitCode.unreachable, options);
    this.address = address;
  }
}

/** One entry of a port's target list, without its WebSocket URL (that carries the secret). */
export interface TargetListing {
  type: string;
  title: string;
  url: string;
}

/** A port serves several targets and nothing chose one (exit 2, per CONTRACT.md "Targets"). */
export class AmbiguousTargetError extends HeapscopeError {
  readonly address: string;
  readonly candidates: TargetListing[];
  /** `candidates`: the targets to choose from (all of them when `pick` matched none). */
  constructor(address: string, candidates: TargetListing[], pick: string | undefined, matched: number) {
    const lines = candidates.map((c) => `  ${printable(c.type)}\t${printable(c.title)}\t${printable(c.url)}`).join('\n');
    pick = pick === undefined ? undefined : printable(pick);
    const why = pick === undefined
      ? `${candidates.length} targets at ${address}; choose one with --pick TEXT (matches title or URL)`
      : matched === 0
        ? `no target at ${address} has "${pick}" in its title or URL`
        : `${matched} targets at ${address} match "${pick}"; make --pick more specific`;
    super(`${why}:\n${lines || '  (none)'}`, ExitCode.usage);
    this.address = address;
    this.candidates = candidates;
  }
}

/** Why a session ended or a command failed; the capture layer turns these into exit 3 or 4. */
export type SessionFailure = 'closed' | 'timeout' | 'garbage' | 'protocol';

/**
 * A CDP command did not complete: the connection closed (by the peer, by us, or because it sent
 * a frame that is not CDP), the command passed its deadline, or the target answered an error.
 */
export class SessionError extends HeapscopeError {
  readonly address: string;
  readonly failure: SessionFailure;
  readonly method: string | undefined;
  /** The message without the address and the method. */
  readonly detail: string;
  constructor(address: string, failure: SessionFailure, detail: string, method?: string, options?: { cause?: unknown }) {
    super(`${address}: ${method ? `${method}: ` : ''}${detail}`,
      failure === 'closed' || failure === 'protocol' ? ExitCode.captureIncomplete : ExitCode.unreachable, options);
    this.address = address;
    this.failure = failure;
    this.method = method;
    this.detail = detail;
  }
}

/** How far a capture got before it failed. */
export interface CaptureExtent {
  bytes: number;
  /** Estimated size of the whole snapshot, once the first chunk has told node and edge counts. */
  estimatedBytes: number | undefined;
}

/** The snapshot did not arrive whole: the target died, the connection dropped, or we were cancelled (exit 4). */
export class CaptureIncompleteError extends HeapscopeError {
  readonly address: string;
  /** Why, without the address and the extent: e.g. `the target exited (its inspector no longer answers)`, `cancelled`. */
  readonly reason: string;
  readonly extent: CaptureExtent;
  constructor(address: string, reason: string, extent: CaptureExtent, options?: { cause?: unknown }) {
    super(`capture from ${address} incomplete: ${reason} (${describeExtent(extent)}; nothing was written)`,
      ExitCode.captureIncomplete, options);
    this.address = address;
    this.reason = reason;
    this.extent = extent;
  }
}

export function describeExtent({ bytes, estimatedBytes }: CaptureExtent): string {
  if (bytes === 0) return 'no snapshot data had arrived';
  const got = `received ${formatBytes(bytes)}`;
  if (!estimatedBytes) return got;
  const pct = Math.min(99, Math.floor((bytes / estimatedBytes) * 100));
  return `${got}, about ${pct}% of an estimated ${formatBytes(estimatedBytes)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/**
 * Titles and URLs come from the target, i.e. from whoever controls the page: control characters
 * (terminal escape sequences included) are shown as \xNN, never written raw to a terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
