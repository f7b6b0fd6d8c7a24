import { describe, expect, it } from 'vitest';
import type { SnapshotMeta, TargetDto } from '../../src/shared/contract.js';
import { groupByTarget, groupSnapshots } from '../../renderer/lib/snapshot-groups.js';
import { shortTitle } from '../../renderer/lib/target-title.js';

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

function target(targetId: string, title: string, kind: string, state: TargetDto['state'] = 'attached'): TargetDto {
  return { targetId, title, kind, address: '127.0.0.1:9229', state, started: false };
}

describe('sidebar grouping by target', () => {
  const main = target('tMain', 'electron main', 'node');
  const page = target('tPage', 'Editor window', 'page', 'died');
  const list = [
    meta('old', { targetId: 'tGone', targetTitle: 'yesterday.js', sessionId: 'g1' }),
    meta('p1', { targetId: 'tPage', targetTitle: 'Editor', sessionId: 'P1' }),
    meta('i', { source: 'import' }),
    meta('m1', { targetId: 'tMain', targetTitle: 'main', sessionId: 'S1' }),
    meta('f', { source: 'file' }),
    meta('m2', { targetId: 'tMain', targetTitle: 'main', sessionId: 'S2' }),
    meta('p2', { targetId: 'tPage', targetTitle: 'Editor', sessionId: 'P1' }),
    meta('m3', { targetId: 'tMain', targetTitle: 'main', sessionId: 'S1' }),
  ];

  it('targets in the host\'s order, then targets of earlier runs, then imports and opened files; each target split by session', () => {
    const groups = groupByTarget(list, [main, page]);
    expect(groups.map((g) => [g.key, g.title, g.sessions.map((s) => s.snapshots.map((x) => x.snapshotId))])).toEqual([
      ['target:tMain', 'electron main', [['m1', 'm3'], ['m2']]],
      ['target:tPage', 'Editor window', [['p1', 'p2']]],
      ['target:tGone', 'yesterday.js', [['old']]],
      ['source:import', 'Imported files', [['i']]],
      ['source:file', 'Opened files', [['f']]],
    ]);
    // The host's TargetDto rides along (kind, state) for targets it knows; earlier ones have only their stored title.
    expect(groups[0]!.target).toEqual(main);
    expect(groups[1]!.target?.state).toBe('died');
    expect(groups[2]!.target).toBeUndefined();
    expect(groups[2]!.targetId).toBe('tGone');
    expect(groups[3]!.targetId).toBeUndefined();
    expect(groups[0]!.sessions.every((s) => s.session)).toBe(true);
    expect(groups[3]!.sessions[0]!.session).toBe(false);
  });

  it('targets without snapshots make no group; no snapshots, no groups', () => {
    expect(groupByTarget([meta('i', { source: 'import' })], [main, page]).map((g) => g.key)).toEqual(['source:import']);
    expect(groupByTarget([], [main])).toEqual([]);
  });

  it('two targets captured at once: one group each, in attach order whatever the store order', () => {
    const both = [meta('b', { targetId: 'tPage', sessionId: 'P1' }), meta('a', { targetId: 'tMain', sessionId: 'S1' })];
    expect(groupByTarget(both, [main, page]).map((g) => g.sessions[0]!.snapshots[0]!.snapshotId)).toEqual(['a', 'b']);
  });
});

describe('target titles in the sidebar', () => {
  it('a script path shows its file name (Node titles its process by it); anything else as it is', () => {
    expect(shortTitle('/work/main/fixtures/targets/listener-leak.mjs')).toBe('listener-leak.mjs');
    expect(shortTitle('file:///home/me/app/main.js')).toBe('main.js');
    expect(shortTitle('C:\\app\\main.js')).toBe('main.js');
    expect(shortTitle('/srv/app/')).toBe('app');
    expect(shortTitle('heapscope fixture: detached rows')).toBe('heapscope fixture: detached rows');
    expect(shortTitle('node /srv/app/server.js --port 1')).toBe('node /srv/app/server.js --port 1');
    expect(shortTitle('https://example.com/a/b')).toBe('https://example.com/a/b');
    expect(shortTitle('/')).toBe('/');
  });
});
