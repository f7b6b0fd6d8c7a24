import type { SnapshotMeta } from '../../src/shared/contract.js';

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
