import fs from 'node:fs';
import zlib from 'node:zlib';

/**
 * A deliberately naive reader for small .heapsnapshot files (a few MB): JSON.parse plus a handful
 * of walks. It exists so that the live fixture checks state the ground truth in their own terms,
 * independently of src/snapshot and src/analysis, which are measured against these fixtures.
 * Never use it on large snapshots (FACTS.md §4: JSON.parse fails beyond ~512 MiB).
 *
 * Nodes are addressed by ordinal (0 = the synthetic root). Shapes follow FACTS.md §3; where this V8
 * (Node 20, V8 11.3) differs, fixtures/targets/README.md says so.
 */

export interface HeapNode {
  ordinal: number;
  type: string;
  name: string;
  id: number;
  selfSize: number;
}

export interface HeapEdge {
  type: string;
  /** A number for element and hidden edges, a string for every other type. */
  name: string | number;
  from: number;
  to: number;
}

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
    node_count: number;
    edge_count: number;
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** One live entry of a WeakMap or WeakSet, read from its ephemeron table. */
export interface EphemeronEntry {
  key: number;
  value: number;
}

export class SnapshotJson {
  readonly nodeCount: number;
  private readonly raw: RawSnapshot;
  private readonly nodeFieldCount: number;
  private readonly edgeFieldCount: number;
  private readonly f: { type: number; name: number; id: number; selfSize: number; edgeCount: number };
  private readonly ef: { type: number; name: number; to: number };
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];
  private readonly firstEdge: Uint32Array;
  private retainerLists: HeapEdge[][] | undefined;
  private idIndex: Map<number, number> | undefined;

  static read(file: string): SnapshotJson {
    let bytes = fs.readFileSync(file);
    if (file.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
    return new SnapshotJson(JSON.parse(bytes.toString('utf8')) as RawSnapshot);
  }

  constructor(raw: RawSnapshot) {
    this.raw = raw;
    const meta = raw.snapshot.meta;
    this.nodeFieldCount = meta.node_fields.length;
    this.edgeFieldCount = meta.edge_fields.length;
    const nf = (n: string) => meta.node_fields.indexOf(n);
    const ef = (n: string) => meta.edge_fields.indexOf(n);
    this.f = { type: nf('type'), name: nf('name'), id: nf('id'), selfSize: nf('self_size'), edgeCount: nf('edge_count') };
    this.ef = { type: ef('type'), name: ef('name_or_index'), to: ef('to_node') };
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    this.nodeCount = raw.nodes.length / this.nodeFieldCount;
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    for (let i = 0, e = 0; i < this.nodeCount; i++) {
      this.firstEdge[i] = e;
      e += raw.nodes[i * this.nodeFieldCount + this.f.edgeCount]!;
      this.firstEdge[i + 1] = e;
    }
    if (this.firstEdge[this.nodeCount] !== raw.snapshot.edge_count) {
      throw new Error(`edge counts disagree: nodes say ${this.firstEdge[this.nodeCount]}, meta says ${raw.snapshot.edge_count}`);
    }
  }

  node(ordinal: number): HeapNode {
    const base = ordinal * this.nodeFieldCount;
    const n = this.raw.nodes;
    return {
      ordinal,
      type: this.nodeTypes[n[base + this.f.type]!]!,
      name: this.raw.strings[n[base + this.f.name]!]!,
      id: n[base + this.f.id]!,
      selfSize: n[base + this.f.selfSize]!,
    };
  }

  /** `Name@id`, for messages. */
  label(ordinal: number): string {
    const n = this.node(ordinal);
    return `${n.name.length > 60 ? `${n.name.slice(0, 57)}...` : n.name}@${n.id}`;
  }

  edges(ordinal: number): HeapEdge[] {
    const out: HeapEdge[] = [];
    for (let e = this.firstEdge[ordinal]!; e < this.firstEdge[ordinal + 1]!; e++) {
      const base = e * this.edgeFieldCount;
      const type = this.edgeTypes[this.raw.edges[base + this.ef.type]!]!;
      const nameOrIndex = this.raw.edges[base + this.ef.name]!;
      out.push({
        type,
        name: type === 'element' || type === 'hidden' ? nameOrIndex : this.raw.strings[nameOrIndex]!,
        from: ordinal,
        to: this.raw.edges[base + this.ef.to]! / this.nodeFieldCount,
      });
    }
    return out;
  }

  retainers(ordinal: number): HeapEdge[] {
    if (!this.retainerLists) {
      const lists: HeapEdge[][] = Array.from({ length: this.nodeCount }, () => []);
      for (let i = 0; i < this.nodeCount; i++) for (const e of this.edges(i)) lists[e.to]!.push(e);
      this.retainerLists = lists;
    }
    return this.retainerLists[ordinal]!;
  }

  byId(id: number): number | undefined {
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (let i = 0; i < this.nodeCount; i++) this.idIndex.set(this.node(i).id, i);
    }
    return this.idIndex.get(id);
  }

  /** Ordinals of all nodes that satisfy `pred`. */
  filter(pred: (n: HeapNode) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.nodeCount; i++) if (pred(this.node(i))) out.push(i);
    return out;
  }

  /** Instances of a JS class: V8 names `object` nodes after their constructor. */
  instances(className: string): number[] {
    return this.filter((n) => n.type === 'object' && n.name === className);
  }

  /** The first edge of `type` named `name` from `ordinal`, or undefined. */
  edge(ordinal: number, type: string, name: string | number): HeapEdge | undefined {
    return this.edges(ordinal).find((e) => e.type === type && e.name === name);
  }

  /** Follows property edges: `path(x, 'root', 'children')`. Undefined as soon as one is missing. */
  path(ordinal: number, ...properties: string[]): number | undefined {
    let at: number | undefined = ordinal;
    for (const p of properties) {
      if (at === undefined) return undefined;
      at = this.edge(at, 'property', p)?.to;
    }
    return at;
  }

  /** A string-valued property (`label`, `name`, …) of an object, or undefined. */
  stringProperty(ordinal: number, property: string): string | undefined {
    const to = this.path(ordinal, property);
    if (to === undefined) return undefined;
    const n = this.node(to);
    return n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string' ? n.name : undefined;
  }

  /** Targets of every `context` edge named `name`: closure and module variables by name. */
  contextVariable(name: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.nodeCount; i++) {
      for (const e of this.edges(i)) if (e.type === 'context' && e.name === name) out.push(e.to);
    }
    return out;
  }

  /** The one target of a context variable; throws unless exactly one exists. */
  variable(name: string): number {
    const found = [...new Set(this.contextVariable(name))];
    if (found.length !== 1) throw new Error(`context variable ${name}: expected 1 target, found ${found.length}`);
    return found[0]!;
  }

  /** Element edges of an Array, in index order. */
  arrayElements(array: number): number[] {
    return this.edges(array).filter((e) => e.type === 'element').sort((a, b) => (a.name as number) - (b.name as number)).map((e) => e.to);
  }

  /**
   * Entries of a JS Map: its `internal "table"` (an OrderedHashMap) has internal edges named by slot
   * index, key at slot k and value at slot k+1 (slot k+2, the chain link, is a small integer and has
   * no edge). Only entries whose key and value are heap objects (not small integers) appear; deleted
   * entries (key: the hole, a `system / Oddball`) are skipped.
   */
  mapEntries(map: number): Array<{ key: number; value: number }> {
    const table = this.edge(map, 'internal', 'table')?.to;
    if (table === undefined) throw new Error(`${this.label(map)} has no table`);
    const bySlot = new Map<number, number>();
    for (const e of this.edges(table)) if (e.type === 'internal' && /^\d+$/.test(String(e.name))) bySlot.set(Number(e.name), e.to);
    const out: Array<{ key: number; value: number }> = [];
    for (const [slot, key] of [...bySlot].sort((a, b) => a[0] - b[0])) {
      const value = bySlot.get(slot + 1);
      if (value !== undefined && this.node(key).name !== 'system / Oddball') out.push({ key, value });
    }
    return out;
  }

  // ---- weak references (FACTS.md §3) -------------------------------------------------------------

  /** A WeakRef's target, or undefined once it was collected (the WeakRef keeps its id, loses the edge). */
  weakRefTarget(weakRef: number): number | undefined {
    return this.edge(weakRef, 'weak', 'target')?.to;
  }

  /**
   * Live entries of a WeakMap or WeakSet. The `internal "table"` array carries, per entry, an
   * internal edge to the value named `N / part of key (K @kid) -> value (V @vid) pair in WeakMap
   * (table @tid)`; the ids in that name identify key and value. Dead slots name `system / Oddball`
   * (the hole) as key and are skipped. WeakSet values are the `true` Oddball.
   */
  ephemeronEntries(weakCollection: number): EphemeronEntry[] {
    const table = this.edge(weakCollection, 'internal', 'table')?.to;
    if (table === undefined) throw new Error(`${this.label(weakCollection)} has no table`);
    const out: EphemeronEntry[] = [];
    for (const e of this.edges(table)) {
      const pair = e.type === 'internal' ? parseEphemeronEdgeName(String(e.name)) : undefined;
      if (!pair || pair.keyName === 'system / Oddball') continue;
      const key = this.byId(pair.keyId);
      if (key === undefined) throw new Error(`ephemeron key @${pair.keyId} is not in the snapshot`);
      out.push({ key, value: e.to });
    }
    return out;
  }

  /** The registrations (`system / WeakCell`) of a FinalizationRegistry: every cell points at its registry. */
  weakCells(registry: number): number[] {
    return this.retainers(registry)
      .filter((e) => this.node(e.from).name === 'system / WeakCell' && e.type === 'hidden')
      .map((e) => e.from);
  }

  /** A WeakCell's target: absent once the target was collected (the cell then waits for its callback). */
  weakCellTarget(cell: number): number | undefined {
    return this.edge(cell, 'weak', 'target')?.to;
  }

  /**
   * A WeakCell's held value: the one hidden edge that leads neither to the registry nor to another
   * cell (those are the list links). Classified by the target's type, never by the numeric edge
   * name, which changes with the cell's state (FACTS.md §3). Undefined for an Smi held value.
   */
  weakCellHeld(cell: number): number | undefined {
    const held = this.edges(cell).filter((e) => {
      if (e.type !== 'hidden') return false;
      const n = this.node(e.to);
      return n.name !== 'system / WeakCell' && !(n.type === 'object' && n.name === 'FinalizationRegistry');
    });
    if (held.length > 1) throw new Error(`${this.label(cell)}: ${held.length} candidate held values`);
    return held[0]?.to;
  }

  // ---- reachability ------------------------------------------------------------------------------

  /**
   * Whether an edge keeps its target alive, as DevTools' `isEssentialEdge` decides it: weak edges
   * retain nothing; shortcut edges count only from the root; and the table-side edge of an ephemeron
   * pair is dropped, so a WeakMap value is retained through its key.
   */
  isRetainingEdge(e: HeapEdge): boolean {
    if (e.type === 'weak') return false;
    if (e.type === 'shortcut') return e.from === 0;
    if (e.type === 'internal') {
      const pair = parseEphemeronEdgeName(String(e.name));
      if (pair && this.node(e.from).id !== pair.keyId) return false;
    }
    return true;
  }

  /**
   * Marks every node reachable from the root through retaining edges. `cut` removes more edges,
   * which turns "why is this kept?" into an exact question: is X still reachable without edge E?
   */
  stronglyReachable(cut?: (e: HeapEdge) => boolean): Uint8Array {
    const seen = new Uint8Array(this.nodeCount);
    const stack = [0];
    seen[0] = 1;
    while (stack.length) {
      const at = stack.pop()!;
      for (const e of this.edges(at)) {
        if (seen[e.to] || !this.isRetainingEdge(e) || cut?.(e)) continue;
        seen[e.to] = 1;
        stack.push(e.to);
      }
    }
    return seen;
  }

  isStronglyReachable(ordinal: number, cut?: (e: HeapEdge) => boolean): boolean {
    return this.stronglyReachable(cut)[ordinal] === 1;
  }

  /** The shortest retaining path from the root to `ordinal` (BFS), or undefined when only weakly reachable. */
  strongPath(ordinal: number): HeapEdge[] | undefined {
    const via = new Map<number, HeapEdge>();
    const queue = [0];
    const seen = new Uint8Array(this.nodeCount);
    seen[0] = 1;
    for (let q = 0; q < queue.length; q++) {
      const at = queue[q]!;
      if (at === ordinal) break;
      for (const e of this.edges(at)) {
        if (seen[e.to] || !this.isRetainingEdge(e)) continue;
        seen[e.to] = 1;
        via.set(e.to, e);
        queue.push(e.to);
      }
    }
    if (!seen[ordinal]) return undefined;
    const path: HeapEdge[] = [];
    for (let at = ordinal; at !== 0; at = via.get(at)!.from) path.unshift(via.get(at)!);
    return path;
  }

  /** `root -[element 1]-> (GC roots)@3 -[context activeLoggers]-> Array@5 …`, for messages. */
  describePath(path: HeapEdge[]): string {
    return path.reduce((s, e) => `${s} -[${e.type} ${e.name}]-> ${this.label(e.to)}`, 'root');
  }
}

const EPHEMERON_EDGE = / \/ part of key \((.*) @(\d+)\) -> value \((.*) @(\d+)\) pair in WeakMap \(table @(\d+)\)$/;

export function parseEphemeronEdgeName(name: string): { keyName: string; keyId: number; valueId: number; tableId: number } | undefined {
  const m = EPHEMERON_EDGE.exec(name);
  return m ? { keyName: m[1]!, keyId: Number(m[2]), valueId: Number(m[4]), tableId: Number(m[5]) } : undefined;
}
