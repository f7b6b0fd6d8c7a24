/**
 * The snapshot pickers of Comparison, Weak references and Leaks: the current snapshot's session
 * first, then its target's other sessions, other targets, files; and the words said when a pick
 * mixes targets or sessions.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotMeta, TargetDto } from '../../src/shared/contract.js';
import { byCreated, pairProblem, pickerGroups, pickerOrder, relation, tripleMix } from '../../renderer/lib/snapshot-picks.js';

function snap(snapshotId: string, createdAt: string, extra: Partial<SnapshotMeta> = {}): SnapshotMeta {
  return { snapshotId, name: snapshotId, createdAt, bytes: 1, source: extra.targetId ? 'capture' : 'file', loaded: false, ...extra };
}
function target(targetId: string, title: string, kind: string): TargetDto {
  return { targetId, title, kind, address: '127.0.0.1:9229', state: 'attached', started: false };
}

const main = { targetId: 'tMain', targetTitle: 'electron main' };
const page = { targetId: 'tPage', targetTitle: 'Editor window' };
const targets = [target('tMain', 'electron main', 'node'), target('tPage', 'Editor window', 'page')];
// Store order is not createdAt order on purpose: the pickers sort by time.
const list = [
  snap('m2', '2026-01-01T00:00:03Z', { ...main, sessionId: 'S1' }),
  snap('p1', '2026-01-01T00:00:01Z', { ...page, sessionId: 'P1' }),
  snap('m1', '2026-01-01T00:00:01Z', { ...main, sessionId: 'S1' }),
  snap('file', '2026-01-01T00:00:00Z'),
  snap('m0', '2026-01-01T00:00:00Z', { ...main, sessionId: 'S0' }),
  snap('p2', '2026-01-01T00:00:03Z', { ...page, sessionId: 'P1' }),
  snap('imp', '2026-01-01T00:00:05Z', { source: 'import' }),
  snap('m3', '2026-01-01T00:00:04Z', { ...main, sessionId: 'S1' }),
];

describe('picker order', () => {
  it('same session, then the target\'s other sessions, then other targets, then files; never the anchor', () => {
    const groups = pickerGroups(list, 'm2', targets);
    expect(groups.map((g) => [g.relation, g.snapshots.map((s) => s.snapshotId)])).toEqual([
      ['session', ['m1', 'm3']],
      ['target', ['m0']],
      ['other-target', ['p1', 'p2']],
      ['file', ['file']],
      ['file', ['imp']],
    ]);
    expect(groups.map((g) => g.label)).toEqual([
      'Same session, comparable: electron main (node)',
      'Other sessions of electron main (node) (ids renumbered: not comparable)',
      'Other target: Editor window (page) (not comparable)',
      'Opened files',
      'Imported files',
    ]);
    expect(pickerOrder(groups)).toEqual(['m1', 'm3', 'm0', 'p1', 'p2', 'file', 'imp']);
  });

  it('anchored on a page: its own snapshots first, the Node main after', () => {
    expect(pickerOrder(pickerGroups(list, 'p2', targets))).toEqual(['p1', 'm0', 'm1', 'm2', 'm3', 'file', 'imp']);
  });

  it('a file as anchor: other files first (nothing says which pair), then each target', () => {
    const groups = pickerGroups(list, 'file', targets);
    expect(groups.map((g) => g.key)).toEqual(['source:import', 'target:tMain', 'target:tPage']);
    expect(pickerOrder(groups)).toEqual(['imp', 'm0', 'm1', 'm2', 'm3', 'p1', 'p2']);
  });

  it('Leaks offers every snapshot (exclude nothing); a target no longer listed keeps its stored title', () => {
    const groups = pickerGroups(list, 'm1', [], []);
    expect(groups[0]).toMatchObject({ relation: 'session', label: 'Same session, comparable: electron main' });
    expect(groups[0]!.snapshots.map((s) => s.snapshotId)).toEqual(['m1', 'm2', 'm3']);
    expect(pickerOrder(groups)).toHaveLength(list.length);
  });

  it('no snapshots, or only the anchor: no groups', () => {
    expect(pickerGroups([], undefined, targets)).toEqual([]);
    expect(pickerGroups([list[0]!], 'm2', targets)).toEqual([]);
  });

  it('relations and time order', () => {
    const [m2, p1, m1, file, m0] = list;
    expect(relation(m2, m1!)).toBe('session');
    expect(relation(m2, m0!)).toBe('target');
    expect(relation(m2, p1!)).toBe('other-target');
    expect(relation(m2, file!)).toBe('file');
    expect(relation(undefined, m2!)).toBe('file');
    expect(byCreated(list).map((s) => s.snapshotId)).toEqual(['file', 'm0', 'p1', 'm1', 'm2', 'p2', 'm3', 'imp']);
  });
});

describe('mixed picks, said plainly', () => {
  const by = (id: string) => list.find((s) => s.snapshotId === id);

  it('two targets: names both snapshots and both targets with their kinds, and what to do', () => {
    const text = pairProblem(by('m1'), by('p1'), targets)!;
    expect(text).toContain('“m1” is a snapshot of electron main (node) and “p1” of Editor window (page)');
    expect(text).toMatch(/number their objects independently/);
    expect(text).toMatch(/Pick snapshots of one target, taken in one session\.$/);
  });

  it('one target, two sessions', () => {
    expect(pairProblem(by('m0'), by('m3'), targets)).toMatch(/both of electron main \(node\), but from different inspector sessions/);
  });

  it('nothing to say for one session, for files (the engine judges from ids), or half a pick', () => {
    expect(pairProblem(by('m1'), by('m3'), targets)).toBeUndefined();
    expect(pairProblem(by('file'), by('m3'), targets)).toBeUndefined();
    expect(pairProblem(by('m1'), undefined, targets)).toBeUndefined();
    expect(pairProblem(by('m1'), by('m1'), targets)).toBeUndefined();
  });

  it('Leaks: the first pair of the three that mixes', () => {
    expect(tripleMix([by('m1'), by('m2'), by('m3')], targets)).toBeUndefined();
    expect(tripleMix([by('m1'), by('m2'), by('p2')], targets)).toMatch(/“m1” is a snapshot of electron main \(node\) and “p2” of Editor window/);
    expect(tripleMix([by('m1'), undefined, by('p2')], targets)).toMatch(/“m1”.*“p2”/);
  });

  it('names from the heap side are clipped to one line', () => {
    const long = snap('x', '2026-01-01T00:00:09Z', { ...page, sessionId: 'P1', name: `a\nb${'c'.repeat(100)}` });
    const text = pairProblem(by('m1'), long, targets)!;
    expect(text).not.toContain('\n');
    expect(text).toContain('“a bccc');
    expect(text).toContain('…”');
  });
});
