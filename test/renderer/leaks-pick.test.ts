/** Which snapshots the Leaks view and the Weak view's "compare with" picker offer first. */
import { describe, expect, it } from 'vitest';
import type { SnapshotMeta } from '../../src/shared/contract.js';
import { byCreated, defaultTriple, tripleProblem } from '../../renderer/views/leaks/pick.js';
import { afterChoices } from '../../renderer/views/weak/pick.js';

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

  it('Run needs three distinct snapshots', () => {
    expect(tripleProblem({ baseline: 'a', target: 'b' })).toMatch(/Pick a baseline/);
    expect(tripleProblem({ baseline: 'a', target: 'b', final: 'a' })).toMatch(/three different/);
    expect(tripleProblem({ baseline: 'a', target: 'b', final: 'c' })).toBeUndefined();
  });
});

describe('weak: "compare with" choices', () => {
  it('the current snapshot\'s session first, then the rest; never the current one', () => {
    const c = afterChoices(demo, 'baseline');
    expect(c.sameSession.map((s) => s.snapshotId)).toEqual(['target', 'final']);
    expect(c.others.map((s) => s.snapshotId)).toEqual(['old1', 'lone', 'file']);
  });

  it('a snapshot without a session: everything else, oldest first', () => {
    const c = afterChoices(demo, 'file');
    expect(c.sameSession).toEqual([]);
    expect(c.others.map((s) => s.snapshotId)).toEqual(['old1', 'baseline', 'target', 'final', 'lone']);
  });
});
