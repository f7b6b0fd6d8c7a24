import type { SnapshotMeta, TargetDto } from '../../src/shared/contract.js';

export interface SnapshotGroup {
  key: string;
  title: string;
  /** Snapshots of one inspector session: the ones Comparison and Leaks can pair. */
  session: boolean;
  snapshots: SnapshotMeta[];
}

/**
 * The sidebar's grouping: by inspector session (V8 ids are only comparable within one, FACTS §3),
 * else by target, else by how the file came in. Groups keep the store's order (newest last).
 */
export function groupSnapshots(snapshots: readonly SnapshotMeta[]): SnapshotGroup[] {
  const byKey = new Map<string, SnapshotGroup>();
  for (const s of snapshots) {
    const key = s.sessionId ? `session:${s.sessionId}` : s.targetId ? `target:${s.targetId}` : `source:${s.source}`;
    let group = byKey.get(key);
    if (!group) {
      const title = s.targetTitle ?? (s.source === 'import' ? 'Imported files' : s.source === 'file' ? 'Opened files' : 'Snapshots');
      group = { key, title, session: Boolean(s.sessionId), snapshots: [] };
      byKey.set(key, group);
    }
    group.snapshots.push(s);
  }
  return [...byKey.values()];
}

/** The snapshots of one target (or of one way files came in), split by inspector session. */
export interface TargetGroup {
  /** `target:ID`, or `source:import` / `source:file` for snapshots that no target took. */
  key: string;
  title: string;
  targetId?: string;
  /** The target as this host knows it (attached now, or died/detached in this run); absent for a target of an earlier run. */
  target?: TargetDto;
  /** One per inspector session, oldest first; a target reattached (or reconnected) has several, and ids differ between them. */
  sessions: SnapshotGroup[];
}

/**
 * The sidebar's tree: each target's snapshots together (object ids are per process: Comparison,
 * Weak and Leaks work within one target), split by inspector session. Targets come in the host's
 * order (attach order), then targets of earlier runs (by their first snapshot), then files.
 */
export function groupByTarget(snapshots: readonly SnapshotMeta[], targets: readonly TargetDto[]): TargetGroup[] {
  const known = new Map(targets.map((t, i) => [t.targetId, { t, i }]));
  const groups = new Map<string, { group: TargetGroup; order: number; members: SnapshotMeta[] }>();
  let earlier = targets.length;
  for (const s of snapshots) {
    const key = s.targetId ? `target:${s.targetId}` : `source:${s.source}`;
    let entry = groups.get(key);
    if (!entry) {
      const hit = s.targetId ? known.get(s.targetId) : undefined;
      // Targets this host knows, in its order; then earlier runs' targets; files last (imports first).
      const order = hit ? hit.i : s.targetId ? earlier++ : 1e9 + (s.source === 'import' ? 0 : 1);
      const group: TargetGroup = { key, title: hit?.t.title ?? groupSnapshots([s])[0]!.title, sessions: [] };
      if (s.targetId) group.targetId = s.targetId;
      if (hit) group.target = hit.t;
      entry = { group, order, members: [] };
      groups.set(key, entry);
    }
    entry.members.push(s);
  }
  return [...groups.values()]
    .sort((a, b) => a.order - b.order)
    .map(({ group, members }) => ({ ...group, sessions: groupSnapshots(members) }));
}
