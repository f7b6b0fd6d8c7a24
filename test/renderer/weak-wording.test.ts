/**
 * The Weak view's sentences and path labels: the why line says what the CLI's says, causes and
 * statuses have their one plain sentence, and paths are drawn, collapsed and grouped by the rules
 * of src/analysis/paths.ts (checked on real paths from the fixtures).
 */
import { describe, expect, it } from 'vitest';
import { formatPath, pathShape, type Step } from '../../src/analysis/paths.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { weakReport } from '../../src/analysis/weak.js';
import { renderWeakText } from '../../src/cli/weak-text.js';
import { groupTargets, kindOf, STATUS_ORDER } from '../../renderer/views/weak/group.js';
import { chainItems, chainText, edgeLabel, HEAD_STEPS, shapeKey, shapeLine, stepLabel, TAIL_STEPS } from '../../renderer/views/weak/path.js';
import { clip, oneLine } from '../../renderer/views/weak/text.js';
import { causeLabel, lastLink, shellAdvice, shellGrowth, STATUS_LEGEND, whyKept } from '../../renderer/views/weak/wording.js';
import type { ShellCluster } from '../../renderer/views/weak/group.js';

const fixture = LoadedSnapshot.load('fixtures/snapshots/finalization-tempdir.heapsnapshot.gz');

describe('weak wording', () => {
  it('the why sentence of every kept group is the CLI\'s why line (real snapshot)', async () => {
    const report = weakReport(await fixture);
    const text = renderWeakText(report, { all: true, top: 0, fullPaths: false });
    const cliWhy = text.split('\n').filter((l) => l.startsWith('      why: ')).map((l) => l.slice('      why: '.length));
    const rows = report.targets.map((t) => ({ ...t, shape: formatPath(t.retainerPath, { shape: true }) }));
    const grouped = groupTargets(rows, { paired: false, showInternal: true });
    const mine = grouped.sections.flatMap((s) => s.groups.filter((g) => g.targets[0]!.reachability === 'strong').map((g) => whyKept(g.targets[0]!, s.kind)));
    expect(mine).toHaveLength(cliWhy.length);
    mine.forEach((sentence, i) => {
      const cli = cliWhy[i]!;
      if (sentence.startsWith('Held by its own FinalizationRegistry held value')) {
        expect(cli).toMatch(/^the registry's held value references the target/);
        expect(sentence).toContain('the registry itself keeps it alive and the cleanup never runs');
      } else {
        expect(sentence).toBe(cli.charAt(0).toUpperCase() + cli.slice(1));
      }
    });
    expect(mine.some((s) => s.includes('module variable openWorkspaces[]'))).toBe(true);
  });

  it('causes and statuses in plain words', () => {
    expect(causeLabel('finalization-held-value')).toBe('held by its own FinalizationRegistry held value');
    expect(causeLabel('weakmap-value')).toBe('kept as a WeakMap value of a live key');
    expect(causeLabel(undefined)).toBe('');
    expect(STATUS_LEGEND.strong).toBe('something other than the weak reference keeps it alive: see the path.');
    for (const s of STATUS_ORDER) expect(STATUS_LEGEND[s]).toMatch(/^[a-z].*\.$/);
    const t = { id: 1, name: 'W', type: 'object', selfSize: 1, retainedSize: 1, reachability: 'strong' as const, internal: false, shape: '', retainerPath: [] };
    const withCause = { ...t, holders: [{ kind: 'WeakMap' as const, id: 2, internal: false }], cause: 'weakmap-value' as const };
    expect(whyKept(withCause, kindOf(withCause))).toMatch(/^Kept as a WeakMap value of a live key/);
  });

  it('lastLink names the nearest variable or property above the object', () => {
    const steps: Step[] = [
      { id: 1, name: 'system / Context', type: 'object', edge: null, module: 'file:///x/app.mjs' },
      { id: 3, name: 'Map', type: 'object', edge: 'cache', edgeType: 'context' },
      { id: 5, name: '', type: 'array', edge: 'table', edgeType: 'internal' },
      { id: 7, name: 'Session', type: 'object', edge: '4', edgeType: 'internal' },
    ];
    expect(lastLink(steps)).toBe('module variable cache[]');
    expect(lastLink(steps.slice(0, 1))).toBeUndefined();
  });

  it('shells: growth and advice', () => {
    const c = (count: number, holders: number, before?: number) => ({ count, before, holders: new Array(holders).fill({}) }) as unknown as ShellCluster;
    expect(shellGrowth(c(48, 1, 2))).toBe('2 → 48 (+46)');
    expect(shellGrowth(c(2, 1, 2))).toBe('2 → 2');
    expect(shellGrowth(c(2, 1))).toBe('');
    expect(shellAdvice(c(48, 1))).toMatch(/only grows/);
    expect(shellAdvice(c(3, 3))).toMatch(/harmless/);
  });
});

describe('paths for the panel', () => {
  const steps: Step[] = [
    { id: 1, name: 'system / Context', type: 'object', edge: null, module: 'file:///srv/app/listener-app.mjs?v=1' },
    { id: 3, name: 'EventEmitter', type: 'object', edge: 'bus', edgeType: 'context' },
    { id: 5, name: 'Object', type: 'object', edge: '_events', edgeType: 'property' },
    { id: 7, name: 'Array', type: 'object', edge: 'theme', edgeType: 'property' },
    { id: 9, name: 'Function', type: 'closure', edge: '3', edgeType: 'element', function: '' },
    { id: 11, name: 'Function', type: 'closure', edge: 'x-y', edgeType: 'property', function: 'onTheme' },
    { id: 13, name: 'Widget', type: 'object', edge: 'widget', edgeType: 'context' },
    { id: 15, name: '(GC roots)', type: 'synthetic', edge: '2', edgeType: 'hidden', node: '(GC roots)' },
    { id: 19, name: 'Object', type: 'object', edge: 'owner', edgeType: 'property' },
    { id: 17, name: 'Evil\u001b[31m\nname'.repeat(20), type: 'object', edge: 'table', edgeType: 'internal' },
  ];

  it('labels: module, closure, V8 node name, class; edges as code writes them', () => {
    expect(steps.map(stepLabel).slice(0, 9)).toEqual([
      'module listener-app.mjs', 'EventEmitter', 'Object', 'Array', '(closure)', 'onTheme()', 'Widget', '(GC roots)', 'Object',
    ]);
    expect(steps.slice(1).map(edgeLabel)).toEqual(['context.bus', '_events', 'theme', '[3]', '["x-y"]', 'context.widget', '[2]', 'owner', 'table']);
    // Hostile names: one line, no control characters, cut.
    const evil = stepLabel(steps[9]!);
    expect(evil).not.toMatch(/[\u0000-\u001f]/);
    expect(evil.length).toBeLessThanOrEqual(60);
    expect(evil.endsWith('…')).toBe(true);
    expect(chainText(steps.slice(0, 3))).toBe('module listener-app.mjs --context.bus--> EventEmitter --_events--> Object');
  });

  it('a long path collapses to its first and last steps around one gap; short ones never do', () => {
    const collapsed = chainItems(steps, false);
    expect(collapsed.filter((i) => i.kind === 'step')).toHaveLength(HEAD_STEPS + TAIL_STEPS);
    expect(collapsed[HEAD_STEPS]).toEqual({ kind: 'gap', hidden: steps.length - HEAD_STEPS - TAIL_STEPS });
    expect(collapsed.at(-1)).toMatchObject({ kind: 'step', index: steps.length - 1 });
    expect(chainItems(steps, true).map((i) => (i.kind === 'step' ? i.index : -1))).toEqual(steps.map((_, i) => i));
    expect(chainItems(steps.slice(0, HEAD_STEPS + TAIL_STEPS + 1), false).every((i) => i.kind === 'step')).toBe(true);
    expect(chainItems([], false)).toEqual([]);
  });

  it('shapeKey is paths.ts pathShape on every real path of the fixture', async () => {
    const report = weakReport(await fixture);
    const paths = [...report.targets.map((t) => t.retainerPath), ...report.shells.map((s) => s.retainerPath), steps];
    expect(paths.filter((p) => p.length > 3).length).toBeGreaterThan(3);
    for (const p of paths) expect(shapeKey(p)).toBe(pathShape(p));
  });

  it('shape lines keep their start and last hops; text helpers match the CLI\'s', () => {
    const long = Array.from({ length: 15 }, (_, i) => `t${i}`).join(' → ');
    expect(shapeLine(long)).toBe('t0 → … → t8 → t9 → t10 → t11 → t12 → t13 → t14');
    expect(shapeLine('a → b')).toBe('a → b');
    expect(oneLine('a\nb\u0007')).toBe('a\\nb\uFFFD');
    expect(clip('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
