import { SnapshotBuilder, type BuiltNode } from './builder.js';

export type Kind = 'WeakRef' | 'WeakMap' | 'WeakSet' | 'FinalizationRegistry';
const KINDS: Kind[] = ['WeakRef', 'WeakMap', 'WeakSet', 'FinalizationRegistry'];

/**
 * A tiny JS heap in code with the shapes V8 writes for weak references (FACTS.md §3 and
 * fixtures/targets/README.md): builtin constructors with their prototypes, instances linked by
 * `__proto__`, ephemeron tables, WeakCells. Scripts are given to closures through
 * `shared → script_or_debug_info`, so Node's code (`node:` scripts) can be told from the program's.
 */
export class WeakWorld {
  readonly b = new SnapshotBuilder();
  readonly global: BuiltNode;
  readonly protos = {} as Record<Kind, BuiltNode>;
  readonly oddballTrue: BuiltNode;
  readonly hole: BuiltNode;
  private readonly scripts = new Map<string, BuiltNode>();
  private readonly names = new Map<number, string>();

  constructor() {
    this.global = this.b.global();
    for (const kind of KINDS) {
      const ctor = this.b.node('closure', kind, 32);
      const proto = this.b.node('object', kind, 16);
      this.b.edge(ctor, 'property', 'prototype', proto).edge(proto, 'property', 'constructor', ctor);
      this.b.edge(this.global, 'property', kind, ctor);
      this.protos[kind] = proto;
    }
    this.hole = this.b.node('hidden', 'system / Oddball', 16);
    this.oddballTrue = this.b.node('hidden', 'system / Oddball', 16);
    this.b.edge(this.b.gcRoots, 'element', 1, this.hole).edge(this.b.gcRoots, 'element', 2, this.oddballTrue);
  }

  node(name: string, size = 16, id?: number): BuiltNode {
    const n = this.b.node('object', name, size, id === undefined ? {} : { id });
    this.names.set(n.ordinal, name);
    return n;
  }

  /** A closure whose code comes from `script` (e.g. `node:internal/x` or `file:///app.mjs`). */
  closure(name: string, script: string, context?: BuiltNode): BuiltNode {
    const fn = this.b.node('closure', name, 32);
    const shared = this.b.node('code', name, 32);
    let s = this.scripts.get(script);
    if (!s) this.scripts.set(script, (s = this.b.node('code', script, 64)));
    this.b.edge(fn, 'internal', 'shared', shared).edge(shared, 'internal', 'script_or_debug_info', s);
    if (context) this.b.edge(fn, 'internal', 'context', context);
    return fn;
  }

  /** A scope (`system / Context`) used by a closure from `script`, reachable from the global through it. */
  scope(script: string, via = 'fn'): { context: BuiltNode; fn: BuiltNode } {
    const context = this.node('system / Context', 32);
    const fn = this.closure(via, script, context);
    this.b.edge(this.global, 'property', via, fn);
    return { context, fn };
  }

  /** A subclass `class Name extends Base`: its prototype's `__proto__` is Base's prototype. */
  subclass(name: string, base: Kind, script = 'file:///app.mjs'): BuiltNode {
    const ctor = this.closure(name, script);
    const proto = this.node(name);
    this.b.edge(ctor, 'property', 'prototype', proto).edge(proto, 'property', 'constructor', ctor)
      .edge(proto, 'property', '__proto__', this.protos[base]);
    this.b.edge(this.global, 'property', name, ctor);
    return proto;
  }

  /** Node's primordial copy (`SafeWeakRef`…): a constructor from a `node:` script, its prototype named after the kind. */
  safeClass(kind: Kind): BuiltNode {
    const ctor = this.closure(`Safe${kind}`, 'node:internal/per_context/primordials');
    const proto = this.node(kind);
    this.b.edge(ctor, 'property', 'prototype', proto).edge(proto, 'property', 'constructor', ctor);
    this.b.edge(this.global, 'property', `Safe${kind}`, ctor);
    return proto;
  }

  instance(kind: Kind, options: { id?: number; proto?: BuiltNode; name?: string } = {}): BuiltNode {
    const o = this.node(options.name ?? kind, 24, options.id);
    this.b.edge(o, 'property', '__proto__', options.proto ?? this.protos[kind]);
    return o;
  }

  weakRef(target: BuiltNode | undefined, options: { id?: number; proto?: BuiltNode } = {}): BuiltNode {
    const r = this.instance('WeakRef', options);
    if (target) this.b.edge(r, 'weak', 'target', target);
    return r;
  }

  /** A WeakMap or WeakSet with its ephemeron table. */
  collection(kind: 'WeakMap' | 'WeakSet', options: { id?: number; proto?: BuiltNode; name?: string } = {}): { holder: BuiltNode; table: BuiltNode } {
    const holder = this.instance(kind, options);
    const table = this.b.node('array', '', 64);
    this.b.edge(holder, 'internal', 'table', table);
    return { holder, table };
  }

  /** A WeakSet entry as this V8 writes it: one weak edge (key), the pair edges to the `true` Oddball. */
  weakSetEntry(table: BuiltNode, key: BuiltNode, slot: number): void {
    const pair = `${slot} / part of key (${this.nameOf(key)} @${key.id}) -> value (system / Oddball @${this.oddballTrue.id}) pair in WeakMap (table @${table.id})`;
    this.b.edge(table, 'weak', String(slot), key);
    this.b.edge(key, 'internal', pair, this.oddballTrue).edge(table, 'internal', pair, this.oddballTrue);
  }

  /** A dead entry: the hole as key and value, with its pair edges. */
  deadEntry(table: BuiltNode, slot: number): void {
    const pair = `${slot} / part of key (system / Oddball @${this.hole.id}) -> value (system / Oddball @${this.hole.id}) pair in WeakMap (table @${table.id})`;
    this.b.edge(this.hole, 'internal', pair, this.hole).edge(table, 'internal', pair, this.hole);
  }

  registry(options: { id?: number; proto?: BuiltNode } = {}): BuiltNode {
    return this.instance('FinalizationRegistry', options);
  }

  /** A registration: the registry's hidden edge to the cell (as head or through `prev`), and the cell's own edges. */
  cell(registry: BuiltNode, target: BuiltNode | undefined, held: BuiltNode | undefined, options: { token?: BuiltNode; after?: BuiltNode } = {}): BuiltNode {
    const c = this.b.node('hidden', 'system / WeakCell', 40);
    this.b.edge(options.after ?? registry, 'hidden', options.after ? 5 : 4, c);
    this.b.edge(c, 'hidden', 0, registry);
    if (target) this.b.edge(c, 'weak', 'target', target);
    if (options.token) this.b.edge(c, 'weak', 'unregister_token', options.token);
    if (held) this.b.edge(c, 'hidden', 2, held);
    return c;
  }

  /** The name of a node made with node() (WeakMap pair edges quote it). */
  nameOf(n: BuiltNode): string {
    const name = this.names.get(n.ordinal);
    if (name === undefined) throw new Error(`node @${n.id} was not made with WeakWorld.node()`);
    return name;
  }
}
