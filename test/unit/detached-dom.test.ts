/**
 * Detached DOM in browser snapshots, on small snapshots built in V8's format: which classes are
 * detached DOM (DevTools' `Detached …` names; Node's own detached natives are not DOM), the
 * Summary's detached filter, and the leak rules that report a detached tree once, at its top, and
 * leave Blink's per-page binding objects out. Real Chromium snapshots of the same patterns are
 * checked in test/live/desktop-pages.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../../src/analysis/leaks.js';
import { LEAK_RULES } from '../../src/analysis/rules/leak-rules.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { summarizeClasses } from '../../src/analysis/summary.js';
import { SnapshotBuilder, type BuiltNode, type EdgeType, type NodeType } from '../helpers/builder.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-detached-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const ATTACHED = 1;
const DETACHED = 2;

/** One object of a tiny process, the same object (same id) in every phase it is `in`. */
interface Obj {
  key: string; type: NodeType; name: string; size: number; in: string;
  from: string; edge: string | number; edgeType?: EdgeType; det?: number;
}

function build(objs: Obj[], phase: string): string {
  const b = new SnapshotBuilder();
  const global = b.node('object', 'global / ', 32, { id: 999 });
  b.edge(b.root, 'shortcut', 'global', global);
  const built = new Map<string, BuiltNode>([['global', global], ['gc', b.gcRoots]]);
  // V8's ids only grow: objects of the baseline get the lower ones.
  const byAge = [...objs.filter((x) => x.in.includes('A')), ...objs.filter((x) => !x.in.includes('A'))];
  const present = objs.filter((x) => x.in.includes(phase));
  present.forEach((x) => built.set(x.key, b.node(x.type, x.name, x.size, { id: 1001 + 2 * byAge.indexOf(x), detachedness: x.det ?? 0 })));
  for (const x of present) b.edge(built.get(x.from)!, x.edgeType ?? 'property', x.edge, built.get(x.key)!);
  return b.write(path.join(dir, `d${fileNo++}-${phase}.heapsnapshot`));
}

const o = (key: string, type: NodeType, name: string, from: string, edge: string | number, extra: Partial<Obj> = {}): Obj =>
  ({ key, type, name, size: 40, in: 'ABC', from, edge, ...extra });

describe('detached DOM classes', () => {
  const objs: Obj[] = [
    o('doc', 'native', 'HTMLDocument', 'global', 'document', { det: ATTACHED }),
    o('div', 'native', '<div class="panel">', 'doc', 'child', { det: ATTACHED }),
    o('span', 'native', '<span>', 'div', 'child'), // attached through its parent
    o('history', 'array', '', 'global', 'history'),
    o('li', 'native', '<li id="row-7">', 'history', 0, { edgeType: 'element', det: DETACHED }),
    o('text', 'native', 'Text', 'li', 'child'), // detached through its parent
    o('binding', 'native', 'Node / BindingData', 'gc', 1, { edgeType: 'element', det: DETACHED }),
  ];
  const file = build(objs, 'A');

  it('flags the classes of detached DOM, named as DevTools names them; Node\'s detached natives are not DOM', async () => {
    const s = await LoadedSnapshot.load(file);
    const flagged = s.classes.names.filter((_, c) => s.classes.detached[c] === 1).sort();
    expect(flagged).toEqual(['Detached <li>', 'Detached Text']);
    expect(s.classes.names).toEqual(expect.arrayContaining(['<div>', '<span>', 'Detached Node / BindingData']));
    const rows = summarizeClasses({ graph: s.graph, selfSize: s.selfSize, dominators: s.dominators, classes: s.classes });
    expect(rows.filter((r) => r.detached).map((r) => r.name).sort()).toEqual(['Detached <li>', 'Detached Text']);
    expect(rows.find((r) => r.name === 'Detached Node / BindingData')!.detached).toBeUndefined();
  });

  it('summary --detached lists only them, with the full Summary\'s numbers', async () => {
    const [all, only] = await Promise.all([
      runCli(['summary', file, '--json', '-q']),
      runCli(['summary', file, '--json', '-q', '--detached']),
    ]);
    expect(only.code, only.stderr).toBe(0);
    const full = JSON.parse(all.stdout) as { classes: Array<{ name: string }> };
    const doc = JSON.parse(only.stdout) as { detached: boolean; nodes: number; classes: Array<{ name: string }> };
    expect(doc.detached).toBe(true);
    expect(doc.classes.map((c) => c.name).sort()).toEqual(['Detached <li>', 'Detached Text']);
    for (const c of doc.classes) expect(full.classes).toContainEqual(c);
    // The header numbers are the whole snapshot's.
    expect(doc.nodes).toBe((JSON.parse(all.stdout) as { nodes: number }).nodes);
  });

  it('says so when a snapshot has no detached DOM', async () => {
    const clean = build(objs.filter((x) => x.key !== 'li' && x.key !== 'text'), 'A');
    const r = await runCli(['summary', clean, '--detached', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no detached DOM nodes\n$/);
  });
});

describe('leaks of detached DOM', () => {
  // Phases: A baseline, B target, C final. The rows are born in B and kept by `history` to C.
  const objs: Obj[] = [
    o('history', 'array', '', 'global', 'history'),
    o('tr', 'native', '<tr class="order">', 'history', 0, { in: 'BC', edgeType: 'element', det: DETACHED, size: 104 }),
    o('td1', 'native', '<td>', 'tr', 'firstChild', { in: 'BC', size: 96 }),
    o('td2', 'native', '<td>', 'td1', 'nextSibling', { in: 'BC', size: 96 }),
    o('text', 'native', 'Text', 'td1', 'firstChild', { in: 'BC', size: 80 }),
    o('expando', 'object', 'RowData', 'tr', '__data', { in: 'BC', size: 48 }),
    o('onclick', 'closure', 'onRowClick', 'td2', 'listener', { in: 'BC', size: 32 }),
    // Blink's bindings, made the first time the page used <tr>: alive for the page's life.
    o('context', 'hidden', 'system / NativeContext', 'gc', 2, { edgeType: 'element' }),
    o('cache', 'array', '', 'context', 'fast_template_instantiations_cache', { edgeType: 'internal' }),
    o('ctor', 'closure', 'HTMLTableRowElement', 'cache', 0, { in: 'BC', edgeType: 'element' }),
    o('perContext', 'native', 'blink::V8PerContextData', 'gc', 3, { edgeType: 'element' }),
    o('proto', 'object', 'HTMLTableRowElement (prototype) / http://127.0.0.1', 'perContext', 'wrapper', { in: 'BC' }),
    // A plain JS leak beside them, for contrast.
    o('widgets', 'array', '', 'global', 'widgets'),
    o('widget', 'object', 'Widget', 'widgets', 0, { in: 'BC', edgeType: 'element', size: 24 }),
  ];

  it('reports a detached tree once, at its top, with its cells, text, expandos and listeners in its retained size; not Blink\'s bindings', async () => {
    const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((p) => LoadedSnapshot.load(build(objs, p))));
    const result = findLeaks(a!, b!, c!);
    expect(result.leaks.map((l) => `${l.count} × ${l.name}`)).toEqual(['1 × Detached <tr>', '1 × Widget']);
    const tree = result.leaks[0]!;
    expect(tree.retainedSize).toBe(104 + 96 + 96 + 80 + 48 + 32);
    expect(tree.retainerPath.map((s) => s.edge)).toEqual([null, 'history', '0']);
    expect(result.totalRetainedSize).toBe(tree.retainedSize + 24);

    // Without the two DOM rules the same heap splits into a cluster per cell, listener, expando and binding object.
    const bare = findLeaks(a!, b!, c!, { rules: LEAK_RULES.filter((r) => r.name !== 'blink-bindings' && r.name !== 'detached-dom-subtree') });
    expect(bare.leaks.map((l) => l.name).sort()).toEqual(
      ['Detached <td>', 'Detached <td>', 'Detached <tr>', 'Detached Text', 'Function', 'Function', 'HTMLTableRowElement (prototype) / http://127.0.0.1',
        'RowData', 'Widget']);
  });

  it('a detached element kept by a live object\'s closure is still reported on its own (the listener leak and the DOM it holds)', async () => {
    const leakObjs: Obj[] = [
      o('doc', 'native', 'HTMLDocument', 'global', 'document', { det: ATTACHED }),
      o('listener', 'closure', 'onModalKeydown', 'doc', 'keydown', { in: 'BC', size: 32 }),
      o('ctx', 'object', 'system / Context', 'listener', 'context', { in: 'BC', edgeType: 'internal', size: 40 }),
      o('modal', 'native', '<div class="modal">', 'ctx', 'modal', { in: 'BC', edgeType: 'context', det: DETACHED, size: 120 }),
      o('button', 'native', '<button>', 'modal', 'lastChild', { in: 'BC', size: 100 }),
    ];
    const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((p) => LoadedSnapshot.load(build(leakObjs, p))));
    const result = findLeaks(a!, b!, c!);
    expect(result.leaks.map((l) => `${l.count} × ${l.name} ${l.retainedSize}`).sort()).toEqual(['1 × Detached <div> 220', '1 × Function 72']);
  });
});
