/** Which three snapshots the Leaks view starts with (the pickers' order: snapshot-picks.test.ts). */
import { describe, expect, it } from 'vitest';
import type { SnapshotMeta } from '../../src/shared/contract.js';
import { byCreated } from '../../renderer/lib/snapshot-picks.js';
import { defaultTriple, tripleProblem } from '../../renderer/views/leaks/pick.js';

function snap(snapshotId: string, createdAt: string, sessionId?: string): SnapshotMeta {
  return { snapshotId, name: snapshotId, createdAt, bytes: 1, source: sessionId ? 'capture' : 'file', sessionId, loaded: false };
}

const demo = [
  snap('old1', '2026-01-01T00:00:01Z', 'S0'),
  snap('final', '2026-01-02T00:00:03Z', 'S1'),
  snap('baseline', '2026-01-02T00:00:01Z', 'S1'),
  snap('target', '2026-01-02T00:00:02Z', 'S1'),
  snap('lone', '2026-01-03T00:00:00Z', 'S2'),
  snap('file', '2026-01-04T00:00:00Z'),
];

describe('leaks: default baseline/target/final', () => {
  it('three of one session in createdAt order, the session with the newest snapshot among those with three', () => {
    expect(defaultTriple(demo, {})).toEqual({ baseline: 'baseline', target: 'target', final: 'final' });
  });

  it('app.leaks wins while its three snapshots exist', () => {
    expect(defaultTriple(demo, { baseline: 'old1', target: 'lone', final: 'file' })).toEqual({ baseline: 'old1', target: 'lone', final: 'file' });
    expect(defaultTriple(demo, { baseline: 'gone', target: 'lone', final: 'file' })).toEqual({ baseline: 'baseline', target: 'target', final: 'final' });
  });

  it('files opened from disk (no session): the three newest, oldest first; fewer than three: nothing', () => {
    const files = [snap('c', '2026-01-03T00:00:00Z'), snap('a', '2026-01-01T00:00:00Z'), snap('b', '2026-01-02T00:00:00Z'), snap('d', '2026-01-04T00:00:00Z')];
    expect(defaultTriple(files, {})).toEqual({ baseline: 'b', target: 'c', final: 'd' });
    expect(defaultTriple(files.slice(0, 2), {})).toEqual({});
  });

  it('equal times keep the store\'s order', () => {
    const same = ['x', 'y', 'z'].map((id) => snap(id, '2026-01-01T00:00:00Z'));
    expect(byCreated(same).map((s) => s.snapshotId)).toEqual(['x', 'y', 'z']);
    expect(defaultTriple(same, {})).toEqual({ baseline: 'x', target: 'y', final: 'z' });
  });

  it('the current snapshot\'s session wins when it has three (several targets: the one being looked at)', () => {
    const two = [...demo, snap('o1', '2026-01-01T00:00:02Z', 'S0'), snap('o2', '2026-01-01T00:00:03Z', 'S0')];
    expect(defaultTriple(two, {}, 'o1')).toEqual({ baseline: 'old1', target: 'o1', final: 'o2' });
    expect(defaultTriple(two, {}, 'final')).toEqual({ baseline: 'baseline', target: 'target', final: 'final' });
    // Fewer than three in its session: the newest session with three, as without a current snapshot.
    expect(defaultTriple(two, {}, 'lone')).toEqual({ baseline: 'baseline', target: 'target', final: 'final' });
  });

  it('Run needs three distinct snapshots', () => {
    expect(tripleProblem({ baseline: 'a', target: 'b' })).toMatch(/Pick a baseline/);
    expect(tripleProblem({ baseline: 'a', target: 'b', final: 'a' })).toMatch(/three different/);
    expect(tripleProblem({ baseline: 'a', target: 'b', final: 'c' })).toBeUndefined();
  });
});
