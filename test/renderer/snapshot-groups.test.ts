import { describe, expect, it } from 'vitest';
import type { SnapshotMeta } from '../../src/shared/contract.js';
import { groupSnapshots } from '../../renderer/lib/snapshot-groups.js';

function meta(id: string, extra: Partial<SnapshotMeta>): SnapshotMeta {
  return { snapshotId: id, name: id, createdAt: '2026-01-01T00:00:00Z', bytes: 1, source: 'capture', loaded: false, ...extra };
}

describe('sidebar grouping', () => {
  it('groups by session first, then target, then source, in store order', () => {
    const list = [
      meta('a', { targetId: 't1', targetTitle: 'app.js', sessionId: 's1' }),
      meta('i', { source: 'import' }),
      meta('b', { targetId: 't1', targetTitle: 'app.js', sessionId: 's2' }),
      meta('c', { targetId: 't1', targetTitle: 'app.js', sessionId: 's1' }),
      meta('f', { source: 'file' }),
      meta('j', { source: 'import' }),
    ];
    const groups = groupSnapshots(list);
    expect(groups.map((g) => [g.title, g.session, g.snapshots.map((s) => s.snapshotId)])).toEqual([
      ['app.js', true, ['a', 'c']],
      ['Imported files', false, ['i', 'j']],
      ['app.js', true, ['b']],
      ['Opened files', false, ['f']],
    ]);
    expect(groupSnapshots([])).toEqual([]);
  });
});
