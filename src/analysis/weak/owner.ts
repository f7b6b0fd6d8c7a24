import type { HeapGraph } from '../../snapshot/graph.js';
import type { RetainerPaths } from '../paths.js';
import { Name, type Names } from './names.js';

const UNKNOWN = 0;
const NONE = 1;
const USER = 2;
const NODE = 3;
const NO_PARENT = 0xffffffff;

/**
 * Tells the program's weak references from Node's own. A bare Node 20 process already has WeakRefs,
 * WeakMaps, WeakSets and FinalizationRegistries with live targets (fixtures/targets/README.md §5:
 * diagnostics_channel's `SafeWeakRef`s and registry, the `SafeWeakMap`s of events, console,
 * DOMException…), and they have the same node names as the user's. So the decision is made from
 * code, never from names:
 *
 * 1. the holder's own constructor (`__proto__.constructor`, a closure → SharedFunctionInfo →
 *    Script): one from a `node:` script (the primordials' `SafeWeakRef`, `SafeWeakMap`…) makes the
 *    holder Node's; a user subclass makes it the program's;
 * 2. otherwise (a builtin constructor), the holder's shortest retaining path: it is Node's when
 *    the path passes through Node's code (closures, scopes or instances of classes from `node:`
 *    scripts) and through none of the program's (any other named script).
 *
 * Anything undecided counts as the program's: hiding a user's weak reference by mistake would be
 * worse than showing one of Node's.
 */
export class CodeOwners {
  /** Per node: UNKNOWN (not looked at yet), NONE (no code to judge by), USER or NODE. */
  private readonly verdict: Uint8Array;

  constructor(private readonly g: HeapGraph, private readonly names: Names, private readonly paths: RetainerPaths) {
    this.verdict = new Uint8Array(g.nodeCount);
  }

  /** True when `holder` belongs to Node itself rather than to the program. */
  isNodeInternal(holder: number): boolean {
    const own = this.constructorVerdict(holder);
    if (own === NODE) return true;
    if (own === USER) return false;
    if (!this.paths.isStronglyReachable(holder)) return false;
    let sawNode = false;
    for (let o = this.paths.parentNode[holder]!, hops = 0; o !== NO_PARENT && hops < 1_000_000; o = this.paths.parentNode[o]!, hops++) {
      const v = this.evidence(o);
      if (v === USER) return false;
      if (v === NODE) sawNode = true;
    }
    return sawNode;
  }

  /** True when a closure's code comes from one of Node's own `node:` scripts. */
  isNodeFunction(fn: number): boolean {
    return this.g.nodeType[fn] === this.g.types.closure && this.scriptVerdict(fn) === NODE;
  }

  /** True when an object's class (`__proto__.constructor`) is defined in one of Node's own scripts. */
  hasNodeClass(o: number): boolean {
    return this.constructorVerdict(o) === NODE;
  }

  /** What code a node belongs to, judged once per node. */
  private evidence(o: number): number {
    const known = this.verdict[o]!;
    if (known !== UNKNOWN) return known;
    const { closure, object } = this.g.types;
    const type = this.g.nodeType[o];
    let v = NONE;
    if (type === closure) v = this.scriptVerdict(o);
    else if (type === object) v = this.names.node(o) === Name.systemContext ? this.contextVerdict(o) : this.constructorVerdict(o);
    this.verdict[o] = v;
    return v;
  }

  /** The script a closure's code comes from: `node:…` is Node's, any other name the program's. */
  private scriptVerdict(fn: number): number {
    const { internal } = this.g.edgeTypes;
    const shared = this.names.follow(fn, internal, Name.shared);
    if (shared < 0) return NONE;
    const script = this.names.follow(shared, internal, Name.script);
    if (script < 0) return NONE;
    const name = this.g.nodeNameString(script);
    if (name.startsWith('node:')) return NODE;
    // No script (builtins), or a DebugInfo in its place while a debugger has breakpoints there.
    if (name === '' || name.startsWith('system / ')) return NONE;
    return USER;
  }

  /** An object's class: `__proto__.constructor`. Builtins (Object, Map, WeakRef…) have no script: NONE. */
  private constructorVerdict(o: number): number {
    const { property } = this.g.edgeTypes;
    const proto = this.names.follow(o, property, Name.proto);
    if (proto < 0) return NONE;
    const ctor = this.names.follow(proto, property, Name.ctor);
    if (ctor < 0 || this.g.nodeType[ctor] !== this.g.types.closure) return NONE;
    return this.scriptVerdict(ctor);
  }

  /** A scope (closure or module context) belongs to the code of the closures that use it. */
  private contextVerdict(ctx: number): number {
    const g = this.g;
    const end = g.firstRetainer[ctx + 1]!;
    for (let slot = g.firstRetainer[ctx]!; slot < end; slot++) {
      const from = g.retainerNode[slot]!;
      if (g.nodeType[from] !== g.types.closure) continue;
      const v = this.scriptVerdict(from);
      if (v !== NONE) return v;
    }
    return NONE;
  }
}
