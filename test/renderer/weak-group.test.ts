/**
 * The Weak references view groups what it fetched the way `heapscope weak` prints it: the same
 * sections (holder kind · status), the same groups (class, cause, path shape) with the same counts
 * and sizes, in the same order. Rows come from the real analysis on a real snapshot (fixtures) and
 * on heaps built in code, with `shape` added as the engine adds it; the CLI's text is the reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPath } from '../../src/analysis/paths.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { weakReport, type WeakReport } from '../../src/analysis/weak.js';
import { renderWeakText } from '../../src/cli/weak-text.js';
import type { WeakTargetRow } from '../../src/shared/contract.js';
import { groupShells, groupTargets, kindOf, shownCounts, statusOf, type Grouped } from '../../renderer/views/weak/group.js';
import { clip } from '../../renderer/views/weak/text.js';
import { formatBytes } from '../../src/cli/format.js';
import { WeakWorld } from '../helpers/weak-world.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-renderer-weak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the engine sends for each target of `weak.report` (engine.ts adds the shape line). */
function rows(report: WeakReport): WeakTargetRow[] {
  return report.targets.map((t) => ({ ...t, shape: t.reachability === 'strong' ? formatPath(t.retainerPath, { shape: true }) : '' }));
}

/** The CLI's sections as [header, group lines], with each group line cut to `N × Name  size`. */
function cliSections(text: string): Array<{ head: string; groups: string[] }> {
  const out: Array<{ head: string; groups: string[] }> = [];
  for (const line of text.split('\n')) {
    const head = /^(\w+) · ([\w-]+): /.exec(line);
    if (head) out.push({ head: `${head[1]} · ${head[2]}`, groups: [] });
    else if (line.startsWith('Dead WeakRefs')) break;
    const group = /^ {2}(\d+) × (.*?) {2}(\d[\d.]* k?B)/.exec(line);
    if (group && out.length > 0) out.at(-1)!.groups.push(`${group[1]} × ${group[2]}  ${group[3]}`);
  }
  return out;
}

function viewSections(g: Grouped): Array<{ head: string; groups: string[] }> {
  return g.sections.map((s) => ({
    head: `${s.kind} · ${s.status}`,
    groups: s.groups.map((x) => `${x.targets.length} × ${clip(x.name)}  ${formatBytes(x.retainedSize)}`),
  }));
}

/** The bus app of test/cli/weak.test.ts: Widgets a WeakMap knows, captured by listeners; a loose WeakRef target; Node's own WeakRef. */
function busApp(after: boolean): string {
  const w = new WeakWorld();
  const nodeScope = w.scope('node:diagnostics_channel', 'channel');
  const safe = w.safeClass('WeakRef');
  const scope = w.scope('file:///app/main.mjs', 'main');
  const channel = w.node('Channel', 48, 3301);
  w.b.edge(nodeScope.context, 'context', 'channel', channel).edge(nodeScope.context, 'context', 'ref', w.weakRef(channel, { proto: safe, id: 3303 }));
  const { holder: meta, table } = w.collection('WeakMap', { id: 3001 });
  const bus = w.node('EventEmitter', 24, 3005);
  const listeners = w.b.node('object', 'Array', 16, { id: 3007 });
  w.b.edge(scope.context, 'context', 'widgetMeta', meta).edge(scope.context, 'context', 'bus', bus).edge(bus, 'property', 'listeners', listeners);
  const shared = w.b.node('code', '', 32, { id: 3009 });
  const count = after ? 3 : 1;
  for (let i = 0; i < count; i++) {
    const ctx = w.node('system / Context', 32, 4001 + 100 * i);
    const fn = w.b.node('closure', '', 32, { id: 4003 + 100 * i });
    w.b.edge(fn, 'internal', 'shared', shared).edge(fn, 'internal', 'context', ctx);
    const widget = w.node('Widget\u001b[31mEvil', 100, 4005 + 100 * i);
    const value = w.node('WidgetMeta', 50, 4007 + 100 * i);
    w.b.edge(listeners, 'element', i, fn).edge(ctx, 'context', 'widget', widget);
    w.b.weakMapEntry(table, widget, value, 3 + 2 * i);
  }
  if (!after) {
    const loose = w.node('Loose\u001b[2J\nline', 10, 3201);
    w.b.edge(scope.context, 'context', 'ref', w.weakRef(loose, { id: 3203 }));
  } else {
    w.b.edge(scope.context, 'context', 'ref', w.weakRef(undefined, { id: 3203 }));
  }
  return w.b.write(path.join(dir, `bus-${after ? 'after' : 'before'}.heapsnapshot`));
}

describe('weak grouping: the same sections and groups as `heapscope weak`', () => {
  it('a real snapshot (finalization-tempdir): FinalizationRegistry · strong, three shapes, the held-value traps apart', async () => {
    const snap = await LoadedSnapshot.load('fixtures/snapshots/finalization-tempdir.heapsnapshot.gz');
    const report = weakReport(snap);
    const grouped = groupTargets(rows(report), { paired: false, showInternal: false });
    const cli = cliSections(renderWeakText(report, { all: false, top: 0, fullPaths: false }));
    expect(viewSections(grouped)).toEqual(cli);
    expect(cli.length).toBeGreaterThan(0);
    const section = grouped.sections.find((s) => s.kind === 'FinalizationRegistry' && s.status === 'strong')!;
    expect(section.groups.map((g) => g.targets.length)).toEqual([3, 1, 1]);
    expect(section.groups.map((g) => g.cause ?? null)).toEqual([null, 'finalization-held-value', 'finalization-held-value']);
    expect(section.groups[0]!.shape).toMatch(/context\.openWorkspaces → Array\[\] → TempWorkspace$/);
    // Node's own targets are counted, not shown; with the toggle they join, as with --all.
    expect(grouped.hidden).toBe(report.targets.filter((t) => t.internal).length);
    expect(grouped.hidden).toBeGreaterThan(0);
    const all = groupTargets(rows(report), { paired: false, showInternal: true });
    expect(all.hidden).toBe(0);
    expect(viewSections(all)).toEqual(cliSections(renderWeakText(report, { all: true, top: 0, fullPaths: false })));
  });

  it('a pair: released, kept and new sections in the CLI\'s order; new Widgets that differ by index share a group', async () => {
    const [a, b] = await Promise.all([LoadedSnapshot.load(busApp(false)), LoadedSnapshot.load(busApp(true))]);
    const report = weakReport(a, b);
    const grouped = groupTargets(rows(report), { paired: true, showInternal: false });
    expect(viewSections(grouped)).toEqual(cliSections(renderWeakText(report, { all: false, top: 0, fullPaths: false })));
    expect(grouped.sections.map((s) => `${s.kind} · ${s.status}`)).toEqual(['WeakRef · released', 'WeakMap · kept', 'WeakMap · new']);
    const fresh = grouped.sections.find((s) => s.status === 'new')!;
    expect(fresh.groups).toHaveLength(1);
    expect(fresh.groups[0]!.targets.map((t) => t.id).sort()).toEqual([4105, 4205]);
    expect(fresh.count).toBe(2);
    expect(fresh.retainedSize).toBe(300);
    // Released targets need no path: grouped by class alone.
    expect(grouped.sections[0]!.groups[0]).toMatchObject({ name: 'Loose\u001b[2J\nline', shape: '' });
    expect(grouped.hidden).toBe(1);
    // The header counts what is shown, as the CLI's headline does; with Node's own, the engine's counts.
    const text = renderWeakText(report, { all: false, top: 0, fullPaths: false });
    const c = shownCounts(rows(report), false);
    expect(text).toContain(`4 weak targets: ${c.released} released, ${c.kept} kept, ${c.new} new  (${c.hidden} more belong to Node itself`);
    const { hidden, ...all } = shownCounts(rows(report), true);
    expect(hidden).toBe(0);
    expect(all).toEqual(report.counts);

    // Without the pair the same rows group by reachability.
    const single = groupTargets(rows(weakReport(b)), { paired: false, showInternal: false });
    expect(single.sections.map((s) => `${s.kind} · ${s.status}`)).toEqual(['WeakMap · strong']);
    expect(single.sections[0]!.groups.map((g) => g.targets.length)).toEqual([3]);
  });

  it('paths that differ only in how long a run is (a FinalizationRegistry\'s cell list) share a group, as in the CLI', async () => {
    const w = new WeakWorld();
    const scope = w.scope('file:///app/files.mjs', 'files');
    const registry = w.registry();
    w.b.edge(scope.context, 'context', 'handleRegistry', registry);
    let previous: ReturnType<WeakWorld['node']> | undefined;
    for (let i = 0; i < 4; i++) {
      const handle = w.node('FileHandle', 100);
      const held = w.node('Object', 16);
      w.b.edge(held, 'property', 'handle', handle);
      previous = w.cell(registry, handle, held, previous ? { after: previous } : {});
    }
    const report = weakReport(await LoadedSnapshot.load(w.b.write(path.join(dir, 'cells.heapsnapshot'))));
    const withShapes = rows(report);
    expect(new Set(withShapes.map((r) => r.shape)).size).toBeGreaterThan(1);
    const grouped = groupTargets(withShapes, { paired: false, showInternal: false });
    expect(viewSections(grouped)).toEqual(cliSections(renderWeakText(report, { all: false, top: 0, fullPaths: false })));
    expect(grouped.sections[0]!.groups).toHaveLength(1);
    // The line shown is the deepest member's, whose run reads `…`.
    expect(grouped.sections[0]!.groups[0]!.shape).toContain('…');
  });

  it('status and kind of a row: the pair\'s status, else reachability; the program\'s holder before Node\'s', () => {
    const row = (over: Partial<WeakTargetRow>): WeakTargetRow => ({
      id: 1, name: 'X', type: 'object', selfSize: 1, retainedSize: 1, holders: [], reachability: 'strong', retainerPath: [], internal: false, shape: '', ...over,
    });
    expect(statusOf(row({ status: 'kept' }), true)).toBe('kept');
    expect(statusOf(row({ status: 'kept' }), false)).toBe('strong');
    expect(statusOf(row({ reachability: 'weak-only' }), false)).toBe('weak-only');
    expect(kindOf(row({ holders: [{ kind: 'WeakRef', id: 3, internal: true }, { kind: 'WeakSet', id: 5, internal: false }] }))).toBe('WeakSet');
    expect(kindOf(row({ holders: [{ kind: 'FinalizationRegistry', id: 3, internal: true }] }))).toBe('FinalizationRegistry');
  });
});

describe('weak shells grouping', () => {
  it('a Map of WeakRefs whose targets died: one cluster per holder shape, with the count before and now', async () => {
    const build = (dead: number, name: string) => {
      const w = new WeakWorld();
      const cache = w.node('Map', 32, 5001);
      const table = w.b.node('array', '', 64, { id: 5003 });
      w.b.edge(w.global, 'property', 'loggers', cache).edge(cache, 'internal', 'table', table);
      for (let i = 0; i < dead; i++) w.b.edge(table, 'internal', String(2 * i + 1), w.weakRef(undefined, { id: 6001 + 2 * i }));
      // A second holder of another class: its own cluster.
      const tree = w.node('TreeNode', 32, 7001);
      w.b.edge(w.global, 'property', 'root', tree).edge(tree, 'property', 'parent', w.weakRef(undefined, { id: 7003 }));
      return w.b.write(path.join(dir, `shells-${name}.heapsnapshot`));
    };
    const [a, b] = await Promise.all([LoadedSnapshot.load(build(2, 'a')), LoadedSnapshot.load(build(5, 'b'))]);
    const report = weakReport(a, b);
    const clusters = groupShells(report.shells, false);
    expect(clusters.map((c) => [c.holderName, c.count, c.before])).toEqual([['Map', 5, 2], ['TreeNode', 1, 1]]);
    expect(clusters[0]!.retainerPath.at(-1)).toMatchObject({ id: 5001, name: 'Map' });
    const text = renderWeakText(report, { all: false, top: 0, fullPaths: false });
    expect(text).toContain('5 in Map @5001');
    expect(text).toContain('(was 2: +3)');
    // One snapshot: no before.
    expect(groupShells(weakReport(b).shells, false).map((c) => c.before)).toEqual([undefined, undefined]);
  });

  it('shells of Node\'s own holders are hidden unless asked for; holders with one path shape share a cluster', () => {
    const shell = (holderId: number, internal: boolean, index: string) => ({
      holderId, holderName: 'TreeNode', count: 1, via: '.parent', ids: [holderId + 2], internal,
      retainerPath: [
        { id: 1, name: 'Window', type: 'object', edge: null },
        { id: 3, name: 'Array', type: 'object', edge: 'nodes', edgeType: 'property' },
        { id: holderId, name: 'TreeNode', type: 'object', edge: index, edgeType: 'element' },
      ],
    });
    const shells = [shell(11, false, '0'), shell(21, false, '1'), shell(31, true, '2')];
    expect(groupShells(shells, false).map((c) => [c.holders.length, c.count])).toEqual([[2, 2]]);
    expect(groupShells(shells, true).map((c) => [c.holders.length, c.internal])).toEqual([[2, false], [1, true]]);
  });
});
