/**
 * Which three snapshots the Leaks view starts with. Object ids are only comparable within one
 * inspector session (V8 renumbers objects in a new one), so the default is three snapshots of one
 * session, oldest first: the demo's baseline, target and final.
 */
import type { SnapshotId, SnapshotMeta } from '../../../src/shared/contract.js';
import { byCreated } from '../../lib/snapshot-picks.js';

export interface Triple {
  baseline?: SnapshotId;
  target?: SnapshotId;
  final?: SnapshotId;
}

/**
 * `chosen` (app.leaks) when all three still exist; else the three newest snapshots of the current
 * snapshot's session when it has three or more (with several targets, the one being looked at);
 * else of the session with the most recent snapshot among those with three or more; else (files
 * opened from disk carry no session) the three newest of all. Always in createdAt order.
 */
export function defaultTriple(snapshots: readonly SnapshotMeta[], chosen: Triple, current?: SnapshotId): Triple {
  const exists = (id: SnapshotId | undefined) => id !== undefined && snapshots.some((s) => s.snapshotId === id);
  if (exists(chosen.baseline) && exists(chosen.target) && exists(chosen.final)) {
    return { baseline: chosen.baseline, target: chosen.target, final: chosen.final };
  }
  const sorted = byCreated(snapshots);
  const sessions = new Map<string, SnapshotMeta[]>();
  for (const s of sorted) {
    if (s.sessionId === undefined) continue;
    const list = sessions.get(s.sessionId) ?? [];
    list.push(s);
    sessions.set(s.sessionId, list);
  }
  let newest: SnapshotMeta[] | undefined;
  for (const list of sessions.values()) {
    if (list.length < 3) continue;
    if (!newest || list.at(-1)!.createdAt > newest.at(-1)!.createdAt) newest = list;
  }
  const own = snapshots.find((s) => s.snapshotId === current)?.sessionId;
  const ownList = own !== undefined ? sessions.get(own) : undefined;
  const best = ownList && ownList.length >= 3 ? ownList : newest;
  const three = (best ?? sorted).slice(-3);
  if (three.length < 3) return {};
  return { baseline: three[0]!.snapshotId, target: three[1]!.snapshotId, final: three[2]!.snapshotId };
}

/**
 * Why Run cannot start yet, or undefined. Snapshots of different sessions are left to the engine,
 * which judges comparability from the ids themselves and says why in its error.
 */
export function tripleProblem(t: Triple): string | undefined {
  if (!t.baseline || !t.target || !t.final) return 'Pick a baseline, a target and a final snapshot.';
  if (new Set([t.baseline, t.target, t.final]).size < 3) return 'Pick three different snapshots.';
  return undefined;
}
