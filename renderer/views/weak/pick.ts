/**
 * The Weak references view's "compare with" picker: an AFTER snapshot must come from the same
 * inspector session as the current one (ids are renumbered in a new session), so those come first.
 */
import type { SnapshotId, SnapshotMeta } from '../../../src/shared/contract.js';
import { byCreated } from '../leaks/pick.js';

export interface AfterChoices {
  sameSession: SnapshotMeta[];
  others: SnapshotMeta[];
}

/** Every snapshot but the current one: those of its session (createdAt order), then the rest. */
export function afterChoices(snapshots: readonly SnapshotMeta[], current: SnapshotId | undefined): AfterChoices {
  const cur = snapshots.find((s) => s.snapshotId === current);
  const rest = byCreated(snapshots).filter((s) => s.snapshotId !== current);
  if (cur?.sessionId === undefined) return { sameSession: [], others: rest };
  return {
    sameSession: rest.filter((s) => s.sessionId === cur.sessionId),
    others: rest.filter((s) => s.sessionId !== cur.sessionId),
  };
}
