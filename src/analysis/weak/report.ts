import { assertComparable, matchSnapshots } from '../match.js';
import type { LoadedSnapshot } from '../snapshot.js';
import { SnapshotWeakRefs } from './analyze.js';
import type { WeakCounts, WeakReport, WeakShellGroupDto, WeakTargetDto } from './types.js';

/**
 * `heapscope weak SNAPSHOT [AFTER]` as data (CONTRACT.md `weak --json`).
 *
 * One snapshot: every weak target with its holders, `strong` (and the shortest strong path) or
 * `weak-only`. Two snapshots of one session: targets of both, each listed once: `released` (a
 * target of SNAPSHOT gone from AFTER; fields describe SNAPSHOT), `kept` (the object is in both;
 * fields describe AFTER) or `new` (a target only in AFTER). Snapshots whose ids cannot be matched
 * (two processes, or a closed inspector session in between) are refused by assertComparable.
 */
export function weakReport(snapshot: LoadedSnapshot, after?: LoadedSnapshot): WeakReport {
  const a = new SnapshotWeakRefs(snapshot);
  if (!after) {
    const targets = [...a.targets].map(([o, links]) => a.targetDto(o, a.holderDtos(links)));
    const shells = [...a.shellGroups.values()].map((g) => a.shellDto(g));
    return finish(snapshot.file, null, targets, shells);
  }

  const match = matchSnapshots(snapshot, after);
  assertComparable(snapshot, after, match);
  const b = new SnapshotWeakRefs(after);
  const targets: WeakTargetDto[] = [];
  for (const [ob, links] of b.targets) {
    const oa = match.beforeOf[ob]!;
    targets.push(b.targetDto(ob, b.holderDtos(links), oa >= 0 && a.targets.has(oa) ? 'kept' : 'new'));
  }
  for (const [oa, links] of a.targets) {
    const ob = match.afterOf[oa]!;
    if (ob >= 0 && b.targets.has(ob)) continue; // listed above as kept
    if (ob < 0) {
      targets.push(a.targetDto(oa, a.holderDtos(links), 'released'));
    } else {
      // Alive in AFTER but no weak reference points at it any more (deleted from its WeakMap,
      // unregistered, or its WeakRef dropped): not released. Its holders are SNAPSHOT's.
      targets.push({ ...b.targetDto(ob, a.holderDtos(links), 'kept'), unheld: true });
    }
  }
  const shells = [...b.shellGroups.values()].map((g) => {
    const dto = b.shellDto(g);
    const oa = match.beforeOf[g.holder]!;
    dto.before = oa >= 0 ? (a.shellGroups.get(oa)?.count ?? 0) : 0;
    return dto;
  });
  return finish(snapshot.file, after.file, targets, shells);
}

function finish(snapshot: string, after: string | null, targets: WeakTargetDto[], shells: WeakShellGroupDto[]): WeakReport {
  targets.sort((x, y) => y.retainedSize - x.retainedSize || x.id - y.id);
  shells.sort((x, y) => y.count - x.count || x.holderId - y.holderId);
  const counts: WeakCounts = { strong: 0, 'weak-only': 0, released: 0, kept: 0, new: 0 };
  for (const t of targets) {
    counts[t.reachability]++;
    if (t.status) counts[t.status]++;
  }
  return { snapshot, after, targets, counts, shells };
}
