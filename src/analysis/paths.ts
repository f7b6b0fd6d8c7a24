import type { HeapGraph } from '../snapshot/graph.js';
import type { ClassTable } from './classes.js';
import { findModuleScopes, type ModuleScope } from './module-scopes.js';

/** One node of a retainer path (CONTRACT.md "Shared shapes"). */
export interface Step {
  /** V8 object id. */
  id: number;
  /** Class or constructor name as DevTools shows it. */
  name: string;
  /** V8 node type. */
  type: string;
  /** Name or index of the edge from the previous step; null on the first step. */
  edge: string | null;
  /** Additive: the edge's type (property, element, context, internal, hidden, shortcut). */
  edgeType?: string;
  /** Additive, first step only: the path starts at this module's top-level scope (its script URL or path). */
  module?: string;
  /** Additive: a closure's function name (closures' class name is `Function`). */
  function?: string;
  /** Additive: the V8 node name of a synthetic or hidden node, whose class says only `(synthetic)`/`(system)` (e.g. `(GC roots)`). */
  node?: string;
}

const NONE = 0xffffffff;

/**
 * Shortest paths of retaining edges from the GC roots, computed once per snapshot by breadth-first
 * search and then answered for any number of objects by walking parent links (iterative: 100k-deep
 * chains are normal). Edges are the ones `graph.isRetaining` accepts: weak edges and a WeakMap
 * table's edge to a value never appear on a path, so an object with no path is held only weakly.
 *
 * Paths prefer what a person can act on. The search runs in two tiers:
 * 1. from the *user roots*, all at once: the root's non-synthetic children (the JS global, as in
 *    DevTools' isUserRoot/calculateDistances) and the top-level scopes of the program's own modules
 *    (module-scopes.ts says how they are found and why: module-level variables are as permanent as
 *    globals, but V8 reaches them only through closures and Node's module records, so without this
 *    the shortest path to a leak in `const cache = []` runs through Node internals: 17 steps instead
 *    of 7 on the listener-leak fixture);
 * 2. then from the root itself (GC roots, handles, embedder nodes) for whatever tier 1 missed.
 * A module scope is a start only if it is itself strongly reachable from the root (checked by one
 * plain reachability pass), so "has a path" keeps meaning "strongly reachable".
 * The first step of a path is then the global or the module scope (the synthetic root is left out).
 */
export class RetainerPaths {
  private readonly graph: HeapGraph;
  /** Edge that reached each node first (NONE: unreached, the root, or a module scope that starts paths). */
  readonly parentEdge: Uint32Array;
  /** Node that edge leaves from; the root for the first node of every path; NONE for the root and unreached nodes. */
  readonly parentNode: Uint32Array;
  /** Hops from the first step of the node's path (1 for a user root or a child of the root, 0 for the root), -1 when no retaining path exists. */
  readonly distance: Int32Array;
  /** Module scopes used as user roots, by ordinal. */
  readonly moduleScopes: ReadonlyMap<number, ModuleScope>;

  constructor(graph: HeapGraph) {
    this.graph = graph;
    const n = graph.nodeCount;
    this.parentEdge = new Uint32Array(n).fill(NONE);
    this.parentNode = new Uint32Array(n).fill(NONE);
    this.distance = new Int32Array(n).fill(-1);
    this.moduleScopes = new Map(findModuleScopes(graph).map((m) => [m.ordinal, m]));
    this.search();
  }

  private search(): void {
    const g = this.graph;
    const { firstEdge, edgeTo } = g;
    const dist = this.distance;
    const { parentEdge, parentNode } = this;
    const queue = new Uint32Array(g.nodeCount);
    const root = g.rootOrdinal;
    const reachable = this.moduleScopes.size ? reachableFromRoot(g, queue) : undefined;
    dist[root] = 0;
    let head = 0;
    let tail = 0;
    const drain = () => {
      while (head < tail) {
        const from = queue[head++]!;
        const d = dist[from]! + 1;
        const end = firstEdge[from + 1]!;
        for (let e = firstEdge[from]!; e < end; e++) {
          const to = edgeTo[e]!;
          if (dist[to] !== -1 || !g.isRetaining(from, e)) continue;
          dist[to] = d;
          parentEdge[to] = e;
          parentNode[to] = from;
          queue[tail++] = to;
        }
      }
    };
    const visitRootEdge = (e: number) => {
      const to = edgeTo[e]!;
      if (dist[to] !== -1 || !g.isRetaining(root, e)) return;
      dist[to] = 1;
      parentEdge[to] = e;
      parentNode[to] = root;
      queue[tail++] = to;
    };
    // Tier 1: user roots. Globals first, so a tie goes to the global.
    for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) {
      if (g.nodeType[edgeTo[e]!] !== g.types.synthetic) visitRootEdge(e);
    }
    for (const o of this.moduleScopes.keys()) {
      if (dist[o] !== -1 || !reachable![o]) continue;
      dist[o] = 1; // a start: hangs off the root with no edge
      parentNode[o] = root;
      queue[tail++] = o;
    }
    drain();
    // Tier 2: everything else the root reaches.
    for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) visitRootEdge(e);
    drain();
  }

  /** True when some path of retaining edges reaches the node from the root. */
  isStronglyReachable(ordinal: number): boolean {
    return this.distance[ordinal]! >= 0;
  }

  /** The node before `ordinal` on its path (the root for a path's first node); -1 for the root and unreachable nodes. */
  parentOf(ordinal: number): number {
    const p = this.parentNode[ordinal]!;
    return p === NONE ? -1 : p;
  }

  /** Whether `ordinal` is a first step: a child of the root or a module scope. */
  isStart(ordinal: number): boolean {
    return this.distance[ordinal] === 1;
  }

  /** Ordinals from the path's first node down to `ordinal` (the synthetic root left out); [] when unreachable. */
  ordinals(ordinal: number): number[] {
    if (!this.isStronglyReachable(ordinal) || ordinal === this.graph.rootOrdinal) return [];
    const out: number[] = [];
    for (let o = ordinal; ; ) {
      out.push(o);
      if (this.distance[o] === 1) break;
      o = this.parentNode[o]!;
    }
    return out.reverse();
  }

  /** The path as CONTRACT.md Steps, root first, ending at the object. */
  steps(ordinal: number, classes: ClassTable): Step[] {
    const g = this.graph;
    return this.ordinals(ordinal).map((o, i) => {
      const step: Step = {
        id: g.nodeId[o]!,
        name: classes.names[classes.classOf[o]!]!,
        type: g.nodeTypeName(o),
        edge: null,
      };
      if (i > 0) {
        const e = this.parentEdge[o]!;
        step.edge = g.edgeNameString(e);
        step.edgeType = g.edgeTypeName(e);
      } else {
        const m = this.moduleScopes.get(o);
        if (m) step.module = m.script;
      }
      const t = g.nodeType[o];
      if (t === g.types.closure) step.function = g.nodeNameString(o);
      else if (t === g.types.synthetic || t === g.types.hidden) step.node = g.nodeNameString(o);
      return step;
    });
  }
}

/** Marks every node a retaining path from the root reaches (iterative; `stack` is scratch of nodeCount entries). */
function reachableFromRoot(g: HeapGraph, stack: Uint32Array): Uint8Array {
  const seen = new Uint8Array(g.nodeCount);
  let top = 0;
  stack[top++] = g.rootOrdinal;
  seen[g.rootOrdinal] = 1;
  while (top > 0) {
    const from = stack[--top]!;
    const end = g.firstEdge[from + 1]!;
    for (let e = g.firstEdge[from]!; e < end; e++) {
      const to = g.edgeTo[e]!;
      if (seen[to] || !g.isRetaining(from, e)) continue;
      seen[to] = 1;
      stack[top++] = to;
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Paths for people: one line, and a shape for grouping paths that differ only in indexes.

export interface FormatPathOptions {
  /** Array indexes as `[]` and no `@id` at the end: the line shared by every path of one shape. */
  shape?: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const DIGITS = /^\d+$/;

/**
 * One line for people: `global / → bus.listeners → Array[3] → (closure) → context.widget → Widget @123`.
 * Property edges chain with dots (`bus.listeners`; an object in the middle of a chain is implied by
 * it), an index is written on the class it indexes (`Array[3]`), a closure is `name()` or
 * `(closure)`, the step from a closure to its scope is left out and a captured variable is
 * `context.name`. A run of identical steps (a linked list: `.next` to a `Link`, again and again)
 * is written once with its length, `head.next×99999 → Link @7` (in shape mode `.next…`), so a
 * 100k-deep path stays one short line. Heap strings are untrusted: control characters come out as
 * escapes or U+FFFD.
 */
export function formatPath(steps: readonly Step[], options: FormatPathOptions = {}): string {
  if (steps.length === 0) return '(no retaining path)';
  const shape = options.shape === true;
  const { kept, repeats } = compressRuns(steps, shape ? 2 : MIN_RUN);
  const mark = (i: number) => (repeats[i]! > 1 ? (shape ? '…' : `×${repeats[i]}`) : '');
  // Shape lines leave ids out of node names too (`system / Context / scope @42171`: the id of the
  // scope's ScopeInfo, which differs between two loads of one page).
  const label = shape ? (text: string) => text.replace(/@\d+/g, '@') : (text: string) => text;
  const tokens: string[] = [label(startLabel(kept[0]!))];
  let printed = 0; // the step whose label ends `tokens`
  let chain = '';
  const flush = () => {
    if (chain) tokens.push(chain);
    chain = '';
  };
  for (let i = 1; i < kept.length; i++) {
    const s = kept[i]!;
    const kind = edgeKind(s);
    if (kind === 'index') {
      flush();
      if (printed !== i - 1) tokens.push(label(nodeLabel(kept[i - 1]!)));
      tokens.push(`${tokens.pop()!}${shape ? '[]' : `[${s.edge ?? ''}]`}${mark(i)}`);
    } else if (kind === 'context') {
      flush();
      chain = `context${memberLabel(s.edge ?? '', shape)}${mark(i)}`;
    } else if (kind === 'member') {
      const m = memberLabel(s.edge ?? '', shape) + mark(i);
      chain = chain ? chain + m : m.replace(/^\./, '');
    } // 'scope' (closure → its Context, Context → enclosing Context) is implied by `context.x`
    const last = i === kept.length - 1;
    if (!last) {
      // A node is left out when the path goes on through one of its properties (the chain implies
      // it); a scope is left out when the path goes on (`context.x` implies it).
      if (edgeKind(kept[i + 1]!) === 'member') continue;
      if (isScope(s)) continue;
    }
    flush();
    tokens.push(label(nodeLabel(s)) + (last && !shape ? ` @${s.id}` : ''));
    printed = i;
  }
  return tokens.map(printable).join(' → ');
}

/** Runs shorter than this are written out step by step in the normal (non-shape) format. */
const MIN_RUN = 4;

/**
 * Steps with each run of `minRun` or more identical segments (same edge kind and normalised name,
 * same node type and class) kept once; `repeats[i]` is the run's length (1 for a step on its own).
 * A run that ends the path is represented by its last step, so the line still ends at the object.
 */
function compressRuns(steps: readonly Step[], minRun: number): { kept: Step[]; repeats: number[] } {
  const kept: Step[] = [steps[0]!];
  const repeats: number[] = [1];
  for (let i = 1; i < steps.length; ) {
    const key = segmentOf(steps[i]!);
    let j = i + 1;
    while (j < steps.length && segmentOf(steps[j]!) === key) j++;
    if (j - i >= minRun) {
      kept.push(steps[j === steps.length ? j - 1 : i]!);
      repeats.push(j - i);
    } else {
      for (let k = i; k < j; k++) {
        kept.push(steps[k]!);
        repeats.push(1);
      }
    }
    i = j;
  }
  return { kept, repeats };
}

function segmentOf(s: Step): string {
  return segmentKey(s.edgeType ?? '', s.edge ?? '', s.type, s.name);
}

/**
 * A key for clustering: class and edge names along the path with array indexes normalised (`[]`),
 * ids left out, and a run of identical segments counted once (every node of a leaked linked list
 * has the same key). Two paths have the same key exactly when they differ only in indexes, ids
 * and the length of such runs.
 */
export function pathShape(steps: readonly Step[]): string {
  let key = '';
  let previous = '';
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (i === 0) {
      key = startKey(s.type, s.name, s.module);
      continue;
    }
    const segment = segmentKey(s.edgeType ?? '', s.edge ?? '', s.type, s.name);
    if (segment !== previous) key += segment;
    previous = segment;
  }
  return key;
}

/** pathShape's piece for a first step (exported so code that walks parent links builds the same keys). */
export function startKey(type: string, name: string, module: string | undefined): string {
  return module !== undefined ? `${type}:${name}:module:${module}` : `${type}:${name}`;
}

/** pathShape's piece for one edge and the node it leads to. */
export function segmentKey(edgeType: string, edge: string, type: string, name: string): string {
  return `\u0000${edgeType}:${normalizeEdge(edgeType, edge)}\u0001${type}:${name}`;
}

/**
 * Edge names with the parts that vary between equivalent paths removed: element and hidden
 * indexes, numeric property and internal names (dictionary and hash-table slots), and the ids a
 * WeakMap entry's edge name carries (`3 / part of key (K @12) -> value …`).
 */
export function normalizeEdge(edgeType: string, edge: string): string {
  if (edgeType === 'element' || edgeType === 'hidden' || DIGITS.test(edge)) return '[]';
  return edge.replace(/@\d+/g, '@').replace(HANDLE_SLOT, '[] /');
}

/**
 * `N / label`: the slot number V8 prefixes to the names of global-handle edges (`306 /
 * V8PerContextData::context_`, `24 / DevTools console`) and WeakMap entry edges. It depends on
 * allocation order, so two runs of one program number the same handle differently (seen: 274 and
 * 306 for the two contexts of one page in two runs).
 */
const HANDLE_SLOT = /^\d+ \//;

type EdgeKind = 'scope' | 'index' | 'context' | 'member';

function edgeKind(s: Step): EdgeKind {
  if (s.edgeType === 'element' || s.edgeType === 'hidden') return 'index';
  if (s.edgeType === 'context') return 'context';
  if (s.edgeType === 'internal' && (s.edge === 'context' || s.edge === 'previous') && isScope(s)) return 'scope';
  if (s.edgeType === 'internal' && s.edge !== null && DIGITS.test(s.edge)) return 'index';
  return 'member';
}

function memberLabel(name: string, shape: boolean): string {
  if (IDENTIFIER.test(name)) return `.${name}`;
  if (DIGITS.test(name)) return shape ? '[]' : `[${name}]`;
  const n = shape ? name.replace(/@\d+/g, '@').replace(HANDLE_SLOT, '[] /') : name;
  return `[${JSON.stringify(n)}]`;
}

function isScope(s: Step): boolean {
  return s.type === 'object' && s.name === 'system / Context';
}

function nodeLabel(s: Step): string {
  if (s.type === 'closure') return s.function ? `${s.function}()` : '(closure)';
  return (s.node ?? s.name).trim() || `(${s.type})`;
}

function startLabel(s: Step): string {
  if (s.module !== undefined) return `module ${baseName(s.module) || '(anonymous)'}`;
  return nodeLabel(s);
}

function baseName(script: string): string {
  const clean = script.replace(/[?#].*$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1) || clean;
}

/** Heap strings can hold newlines and terminal escapes: never let them reach a terminal raw. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\uFFFD'));
}
