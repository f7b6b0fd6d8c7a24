/**
 * `heapscope weak` end to end on heaps built in code (the built CLI as a subprocess): the JSON
 * document of CONTRACT.md, the human report (grouping by path shape, Node's own references hidden
 * unless --all, hostile heap strings), and exit codes. Live processes: test/live/weak.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { WeakWorld } from '../helpers/weak-world.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-cli-weak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bus with 3 listeners, each capturing a Widget that a WeakMap also knows; one more Widget only weakly held; Node's own WeakRef. */
function app(after: boolean): string {
  const w = new WeakWorld();
  // Everything with automatic ids first, so both moments number it alike; the rest has fixed ids.
  const nodeScope = w.scope('node:diagnostics_channel', 'channel');
  const safe = w.safeClass('WeakRef');
  const scope = w.scope('file:///app/main.mjs', 'main');
  const channel = w.node('Channel', 48, 3301);
  w.b.edge(nodeScope.context, 'context', 'channel', channel).edge(nodeScope.context, 'context', 'ref', w.weakRef(channel, { proto: safe, id: 3303 }));
  const { holder: meta, table } = w.collection('WeakMap', { id: 3001 }); // its table: 3003
  const bus = w.node('EventEmitter', 24, 3005);
  const listeners = w.b.node('object', 'Array', 16, { id: 3007 });
  w.b.edge(scope.context, 'context', 'widgetMeta', meta).edge(scope.context, 'context', 'bus', bus).edge(bus, 'property', 'listeners', listeners);
  const shared = w.b.node('code', '', 32, { id: 3009 });
  const count = after ? 3 : 1;
  for (let i = 0; i < count; i++) {
    const ctx = w.node('system / Context', 32, 4001 + 100 * i);
    const fn = w.b.node('closure', '', 32, { id: 4003 + 100 * i });
    w.b.edge(fn, 'internal', 'shared', shared).edge(fn, 'internal', 'context', ctx);
    // A hostile class name (no newline here: graph.ts's pair-edge pattern does not span lines).
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
  return w.b.write(path.join(dir, `app-${after ? 'after' : 'before'}.heapsnapshot`));
}

const before = app(false);
const after = app(true);

describe('heapscope weak --json', () => {
  it('one snapshot: the CONTRACT.md document, statuses absent and their counts 0', async () => {
    const r = await runCli(['weak', before, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['snapshot', 'after', 'targets', 'counts', 'shells']);
    expect(doc).toMatchObject({ snapshot: before, after: null });
    expect(Object.keys(doc.counts)).toEqual(['strong', 'weak-only', 'released', 'kept', 'new']);
    expect(doc.counts).toEqual({ strong: 2, 'weak-only': 1, released: 0, kept: 0, new: 0 });
    for (const t of doc.targets) {
      expect(Object.keys(t).slice(0, 8)).toEqual(['id', 'name', 'type', 'selfSize', 'retainedSize', 'holders', 'reachability', 'retainerPath']);
      expect(t.status).toBeUndefined();
    }
    const widget = doc.targets.find((t: { id: number }) => t.id === 4005);
    expect(widget).toMatchObject({ name: 'Widget\u001b[31mEvil', reachability: 'strong', retainedSize: 150, internal: false });
    expect(widget.holders).toEqual([{ kind: 'WeakMap', id: 3001, valueId: 4007, internal: false }]);
    expect(widget.retainerPath.at(-1)).toEqual({ id: 4005, name: 'Widget\u001b[31mEvil', type: 'object', edge: 'widget', edgeType: 'context' });
    expect(doc.targets.find((t: { id: number }) => t.id === 3201)).toMatchObject({ reachability: 'weak-only', retainerPath: [] });
    expect(doc.targets.find((t: { id: number }) => t.id === 3301)).toMatchObject({ internal: true, holders: [{ kind: 'WeakRef', id: 3303, internal: true }] });
  });

  it('a pair: released, kept and new, each target once; shells of AFTER with their count in SNAPSHOT', async () => {
    const r = await runCli(['weak', before, after, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.after).toBe(after);
    const status = Object.fromEntries(doc.targets.map((t: { id: number; status: string }) => [t.id, t.status]));
    expect(status).toEqual({ 4005: 'kept', 4105: 'new', 4205: 'new', 3201: 'released', 3301: 'kept' });
    expect(doc.counts).toEqual({ strong: 4, 'weak-only': 1, released: 1, kept: 2, new: 2 });
    expect(doc.shells).toEqual([expect.objectContaining({ count: 1, before: 0, via: 'context.ref', ids: [3203] })]);
  });
});

describe('heapscope weak (text)', () => {
  it('groups targets by kind, status and path shape; hides Node\'s own unless --all; no raw control characters', async () => {
    const r = await runCli(['weak', before, after, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain('4 weak targets: 1 released, 1 kept, 2 new  (1 more belong to Node itself: --all shows them)');
    expect(r.stdout).not.toContain('Channel');
    const lines = r.stdout.split('\n');
    const kept = lines.findIndex((l) => l.startsWith('WeakMap · kept'));
    const fresh = lines.findIndex((l) => l.startsWith('WeakMap · new'));
    expect(kept).toBeGreaterThan(0);
    expect(fresh).toBeGreaterThan(kept);
    // The two new Widgets share one line: same class, same path shape (element indexes normalised).
    expect(lines[fresh + 1]).toMatch(/^ {2}2 × Widget\uFFFD\[31mEvil {2}300 B {2}.*\[\].*Widget/);
    expect(lines[fresh + 1]).not.toMatch(/@\d+$/);
    expect(lines[fresh + 2]).toMatch(/why: kept by a closure's variable widget, not by the WeakMap/);
    expect(lines[fresh + 3]).toContain('WeakMap values held through these keys: 2 × WidgetMeta');
    expect(r.stdout).toMatch(/WeakRef · released: 1 object, 10 B retained/);
    expect(r.stdout).toContain('1 × Loose\uFFFD[2J\\nline  10 B @3201');
    expect(r.stdout).toMatch(/1 in system \/ Context @\d+ via context\.ref {2}\(was 0: \+1\)/);

    const all = await runCli(['weak', before, after, '-q', '--all']);
    expect(all.stdout).toContain('5 weak targets');
    expect(all.stdout).toMatch(/1 × Channel {2}48 B \(Node\)/);
  });

  it('--top N keeps the N largest groups of a section and says how many more there are', async () => {
    const r = await runCli(['weak', before, after, '-q', '--top', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const kept = lines.findIndex((l) => l.startsWith('WeakRef · released'));
    expect(lines[kept + 1]).toMatch(/^ {2}1 × Loose/);
    expect(r.stdout).not.toContain('more groups');
    const one = await runCli(['weak', after, '-q', '--top', '1', '--full-paths']);
    // Single snapshot: the two new Widgets and the old one differ in index only: one group, no "more".
    expect(one.stdout).toMatch(/WeakMap · strong: 3 objects/);
    expect(one.stdout).toMatch(/ {2}3 × Widget/);
    // Two shapes in one section: --top 1 shows the larger and counts the other.
    const w = new WeakWorld();
    const big = w.node('Big', 500);
    const small = w.node('Small', 5);
    w.b.edge(w.global, 'property', 'big', big).edge(w.global, 'property', 'holder', w.node('Holder')).edge(w.global, 'property', 'small', small);
    w.b.edge(w.global, 'property', 'r1', w.weakRef(big)).edge(w.global, 'property', 'r2', w.weakRef(small));
    const two = await runCli(['weak', w.b.write(path.join(dir, 'two.heapsnapshot')), '-q', '--top', '1']);
    expect(two.stdout).toMatch(/WeakRef · strong: 2 objects, 505 B retained\n {2}1 × Big {2}500 B .*\n.*why.*\n {2}… 1 more group \(--top 0 shows all\)/);
    expect((await runCli(['weak', before, '--top', 'x'])).code).toBe(2);
  });
});

describe('heapscope weak: the why line', () => {
  it('names the nearest property above V8\'s storage (a Map\'s table) and every kind of weak reference that holds the target', async () => {
    const w = new WeakWorld();
    const cache = w.node('Cache');
    const map = w.node('Map');
    const table = w.b.node('array', '', 64);
    const session = w.node('Session', 100);
    w.b.edge(w.global, 'property', 'cache', cache).edge(cache, 'property', 'byLabel', map)
      .edge(map, 'internal', 'table', table).edge(table, 'internal', '4', session);
    const { holder, table: eph } = w.collection('WeakMap');
    w.b.weakMapEntry(eph, session, w.node('Meta', 10), 3);
    w.b.edge(w.global, 'property', 'meta', holder).edge(w.global, 'property', 'ref', w.weakRef(session));
    const r = await runCli(['weak', w.b.write(path.join(dir, 'why.heapsnapshot')), '-q']);
    expect(r.stdout).toContain('why: kept by Cache.byLabel[], not by its WeakRef or WeakMap: remove it there and they let it go.');
    expect(r.stdout).toContain('WeakMap values held through this key: 1 × Meta');
  });
});

describe('heapscope weak: exit codes', () => {
  it('a bad or missing file exits 5 and names it', async () => {
    const cut = path.join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, '{"snapshot":{"meta":{"node_fields":["type"');
    const r = await runCli(['weak', cut, '--json']);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cut.heapsnapshot');
    const missing = await runCli(['weak', before, path.join(dir, 'nope.heapsnapshot')]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('nope.heapsnapshot');
  });

  it('two snapshots whose ids do not match exit 2 with a message that says why', async () => {
    // Same ids, other objects: what a second process (or a closed inspector session) looks like.
    const files = ['A', 'B'].map((name) => {
      const w = new WeakWorld();
      for (let i = 0; i < 60; i++) w.b.edge(w.global, 'element', i, w.node(`${name}${i}`, 8, 9001 + 2 * i));
      return w.b.write(path.join(dir, `process-${name}.heapsnapshot`));
    });
    const r = await runCli(['weak', files[0]!, files[1]!, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not snapshots of one process taken in one inspector session/);
  });
});
