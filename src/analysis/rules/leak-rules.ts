import { isDetachedDom, isHeldByBindings } from '../dom.js';
import type { LoadedSnapshot } from '../snapshot.js';
import { Names } from '../weak/names.js';
import { CodeOwners } from '../weak/owner.js';

const SYSTEM = 'system / ';

/**
 * What happens to one leak candidate (an object born between baseline and target that is still
 * strongly reachable in final):
 * - `report`: a leak a person can act on; it gets a cluster entry, and the bytes it dominates are
 *   charged to it;
 * - `attribute`: V8's or Node's own bookkeeping, or a value owned by something: its bytes go to
 *   the nearest reported object that dominates it (or nowhere, when none does);
 * - `ignore`: the user said this class is expected (`--ignore-class`): neither it nor the bytes
 *   charged to it count.
 */
export type LeakVerdict = 'report' | 'attribute' | 'ignore';

export interface LeakRuleContext {
  readonly snapshot: LoadedSnapshot;
  /** The reported (or ignored) object that dominates the candidate most closely, or -1. */
  readonly owner: number;
  /** `--ignore-class` patterns, tested against the class name of objects that would be reported. */
  readonly ignoreClass: readonly RegExp[];
  /** Whether an object's or native's name starts with `system / ` (memoised per name string). */
  isSystem(ordinal: number): boolean;
}

/** A memo of isSystem per name string (object and native names are a few thousand constructor names). */
export function systemNameMemo(s: LoadedSnapshot): (ordinal: number) => boolean {
  const g = s.graph;
  const memo = new Uint8Array(g.strings.count); // 0 unknown, 1 system, 2 not
  const { object, native } = g.types;
  return (o) => {
    const t = g.nodeType[o];
    if (t !== object && t !== native) return false;
    const n = g.nodeName[o]!;
    if (memo[n] === 0) memo[n] = g.strings.get(n).startsWith(SYSTEM) ? 1 : 2;
    return memo[n] === 1;
  };
}

export interface LeakRule {
  name: string;
  /** Why, for people reading the code and `--explain` style output. */
  why: string;
  /** A verdict when the rule applies, undefined to let the next rule decide. */
  judge(ctx: LeakRuleContext, ordinal: number): LeakVerdict | undefined;
}


function isUserObject(ctx: LeakRuleContext, o: number): boolean {
  const g = ctx.snapshot.graph;
  const t = g.nodeType[o];
  const { object, closure, regexp, native } = g.types;
  if (t === closure || t === regexp) return true;
  return (t === object || t === native) && !ctx.isSystem(o);
}

function isValue(s: LoadedSnapshot, o: number): boolean {
  const { string, consString, slicedString, number, bigint, symbol } = s.graph.types;
  const t = s.graph.nodeType[o];
  return t === string || t === consString || t === slicedString || t === number || t === bigint || t === symbol;
}

/**
 * The first dominator above `o` that is not a container (an internal array, a hidden object, a
 * `system / …` object such as a closure's Context): the object a value really belongs to. At most
 * `limit` hops; -1 when the chain ends at the root first.
 */
function holderOf(ctx: LeakRuleContext, o: number, limit = 16): number {
  const g = ctx.snapshot.graph;
  const dom = ctx.snapshot.dominators.dominator;
  const { array, hidden } = g.types;
  let d = dom[o]!;
  for (let hops = 0; hops < limit && d !== g.rootOrdinal; hops++) {
    const t = g.nodeType[d];
    if (t !== array && t !== hidden && !ctx.isSystem(d)) return d;
    d = dom[d]!;
  }
  return -1;
}

/**
 * Whether compiled code holds the string: a literal in a constant pool, a variable name in a
 * ScopeInfo. Such a string is the program's text, born when its function was first compiled, even
 * where its dominator is a closure (Chromium 156, fixtures/pages/notes: a function compiled between
 * baseline and target holds the name of a captured variable `drawer` from its ScopeInfo, also the
 * literal 'drawer' in its constant pool; the two paths meet only at the JSFunction).
 */
function heldByCode(s: LoadedSnapshot, o: number): boolean {
  const g = s.graph;
  const code = g.types.code;
  for (let slot = g.firstRetainer[o]!; slot < g.firstRetainer[o + 1]!; slot++) {
    if (g.isRetainingSlot(slot) && g.nodeType[g.retainerNode[slot]!] === code) return true;
  }
  return false;
}

/**
 * Whether only compiled code keeps the object: every retaining edge to it comes from a `code` node
 * (an AllocationSite's `transition_info` boilerplate, a feedback vector's cached literal). V8 makes
 * these the first time a function runs an object literal: a template, not a program object (Node
 * 20, test/heap-fixture/node.spec.ts: the fixed session server reported `1 × Object` held by
 * `_storeHeader`'s feedback → AllocationSite → transition_info).
 */
function ownedByCode(s: LoadedSnapshot, o: number): boolean {
  const g = s.graph;
  const code = g.types.code;
  let any = false;
  for (let slot = g.firstRetainer[o]!; slot < g.firstRetainer[o + 1]!; slot++) {
    if (!g.isRetainingSlot(slot)) continue;
    if (g.nodeType[g.retainerNode[slot]!] !== code) return false;
    any = true;
  }
  return any;
}

/** V8's `detachedness` values (v8-profiler.h EmbedderGraph::Node::Detachedness). */
const ATTACHED = 1;

/** Blink keeps a node's lazily made helpers (attributes map, childNodes list, Attr nodes) in its rare data. */
const RARE_DATA = /^blink::(Node|Element)RareData\b/;

/**
 * Whether a Blink object belongs to a node's rare data: the `NamedNodeMap`, `NodeList`, `Attr`s and
 * the like that Blink makes the first time anything (the page, or the test harness inspecting the
 * DOM) asks for them, and keeps for the node's life. They come and go with their node: not a leak of
 * their own (Chromium 156: a frameLocator made `Attr`, `NamedNodeMap` and `NodeList` of the page's
 * `<iframe>` between two snapshots; test/heap-fixture/harness.spec.ts).
 */
function inNodeRareData(ctx: LeakRuleContext, o: number, limit = 4): boolean {
  const g = ctx.snapshot.graph;
  const dom = ctx.snapshot.dominators.dominator;
  let d = dom[o]!;
  for (let hops = 0; hops < limit && d !== g.rootOrdinal; hops++, d = dom[d]!) {
    if (g.nodeType[d] === g.types.native && RARE_DATA.test(g.nodeNameString(d))) return true;
  }
  return false;
}

const owners = new WeakMap<LoadedSnapshot, CodeOwners>();

function codeOwners(s: LoadedSnapshot): CodeOwners {
  let o = owners.get(s);
  if (!o) {
    o = new CodeOwners(s.graph, new Names(s.graph), s.paths);
    owners.set(s, o);
  }
  return o;
}

/** Node's timer bookkeeping classes (lib/internal/timers.js): one list per duration, made and dropped as timers come and go. */
const TIMER_LISTS = new Set(['TimersList', 'ImmediateList']);
const TIMER_CALLBACKS: Record<string, string> = { Timeout: '_onTimeout', Immediate: '_onImmediate' };

/**
 * Whether the object is one of Node's own timers or timer lists: a `TimersList` (Node's), or a
 * `Timeout`/`Immediate` whose callback is Node's own code. Node 20's HTTP server refreshes its
 * cached Date header with such a timer a second at most after each response (`utcDate` in
 * _http_outgoing), so a server leak test whose final snapshot comes soon after a request sees a
 * new Timeout and TimersList (test/heap-fixture/node.spec.ts). A Timeout whose callback is the
 * program's (a forgotten setInterval) is still reported.
 */
function isNodeTimer(ctx: LeakRuleContext, o: number): boolean {
  const s = ctx.snapshot;
  if (s.graph.nodeType[o] !== s.graph.types.object) return false;
  const name = s.graph.nodeNameString(o);
  const callback = TIMER_CALLBACKS[name];
  if (!TIMER_LISTS.has(name) && callback === undefined) return false;
  const owners = codeOwners(s);
  if (!owners.hasNodeClass(o)) return false;
  if (callback === undefined) return true;
  const g = s.graph;
  for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
    if (g.edgeType[e] === g.edgeTypes.property && g.edgeNameString(e) === callback) return owners.isNodeFunction(g.edgeTo[e]!);
  }
  return false;
}

/**
 * The rules, in order; the first that answers decides. Measured on Node 20 (fixtures/targets/
 * README.md item 8): in the fixed listener twin, about 70 nodes born between baseline and target
 * survive to final and none is a leak: feedback vectors, bytecode and other `code` nodes, `object
 * shape` maps and cells, a few internalized strings (`"theme"`, `"onTheme"`) held by constant pools,
 * one concatenated string. The leaky twin adds 20 Widgets, their 20 listener closures with 20
 * Contexts, 21 Arrays (each Widget's `rows`, and the bus's listener array) and the rows' strings.
 *
 * Browser snapshots (Chromium 156, fixtures/pages/): a detached element held by a script is a
 * `native` node (V8 merges the JS wrapper into it) and is reported by `user-objects`; its children,
 * text and listeners fold into it (`detached-dom-subtree`). Text and other nodes that script never
 * touched have even ids, which the matcher never counts as new, so they are never candidates of
 * their own; the dominator charges still bring their bytes to the element above them.
 */
export const LEAK_RULES: readonly LeakRule[] = [
  {
    name: 'v8-internals',
    why: 'code, shapes, feedback, internal arrays and hidden objects are V8\'s: they count toward the object that owns them',
    judge: (ctx, o) => {
      const { code, objectShape, hidden, array, synthetic } = ctx.snapshot.graph.types;
      const t = ctx.snapshot.graph.nodeType[o];
      return t === code || t === objectShape || t === hidden || t === array || t === synthetic ? 'attribute' : undefined;
    },
  },
  {
    name: 'system-objects',
    why: '`system / …` objects (a closure\'s Context, WeakCells, module records) are V8\'s view of user code: charged to their owner',
    judge: (ctx, o) => (ctx.isSystem(o) ? 'attribute' : undefined),
  },
  {
    name: 'blink-bindings',
    why: 'the interface objects, prototypes and constructors Blink makes the first time a page uses an element type live as long as '
      + 'the page: the browser\'s, not a leak (dom.ts bindingHolders)',
    judge: (ctx, o) => (isHeldByBindings(ctx.snapshot, o) ? 'attribute' : undefined),
  },
  {
    name: 'detached-dom-subtree',
    why: 'what a leaked detached DOM element keeps (its child elements and text, their listeners and what those hold) is that '
      + 'element\'s retained size: the detached tree is one leak, reported at its top',
    judge: (ctx, o) => (ctx.owner >= 0 && isDetachedDom(ctx.snapshot, ctx.owner) ? 'attribute' : undefined),
  },
  {
    name: 'live-dom',
    why: 'a DOM node still attached to a document is part of the page as it is shown: the page\'s state, which DOM assertions '
      + 'check, not memory it lost. (Chromium gives a node a new id when it gets a JavaScript wrapper, so an old node can look new.)',
    judge: (ctx, o) => {
      const g = ctx.snapshot.graph;
      return g.nodeType[o] === g.types.native && g.nodeDetachedness?.[o] === ATTACHED ? 'attribute' : undefined;
    },
  },
  {
    name: 'dom-node-caches',
    why: 'the attribute maps, child lists and Attr nodes Blink keeps in a node\'s rare data live and die with that node',
    judge: (ctx, o) => (ctx.snapshot.graph.nodeType[o] === ctx.snapshot.graph.types.native && inNodeRareData(ctx, o) ? 'attribute' : undefined),
  },
  {
    name: 'literal-boilerplates',
    why: 'an object only compiled code keeps (an allocation site\'s boilerplate for an object literal) is V8\'s template, made '
      + 'when the literal first ran: not the program\'s',
    judge: (ctx, o) => (ownedByCode(ctx.snapshot, o) ? 'attribute' : undefined),
  },
  {
    name: 'node-timers',
    why: 'Node\'s timer lists, and timers whose callback is Node\'s own code (the HTTP server\'s Date header refresh), come and '
      + 'go with Node\'s work: not the program\'s objects',
    judge: (ctx, o) => (isNodeTimer(ctx, o) ? 'attribute' : undefined),
  },
  {
    name: 'user-objects',
    why: 'objects, closures, regexps and native (DOM) objects are what code creates and can release',
    judge: (ctx, o) => (isUserObject(ctx, o) ? 'report' : undefined),
  },
  {
    name: 'owned-values',
    why: 'a string or number that a reported object dominates is part of that object\'s retained size, not a leak of its own',
    judge: (ctx, o) => (isValue(ctx.snapshot, o) && ctx.owner >= 0 ? 'attribute' : undefined),
  },
  {
    name: 'held-values',
    why: 'a string or number kept only by a program object (an old array, a Map, a closure variable) is a leak; one shared with code or '
      + 'V8\'s tables (an internalized constant, a variable name in a ScopeInfo) is not',
    judge: (ctx, o) => {
      if (!isValue(ctx.snapshot, o)) return undefined;
      if (heldByCode(ctx.snapshot, o)) return 'attribute';
      const h = holderOf(ctx, o);
      // A holder the rules above leave out (a literal's boilerplate, Node's timer) takes its values
      // with it: a TimersList's expiry and a Timeout's start time are heap numbers (Node 20,
      // test/live/node-timers.test.ts).
      return h >= 0 && isUserObject(ctx, h) && !ownedByCode(ctx.snapshot, h) && !isNodeTimer(ctx, h) ? 'report' : 'attribute';
    },
  },
];

/**
 * The verdict of the first rule that answers (`attribute` when none does); a `report` of a class
 * that matches an `--ignore-class` pattern becomes `ignore`.
 */
export function judgeCandidate(ctx: LeakRuleContext, ordinal: number, rules: readonly LeakRule[] = LEAK_RULES): LeakVerdict {
  let verdict: LeakVerdict = 'attribute';
  for (const r of rules) {
    const v = r.judge(ctx, ordinal);
    if (v !== undefined) { verdict = v; break; }
  }
  if (verdict === 'report' && ctx.ignoreClass.length > 0) {
    const name = ctx.snapshot.className(ordinal);
    if (ctx.ignoreClass.some((re) => { re.lastIndex = 0; return re.test(name); })) return 'ignore';
  }
  return verdict;
}
