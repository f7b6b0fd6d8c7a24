/**
 * The leak rules `literal-boilerplates` and `node-timers` (src/analysis/rules/leak-rules.ts) on
 * built heaps in V8's shape (measured on Node 20, fixtures/targets/timer-server.mjs): an object's
 * class is `__proto__` → prototype → `constructor` closure → `shared` SharedFunctionInfo →
 * `script_or_debug_info` (or `script`) → Script, a `code` node named by the script's URL. Node's
 * own scripts are `node:…`. Every heap is built three times (baseline A, target B, final C) with
 * the same ids for the same objects; what exists only from B on is a leak candidate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLeaks, newSinceBaseline, survivorsInFinal } from '../../src/analysis/leaks.js';
import { LEAK_RULES, systemNameMemo } from '../../src/analysis/rules/leak-rules.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { SnapshotBuilder, type BuiltNode, type EdgeType, type NodeType } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-rules-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

type Phase = 'A' | 'B' | 'C';

const NODE_TIMERS = 'node:internal/timers';
const NODE_HTTP = 'node:internal/http';
const APP = 'file:///app/server.mjs';

/** One phase's heap, with objects named by key: the same key is the same object (same id) in every phase. */
class Heap {
  readonly b = new SnapshotBuilder();
  readonly global: BuiltNode;
  private readonly built = new Map<string, BuiltNode>();

  constructor(private readonly ids: Map<string, number>) {
    this.global = this.node('global', 'object', 'global / ', 32);
    this.b.edge(this.b.root, 'shortcut', 'global', this.global);
  }

  node(key: string, type: NodeType, name: string, size = 16): BuiltNode {
    const known = this.built.get(key);
    if (known) return known;
    if (!this.ids.has(key)) this.ids.set(key, 1001 + 2 * this.ids.size);
    const n = this.b.node(type, name, size, { id: this.ids.get(key)! });
    this.built.set(key, n);
    return n;
  }

  edge(from: BuiltNode, type: EdgeType, name: string | number, to: BuiltNode): this {
    this.b.edge(from, type, name, to);
    return this;
  }

  /** A closure compiled from `script` (a `code` node named by its URL); `scriptEdge` is V8 11's name or a newer one. */
  fn(key: string, name: string, script: string, scriptEdge = 'script_or_debug_info'): BuiltNode {
    const known = this.built.get(key);
    if (known) return known;
    const closure = this.node(key, 'closure', name, 32);
    const shared = this.node(`${key}.shared`, 'code', name, 40);
    this.edge(closure, 'internal', 'shared', shared);
    this.edge(shared, 'internal', scriptEdge, this.node(`script ${script}`, 'code', script, 64));
    return closure;
  }

  /** The prototype of class `name` defined in `script` (its constructor kept by the global, as a module would). */
  proto(name: string, script: string): BuiltNode {
    const key = `proto ${name} ${script}`;
    const known = this.built.get(key);
    if (known) return known;
    const ctor = this.fn(`class ${name} ${script}`, name, script);
    const proto = this.node(key, 'object', 'Object', 16);
    this.edge(ctor, 'property', 'prototype', proto).edge(proto, 'property', 'constructor', ctor);
    this.edge(this.global, 'property', `class ${name} ${script}`, ctor);
    return proto;
  }

  /** An object of the class whose prototype is `proto` (no `__proto__` edge when null, as for a builtin-less template). */
  instance(key: string, name: string, proto: BuiltNode | null, size = 40): BuiltNode {
    const o = this.node(key, 'object', name, size);
    if (proto) this.edge(o, 'property', '__proto__', proto);
    return o;
  }

  /** A new heap number (a double) held through a hidden in-object slot, as V8 writes a TimersList's expiry. */
  number(key: string, holder: BuiltNode, slot: number): BuiltNode {
    const n = this.node(key, 'number', 'heap number', 16);
    this.edge(holder, 'hidden', slot, n);
    return n;
  }

  write(phase: Phase): string {
    return this.b.write(path.join(dir, `n${fileNo++}-${phase}.heapsnapshot`));
  }
}

/** Node's timer list of one duration (`timerListMap[ms]`) with one timer in it (the list and the timer link both ways). */
function timerList(h: Heap, key: string, ms: number, timer: BuiltNode): BuiltNode {
  const map = h.node('timerListMap', 'object', 'Object', 16);
  const list = h.instance(key, 'TimersList', h.proto('TimersList', NODE_TIMERS), 48);
  h.edge(map, 'element', ms, list);
  h.edge(list, 'property', '_idleNext', timer).edge(list, 'property', '_idlePrev', timer);
  h.edge(timer, 'property', '_idleNext', list).edge(timer, 'property', '_idlePrev', list);
  return list;
}

interface Series { a: LoadedSnapshot; b: LoadedSnapshot; c: LoadedSnapshot; /** The V8 id of the object built under `key`. */ id(key: string): number }

/**
 * Three phases of one heap: `setup` builds what exists from the baseline on (classes, module
 * functions, Node's timer map, the program's containers) and `fill` what is born after it. Both
 * build through the same keys, so `fill` finds setup's objects by calling the same helpers.
 */
async function series(fill: (h: Heap) => void, setup: (h: Heap) => void = () => {}): Promise<Series> {
  const ids = new Map<string, number>();
  const files = (['A', 'B', 'C'] as const).map((phase) => {
    const h = new Heap(ids);
    for (const cls of ['Timeout', 'TimersList', 'Immediate', 'ImmediateList']) h.proto(cls, NODE_TIMERS);
    h.edge(h.global, 'property', 'timerListMap', h.node('timerListMap', 'object', 'Object', 16));
    h.edge(h.global, 'property', 'held', h.node('held', 'object', 'Array', 16));
    setup(h);
    if (phase !== 'A') fill(h);
    return h.write(phase);
  });
  const [a, b, c] = await Promise.all(files.map((f) => LoadedSnapshot.load(f)));
  const id = (key: string) => {
    const v = ids.get(key);
    if (v === undefined) throw new Error(`nothing was built under ${key}`);
    return v;
  };
  return { a: a!, b: b!, c: c!, id };
}

const idsOf = (r: ReturnType<typeof findLeaks>) => r.leaks.flatMap((l) => l.ids).sort((x, y) => x - y);
const without = (name: string) => ({ rules: LEAK_RULES.filter((r) => r.name !== name) });

/** The first rule that answers for each candidate of final (by V8 id); owner unknown (-1), as for a top-level candidate. */
function decisions({ a, b, c }: Series): Map<number, string> {
  const survivors = survivorsInFinal(b, c, newSinceBaseline(a, b));
  const ctx = { snapshot: c, owner: -1, ignoreClass: [], isSystem: systemNameMemo(c) };
  const out = new Map<number, string>();
  for (let o = 0; o < survivors.length; o++) {
    if (!survivors[o] || !c.paths.isStronglyReachable(o)) continue;
    out.set(c.graph.nodeId[o]!, LEAK_RULES.find((r) => r.judge(ctx, o) !== undefined)?.name ?? '(none)');
  }
  return out;
}

describe('node-timers', () => {
  /** A forgotten setInterval of the program (45 s) and Node's HTTP Date-header timer (990 ms), both born after the baseline. */
  const intervalAndDateHeader = (h: Heap) => {
    const timeoutProto = h.proto('Timeout', NODE_TIMERS);
    const mine = h.instance('myTimeout', 'Timeout', timeoutProto);
    const myList = timerList(h, 'list45000', 45_000, mine);
    const poll = h.fn('poll', 'poll', APP);
    h.edge(mine, 'property', '_onTimeout', poll);
    const scope = h.node('pollScope', 'object', 'system / Context', 24);
    h.edge(poll, 'internal', 'context', scope);
    h.edge(scope, 'context', 'feed', h.instance('feed', 'LiveFeed', h.proto('LiveFeed', APP), 32));
    h.number('myStart', mine, 2);
    h.number('expiry45000', myList, 2);
    const nodes = h.instance('dateTimeout', 'Timeout', timeoutProto);
    const dateList = timerList(h, 'list990', 990, nodes);
    // Node 20 writes `script_or_debug_info`; newer V8 writes `script`: both are read.
    h.edge(nodes, 'property', '_onTimeout', h.fn('resetCache', 'resetCache', NODE_HTTP, 'script'));
    h.number('dateStart', nodes, 2);
    h.number('expiry990', dateList, 2);
  };
  /** Before the baseline: the program's class and Node's Date-header callback (module functions). */
  const classesAndModules = (h: Heap) => {
    h.proto('LiveFeed', APP);
    h.fn('resetCache', 'resetCache', NODE_HTTP, 'script');
  };

  it('reports the program\'s interval (its Timeout, callback and what that captures), not Node\'s Date-header timer or the timer lists', async () => {
    const s = await series(intervalAndDateHeader, classesAndModules);
    const r = findLeaks(s.a, s.b, s.c);
    expect(r.leaks.map((l) => `${l.count} ${l.name}`).sort()).toEqual(['1 Function', '1 LiveFeed', '1 Timeout']);
    expect(idsOf(r)).toEqual(['myTimeout', 'poll', 'feed'].map(s.id).sort((x, y) => x - y));
    expect(r.leaks.find((l) => l.name === 'Timeout')!.path).toBe('global / → timerListMap → Object[] → _idleNext → Timeout');
    const d = decisions(s);
    expect(['list45000', 'list990', 'dateTimeout'].map((k) => d.get(s.id(k)))).toEqual(['node-timers', 'node-timers', 'node-timers']);
    expect(d.get(s.id('myTimeout'))).toBe('user-objects');
  });

  it('the heap numbers Node\'s timers hold (a TimersList\'s expiry, a Timeout\'s start) go with them; the program\'s Timeout\'s number is its own', async () => {
    const s = await series(intervalAndDateHeader, classesAndModules);
    const r = findLeaks(s.a, s.b, s.c);
    expect(r.leaks.filter((l) => l.name === '(number)')).toEqual([]);
    // Judged alone (no reported owner above), each number falls to held-values, which looks at its holder.
    const d = decisions(s);
    for (const k of ['expiry45000', 'expiry990', 'dateStart', 'myStart']) expect(d.get(s.id(k)), k).toBe('held-values');
    // The program's Timeout is charged with its own number: 40 bytes of its own + 16.
    expect(r.leaks.find((l) => l.name === 'Timeout')!.retainedSize).toBe(40 + 16);
    // poll is charged with its scope and its SharedFunctionInfo; nothing of Node's timers is charged anywhere.
    expect(r.totalRetainedSize).toBe((40 + 16) + (32 + 24 + 40) + 32);
  });

  it('without the rule, the two TimersLists and Node\'s Timeout would be reported', async () => {
    const s = await series(intervalAndDateHeader, classesAndModules);
    const r = findLeaks(s.a, s.b, s.c, without('node-timers'));
    expect(idsOf(r)).toEqual(expect.arrayContaining(['list45000', 'list990', 'dateTimeout', 'myTimeout'].map(s.id)));
    const count = (name: string) => r.leaks.filter((l) => l.name === name).reduce((n, l) => n + l.count, 0);
    expect([count('TimersList'), count('Timeout')]).toEqual([2, 2]);
  });

  it('Immediates: ImmediateList and an Immediate running Node\'s code are Node\'s; one running the program\'s callback is reported', async () => {
    const s = await series((h) => {
      const queue = h.instance('immediateQueue', 'ImmediateList', h.proto('ImmediateList', NODE_TIMERS), 32);
      h.edge(h.global, 'property', 'immediateQueue', queue);
      const immediateProto = h.proto('Immediate', NODE_TIMERS);
      const nodes = h.instance('nodeImmediate', 'Immediate', immediateProto);
      h.edge(queue, 'property', 'head', nodes);
      h.edge(nodes, 'property', '_onImmediate', h.fn('emitCloseNT', 'emitCloseNT', 'node:net'));
      const mine = h.instance('myImmediate', 'Immediate', immediateProto);
      h.edge(nodes, 'property', '_idleNext', mine);
      h.edge(mine, 'property', '_onImmediate', h.fn('flush', 'flush', APP));
    }, (h) => h.fn('emitCloseNT', 'emitCloseNT', 'node:net'));
    const r = findLeaks(s.a, s.b, s.c);
    expect(r.leaks.map((l) => `${l.count} ${l.name}`).sort()).toEqual(['1 Function', '1 Immediate']);
    expect(idsOf(r)).toEqual(['myImmediate', 'flush'].map(s.id).sort((x, y) => x - y));
    const d = decisions(s);
    expect(['immediateQueue', 'nodeImmediate', 'myImmediate'].map((k) => d.get(s.id(k)))).toEqual(['node-timers', 'node-timers', 'user-objects']);
  });

  it('the class and the callback\'s script decide, never the names: look-alikes and undecidable callbacks are the program\'s', async () => {
    const keys = ['ownList', 'bare', 'namedLikeNode', 'bound', 'debugged', 'cleared', 'nativeList'];
    const s = await series((h) => {
      const held = h.node('held', 'object', 'Array', 16);
      const timeoutProto = h.proto('Timeout', NODE_TIMERS);
      const cases: Array<[string, NodeType, string, BuiltNode | null, BuiltNode]> = [
        // The program's own class named TimersList.
        ['ownList', 'object', 'TimersList', h.proto('TimersList', APP), h.fn('tick', 'tick', APP)],
        // A Timeout-named object of no class (no __proto__ to follow), running Node's code.
        ['bare', 'object', 'Timeout', null, h.fn('nodeCallback', 'resetCache', NODE_HTTP)],
        // Node's Timeout class, running the program's function named like Node's.
        ['namedLikeNode', 'object', 'Timeout', timeoutProto, h.fn('myResetCache', 'resetCache', APP)],
        // A bound function: no SharedFunctionInfo to find a script by.
        ['bound', 'object', 'Timeout', timeoutProto, h.node('boundFn', 'closure', 'bound onTick', 32)],
        // A callback whose script slot holds a DebugInfo (a debugger set breakpoints there): undecidable.
        ['debugged', 'object', 'Timeout', timeoutProto, h.fn('debuggedFn', 'listOnTimeout', 'system / DebugInfo')],
        // A cleared timer the program keeps: `_onTimeout` is null.
        ['cleared', 'object', 'Timeout', timeoutProto, h.node('null', 'hidden', 'system / Oddball', 16)],
        // Node's class on a `native` node: not a JS timer.
        ['nativeList', 'native', 'TimersList', h.proto('TimersList', NODE_TIMERS), h.fn('nodeCallback', 'resetCache', NODE_HTTP)],
      ];
      cases.forEach(([key, type, name, proto, callback], i) => {
        const t = h.node(key, type, name, 40);
        if (proto) h.edge(t, 'property', '__proto__', proto);
        h.edge(held, 'element', i, t).edge(t, 'property', '_onTimeout', callback);
      });
    }, (h) => {
      h.proto('TimersList', APP);
      h.fn('nodeCallback', 'resetCache', NODE_HTTP);
      h.fn('debuggedFn', 'listOnTimeout', 'system / DebugInfo');
    });
    const d = decisions(s);
    expect(keys.map((k) => [k, d.get(s.id(k))])).toEqual(keys.map((k) => [k, 'user-objects']));
    const r = findLeaks(s.a, s.b, s.c);
    expect(idsOf(r)).toEqual(expect.arrayContaining(keys.map(s.id)));
  });
});

describe('literal-boilerplates', () => {
  /** The program's render() and its feedback vector exist before the baseline. */
  const render = (h: Heap) => {
    const fn = h.fn('render', 'render', APP);
    h.edge(h.global, 'property', 'render', fn);
    const cell = h.node('cell', 'code', 'system / FeedbackCell', 16);
    const vector = h.node('vector', 'code', 'system / FeedbackVector', 80);
    h.edge(fn, 'internal', 'feedback_cell', cell).edge(cell, 'internal', 'value', vector);
  };
  /** render() then runs an object literal `{ price: 1.5 }` for the first time: V8 keeps a boilerplate in the AllocationSite. */
  const boilerplate = (h: Heap, extra: (template: BuiltNode) => void = () => {}) => {
    const site = h.node('site', 'code', 'system / AllocationSite', 48);
    const template = h.node('template', 'object', 'Object', 28);
    h.edge(h.node('vector', 'code', 'system / FeedbackVector'), 'internal', 0, site).edge(site, 'internal', 'transition_info', template);
    h.number('price', template, 3);
    extra(template);
  };

  it('an object only compiled code keeps (an AllocationSite\'s transition_info) is not a leak, nor the number it holds', async () => {
    const s = await series((h) => boilerplate(h), render);
    const r = findLeaks(s.a, s.b, s.c);
    expect(r.leaks).toEqual([]);
    const d = decisions(s);
    expect(d.get(s.id('template'))).toBe('literal-boilerplates');
    expect(d.get(s.id('price'))).toBe('held-values');
    expect(d.get(s.id('site'))).toBe('v8-internals');
    // Without the rule the template is reported, with its number.
    const bare = findLeaks(s.a, s.b, s.c, without('literal-boilerplates'));
    expect(bare.leaks.map((l) => `${l.count} ${l.name} ${l.retainedSize}`)).toEqual(['1 Object 44']);
    expect(bare.leaks[0]!.ids).toEqual([s.id('template')]);
  });

  it('an object that code and the program both hold is the program\'s: reported', async () => {
    const s = await series((h) => boilerplate(h, (template) => {
      h.edge(h.node('held', 'object', 'Array'), 'element', 0, template);
    }), render);
    const r = findLeaks(s.a, s.b, s.c);
    expect(r.leaks.map((l) => `${l.count} ${l.name} ${l.retainedSize}`)).toEqual(['1 Object 44']);
    expect(decisions(s).get(s.id('template'))).toBe('user-objects');
  });

  it('a weak reference from the program does not make a code-held object the program\'s', async () => {
    const s = await series((h) => boilerplate(h, (template) => {
      h.edge(h.node('ref', 'object', 'WeakRef'), 'weak', 'target', template);
    }), (h) => {
      render(h);
      h.edge(h.global, 'property', 'ref', h.node('ref', 'object', 'WeakRef', 16));
    });
    expect(findLeaks(s.a, s.b, s.c).leaks).toEqual([]);
    expect(decisions(s).get(s.id('template'))).toBe('literal-boilerplates');
  });
});
