import type { ScanResult } from './scanner.js';
import type { SnapshotLayout } from './format.js';
import type { StringTable } from './strings.js';
import { compactLocations, type Locations } from './locations.js';
import { harnessEdgeFilter, type HarnessRoots } from './harness.js';

export type { HarnessRoots } from './harness.js';

export interface GraphOptions {
  /** What a test harness or debugger holds: its edges retain nothing (src/snapshot/harness.ts). */
  harness?: HarnessRoots;
}

/** Indexes of V8's node types in this file's meta, -1 when a type is absent. */
export interface NodeTypeIds {
  hidden: number; array: number; string: number; object: number; code: number; closure: number; regexp: number;
  number: number; native: number; synthetic: number; consString: number; slicedString: number; symbol: number;
  bigint: number; objectShape: number;
}
export interface EdgeTypeIds {
  context: number; element: number; property: number; internal: number; hidden: number; shortcut: number; weak: number;
}

// Matches the name V8 gives the two internal edges of a live WeakMap entry (FACTS.md §3):
// "N / part of key (K @id) -> value (V @id) pair in WeakMap (table @id)"; the same text DevTools parses.
const EPHEMERON_EDGE = /^\d+(?<pair> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<table>\d+)\))$/;

/**
 * The heap as flat arrays: nodes and edges by ordinal, a CSR index of each node's outgoing edges
 * (`firstEdge`) and of its retainers (`firstRetainer`, `retainerEdge`, `retainerNode`). No JS object
 * per node (a `Set` holds at most 2^24 entries; 1 GB Chromium snapshots have ~17M nodes).
 */
export class HeapGraph {
  readonly file: string;
  readonly layout: SnapshotLayout;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly strings: StringTable;
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Float64Array;
  readonly firstEdge: Uint32Array;
  readonly nodeDetachedness: Uint8Array | null;
  readonly edgeType: Uint8Array;
  readonly edgeName: Uint32Array;
  readonly edgeTo: Uint32Array;
  /** firstRetainer[i]..firstRetainer[i+1]: slots of node i's retainers, in source order. */
  readonly firstRetainer: Uint32Array;
  /** Source node of each retainer slot. The edge itself is not stored (4 bytes an edge saved): see retainerEdge. */
  readonly retainerNode: Uint32Array;
  /** Bit per retainer slot: whether that edge is retaining (isRetaining of the edge). */
  private readonly retainerRetainingBits: Uint8Array;
  /** Constructor locations: per node an index into the distinct (script, line, column) triples, or -1. */
  readonly locations: Locations;
  readonly rootOrdinal = 0;
  readonly types: NodeTypeIds;
  readonly edgeTypes: EdgeTypeIds;
  /** Per string index: 0 unknown, 1 not a WeakMap entry edge name, 2 one (see `ephemeronTable`). */
  private readonly ephemeronNameState: Uint8Array;
  private readonly ephemeronTables = new Map<number, { table: number; pair: string }>();
  private readonly retainingBits: Uint8Array;

  /** The harness whose handles this graph leaves out of retention, if any. */
  readonly harness: HarnessRoots | undefined;
  /** With a harness: 1 for each object that only the harness keeps alive (see isolateHarnessHeld). */
  harnessHeld: Uint8Array | undefined;

  constructor(file: string, scan: ScanResult, options: GraphOptions = {}) {
    this.harness = options.harness;
    this.file = file;
    this.layout = scan.layout;
    this.nodeCount = scan.layout.nodeCount;
    this.edgeCount = scan.layout.edgeCount;
    this.strings = scan.strings;
    this.nodeType = scan.nodeType;
    this.nodeName = scan.nodeName;
    this.nodeId = scan.nodeId;
    this.nodeSelfSize = scan.nodeSelfSize;
    this.firstEdge = scan.firstEdge;
    this.nodeDetachedness = scan.nodeDetachedness;
    this.edgeType = scan.edgeType;
    this.edgeName = scan.edgeName;
    this.edgeTo = scan.edgeTo;
    this.locations = compactLocations(scan.locations, scan.layout);
    const nt = scan.layout.nodeTypes;
    const et = scan.layout.edgeTypes;
    this.types = {
      hidden: nt.indexOf('hidden'), array: nt.indexOf('array'), string: nt.indexOf('string'), object: nt.indexOf('object'),
      code: nt.indexOf('code'), closure: nt.indexOf('closure'), regexp: nt.indexOf('regexp'), number: nt.indexOf('number'),
      native: nt.indexOf('native'), synthetic: nt.indexOf('synthetic'), consString: nt.indexOf('concatenated string'),
      slicedString: nt.indexOf('sliced string'), symbol: nt.indexOf('symbol'), bigint: nt.indexOf('bigint'),
      objectShape: nt.indexOf('object shape'),
    };
    this.edgeTypes = {
      context: et.indexOf('context'), element: et.indexOf('element'), property: et.indexOf('property'),
      internal: et.indexOf('internal'), hidden: et.indexOf('hidden'), shortcut: et.indexOf('shortcut'), weak: et.indexOf('weak'),
    };
    this.ephemeronNameState = new Uint8Array(this.strings.count);
    this.retainingBits = computeRetainingBits(this);
    const r = buildRetainers(this.nodeCount, this.edgeCount, this.firstEdge, this.edgeTo, this.retainingBits);
    this.firstRetainer = r.firstRetainer;
    this.retainerNode = r.retainerNode;
    this.retainerRetainingBits = r.retainingBits;
  }

  /** Whether retainer slot `slot` (an index into retainerNode) is a retaining edge. */
  isRetainingSlot(slot: number): boolean {
    return (this.retainerRetainingBits[slot >>> 3]! & (1 << (slot & 7))) !== 0;
  }

  /**
   * The edge behind a retainer slot, found from its source: the k-th slot of that source among the
   * target's retainers is the k-th edge of the source to the target (both lists are in edge order).
   * For views and paths; hot loops use retainerNode and isRetainingSlot.
   */
  retainerEdge(slot: number): number {
    const to = sliceOwner(this.firstRetainer, this.nodeCount, slot);
    const from = this.retainerNode[slot]!;
    let k = 0;
    for (let s = this.firstRetainer[to]!; s < slot; s++) if (this.retainerNode[s] === from) k++;
    for (let e = this.firstEdge[from]!; e < this.firstEdge[from + 1]!; e++) {
      if (this.edgeTo[e] === to && k-- === 0) return e;
    }
    throw new Error(`retainer slot ${slot} has no edge`);
  }

  nodeTypeName(ordinal: number): string {
    return this.layout.nodeTypes[this.nodeType[ordinal]!]!;
  }

  nodeNameString(ordinal: number): string {
    return this.strings.get(this.nodeName[ordinal]!);
  }

  edgeTypeName(edge: number): string {
    return this.layout.edgeTypes[this.edgeType[edge]!]!;
  }

  /** True for edges whose name_or_index is a number (element, hidden), false when it is a string index. */
  edgeHasIndex(edge: number): boolean {
    const t = this.edgeType[edge];
    return t === this.edgeTypes.element || t === this.edgeTypes.hidden;
  }

  /** The edge's name as DevTools shows it: the string, or the index as text. */
  edgeNameString(edge: number): string {
    return this.edgeHasIndex(edge) ? String(this.edgeName[edge]) : this.strings.get(this.edgeName[edge]!);
  }

  /** Source node of an edge, by binary search over `firstEdge` (for the rare place that only has an edge). */
  edgeSource(edge: number): number {
    return sliceOwner(this.firstEdge, this.nodeCount, edge);
  }

  /** For an internal WeakMap-entry edge name: the table's id and the text shared by the pair; else undefined. */
  ephemeronEdge(nameIndex: number): { table: number; pair: string } | undefined {
    const state = this.ephemeronNameState[nameIndex];
    if (state === 1) return undefined;
    if (state === 2) return this.ephemeronTables.get(nameIndex);
    const m = EPHEMERON_EDGE.exec(this.strings.get(nameIndex));
    if (!m) {
      this.ephemeronNameState[nameIndex] = 1;
      return undefined;
    }
    const info = { table: Number(m.groups!.table), pair: m.groups!.pair! };
    this.ephemeronNameState[nameIndex] = 2;
    this.ephemeronTables.set(nameIndex, info);
    return info;
  }

  /** Whether `edge` (an outgoing edge of `from`) keeps its target alive. See isRetainingEdge. */
  isRetaining(from: number, edge: number): boolean {
    return (this.retainingBits[edge >>> 3]! & (1 << (edge & 7))) !== 0;
  }

  /** A flyweight cursor over nodes: one object reused in hot loops, never one per node. */
  cursor(ordinal = 0): NodeCursor {
    return new NodeCursor(this, ordinal);
  }

  /** Bytes held by the graph's arrays, for memory reports. */
  get byteSize(): number {
    return [this.nodeType, this.nodeName, this.nodeId, this.nodeSelfSize, this.firstEdge, this.edgeType, this.edgeName,
      this.edgeTo, this.firstRetainer, this.retainerNode, this.retainerRetainingBits, this.retainingBits, this.locations.nodeLocation]
      .reduce((sum, a) => sum + a.byteLength, this.strings.byteSize + (this.nodeDetachedness?.byteLength ?? 0));
  }
}

export class NodeCursor {
  constructor(private readonly g: HeapGraph, public ordinal: number) {}
  get id(): number { return this.g.nodeId[this.ordinal]!; }
  get type(): string { return this.g.nodeTypeName(this.ordinal); }
  get name(): string { return this.g.nodeNameString(this.ordinal); }
  get selfSize(): number { return this.g.nodeSelfSize[this.ordinal]!; }
  get edgeStart(): number { return this.g.firstEdge[this.ordinal]!; }
  get edgeEnd(): number { return this.g.firstEdge[this.ordinal + 1]!; }
  get retainerStart(): number { return this.g.firstRetainer[this.ordinal]!; }
  get retainerEnd(): number { return this.g.firstRetainer[this.ordinal + 1]!; }
}

/**
 * The node whose slice of a CSR index (`first[o]..first[o+1]`) holds `index`: the last node whose
 * slice starts at or before it (empty slices share their start with the next node, so they lose).
 */
function sliceOwner(first: Uint32Array, nodeCount: number, index: number): number {
  let lo = 0;
  let hi = nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (first[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function buildRetainers(nodeCount: number, edgeCount: number, firstEdge: Uint32Array, edgeTo: Uint32Array, edgeBits: Uint8Array) {
  const firstRetainer = new Uint32Array(nodeCount + 1);
  const retainerNode = new Uint32Array(edgeCount);
  const retainingBits = new Uint8Array((edgeCount + 7) >>> 3);
  for (let e = 0; e < edgeCount; e++) firstRetainer[edgeTo[e]!]!++;
  // Prefix sums, then fill in edge order so each node's retainers are sorted by source ordinal.
  let sum = 0;
  for (let i = 0; i < nodeCount; i++) {
    const c = firstRetainer[i]!;
    firstRetainer[i] = sum;
    sum += c;
  }
  firstRetainer[nodeCount] = sum;
  const fill = firstRetainer.slice(0, nodeCount);
  for (let from = 0; from < nodeCount; from++) {
    const end = firstEdge[from + 1]!;
    for (let e = firstEdge[from]!; e < end; e++) {
      const slot = fill[edgeTo[e]!]!++;
      retainerNode[slot] = from;
      if (edgeBits[e >>> 3]! & (1 << (e & 7))) retainingBits[slot >>> 3]! |= 1 << (slot & 7);
    }
  }
  return { firstRetainer, retainerNode, retainingBits };
}

/**
 * isRetainingEdge, computed once per edge: which edges keep their target alive. This is THE place
 * that encodes weak-reference semantics for dominators, retained sizes and retainer paths; it
 * follows Chrome DevTools' computeIsEssentialEdge (HeapSnapshot.ts) so retained sizes match it:
 * - weak edges retain nothing (WeakRef targets, WeakMap/WeakSet slots, WeakCell targets, and V8's
 *   own weak links: transitions, feedback, descriptor arrays);
 * - a WeakMap value is held by its key and its table together; only the key's edge counts, the
 *   table's is dropped (removing either would free the value; the key is the actionable one);
 * - self edges and shortcut edges (except the root's, which mark user globals) are not retention;
 * - in browser snapshots, an edge from a node the page does not own into one it owns is skipped, so
 *   objects also held by the debugger keep their page dominators (the root's own edges are kept).
 */
function computeRetainingBits(g: HeapGraph): Uint8Array {
  const bits = new Uint8Array((g.edgeCount + 7) >>> 3);
  const { weak, internal, shortcut } = g.edgeTypes;
  const pageOwned = markPageOwned(g);
  const harness = g.harness ? harnessEdgeFilter(g, g.harness) : undefined;
  const cut = harness ? new Uint8Array(bits.length) : undefined;
  for (let from = 0; from < g.nodeCount; from++) {
    const end = g.firstEdge[from + 1]!;
    const fromOwned = pageOwned[from]!;
    for (let e = g.firstEdge[from]!; e < end; e++) {
      const type = g.edgeType[e]!;
      if (type === weak) continue;
      if (harness?.(from, e)) {
        cut![e >>> 3]! |= 1 << (e & 7);
        continue;
      }
      if (type === internal) {
        const eph = g.ephemeronEdge(g.edgeName[e]!);
        if (eph && eph.table === g.nodeId[from]) continue;
      }
      const to = g.edgeTo[e]!;
      if (to === from) continue;
      if (from !== g.rootOrdinal) {
        if (type === shortcut) continue;
        if (pageOwned[to] && !fromOwned) continue;
      }
      bits[e >>> 3]! |= 1 << (e & 7);
    }
  }
  if (cut) g.harnessHeld = isolateHarnessHeld(g, bits, cut);
  return bits;
}

/**
 * Objects the harness alone keeps alive (reachable from the root with its edges, not without them)
 * must not retain anything either: left as they are, the dominator tree would hang them off the
 * root as extra roots (as it does weak-only objects, following DevTools), and a page object that
 * one of them points at would lose its page dominator (a detached row held by a leaked array and by
 * a JSHandle would no longer be inside the array's retained size). Their outgoing edges are
 * cleared from `bits`. Returns the per-node flags.
 */
function isolateHarnessHeld(g: HeapGraph, bits: Uint8Array, cut: Uint8Array): Uint8Array {
  const reach = (withCut: boolean): Uint8Array => {
    const seen = new Uint8Array(g.nodeCount);
    const stack = new Uint32Array(g.nodeCount);
    let top = 0;
    seen[g.rootOrdinal] = 1;
    stack[top++] = g.rootOrdinal;
    while (top > 0) {
      const n = stack[--top]!;
      for (let e = g.firstEdge[n]!; e < g.firstEdge[n + 1]!; e++) {
        const bit = 1 << (e & 7);
        if (!(bits[e >>> 3]! & bit) && !(withCut && cut[e >>> 3]! & bit)) continue;
        const to = g.edgeTo[e]!;
        if (seen[to]) continue;
        seen[to] = 1;
        stack[top++] = to;
      }
    }
    return seen;
  };
  const page = reach(false);
  const held = reach(true);
  for (let o = 0; o < g.nodeCount; o++) {
    held[o] = held[o]! & (page[o]! ^ 1);
    if (!held[o]) continue;
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) bits[e >>> 3]! &= ~(1 << (e & 7));
  }
  return held;
}

/**
 * DevTools' markPageOwnedNodes: everything reachable without weak edges from the root's shortcut
 * edges (user globals) and from '(Document DOM trees)'.
 */
export function markPageOwned(g: HeapGraph): Uint8Array {
  const owned = new Uint8Array(g.nodeCount);
  const stack = new Uint32Array(g.nodeCount);
  let top = 0;
  const root = g.rootOrdinal;
  for (let e = g.firstEdge[root]!; e < g.firstEdge[root + 1]!; e++) {
    const to = g.edgeTo[e]!;
    const type = g.edgeType[e]!;
    if (type === g.edgeTypes.element) {
      if (!(g.nodeType[to] === g.types.synthetic && g.nodeNameString(to) === '(Document DOM trees)')) continue;
    } else if (type !== g.edgeTypes.shortcut) continue;
    stack[top++] = to;
    owned[to] = 1;
  }
  const weak = g.edgeTypes.weak;
  while (top > 0) {
    const n = stack[--top]!;
    const end = g.firstEdge[n + 1]!;
    for (let e = g.firstEdge[n]!; e < end; e++) {
      const to = g.edgeTo[e]!;
      if (owned[to] || g.edgeType[e] === weak) continue;
      owned[to] = 1;
      stack[top++] = to;
    }
  }
  return owned;
}
