import type { HeapGraph } from '../snapshot/graph.js';
import { loadHeapGraph } from '../snapshot/load.js';
import type { ParseOptions } from '../snapshot/parse.js';
import type { GraphOptions } from '../snapshot/graph.js';
import { classifyNodes, inferInterfaces, type ClassTable, type InterfaceDefinition } from './classes.js';
import { computeDominators, type Dominators } from './dominators.js';
import { RetainerPaths, type Step } from './paths.js';
import { ownerAdjustedSelfSizes } from './shallow.js';

/**
 * One loaded snapshot and everything computed from it, each part on first use and once: class
 * names, DevTools-adjusted self sizes, dominators with retained sizes, retainer paths. Every
 * analysis (summary, diff, weak, leaks) and every host (CLI, engine worker) works from this.
 */
export class LoadedSnapshot {
  readonly graph: HeapGraph;
  private _classes: ClassTable | undefined;
  private _selfSize: Float64Array | undefined;
  private _dominators: Dominators | undefined;
  private _paths: RetainerPaths | undefined;

  constructor(graph: HeapGraph) {
    this.graph = graph;
  }

  static async load(file: string, options?: ParseOptions & GraphOptions): Promise<LoadedSnapshot> {
    return new LoadedSnapshot(await loadHeapGraph(file, options));
  }

  get file(): string {
    return this.graph.file;
  }

  get classes(): ClassTable {
    return (this._classes ??= classifyNodes(this.graph, this.interfaceDefinitions));
  }

  /** The plain-object shapes popular in this snapshot (DevTools' interface definitions). */
  get interfaceDefinitions(): InterfaceDefinition[] {
    return (this._interfaces ??= inferInterfaces(this.graph));
  }

  /** Classes with another snapshot's plain-object shapes (for comparisons); not cached. */
  classesWith(definitions: InterfaceDefinition[]): ClassTable {
    return classifyNodes(this.graph, definitions);
  }

  private _interfaces: InterfaceDefinition[] | undefined;

  /** Self sizes as DevTools' Summary shows them (owned arrays charged to their owner). */
  get selfSize(): Float64Array {
    return (this._selfSize ??= ownerAdjustedSelfSizes(this.graph));
  }

  get dominators(): Dominators {
    return (this._dominators ??= computeDominators(this.graph, this.selfSize));
  }

  get paths(): RetainerPaths {
    return (this._paths ??= new RetainerPaths(this.graph));
  }

  className(ordinal: number): string {
    const c = this.classes;
    return c.names[c.classOf[ordinal]!]!;
  }

  retainedSize(ordinal: number): number {
    return this.dominators.retainedSize[ordinal]!;
  }

  /** Shortest retaining path from the GC roots, as CONTRACT.md Steps; [] when only weak edges reach it. */
  retainerPath(ordinal: number): Step[] {
    return this.paths.steps(ordinal, this.classes);
  }

  /** Ids in increasing order with their ordinals (built once, a sorted copy; no Map per node). */
  idIndex(): { ids: Uint32Array; ordinals: Uint32Array } {
    return (this._idIndex ??= buildIdIndex(this.graph));
  }

  /** Node ordinal of a V8 object id, or -1. */
  ordinalOf(id: number): number {
    const index = this.idIndex();
    let lo = 0;
    let hi = index.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = index.ids[mid]!;
      if (v === id) return index.ordinals[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private _idIndex: { ids: Uint32Array; ordinals: Uint32Array } | undefined;
}

function buildIdIndex(g: HeapGraph): { ids: Uint32Array; ordinals: Uint32Array } {
  // Sort (id, ordinal) pairs as 64-bit keys with the native typed-array sort: id in the high word,
  // ordinal in the low word, written through a 32-bit view of the same buffer (little-endian).
  const n = g.nodeCount;
  const keys = new BigUint64Array(n);
  const words = new Uint32Array(keys.buffer);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const lo = little ? 0 : 1;
  for (let o = 0; o < n; o++) {
    words[2 * o + lo] = o;
    words[2 * o + 1 - lo] = g.nodeId[o]!;
  }
  keys.sort();
  const ids = new Uint32Array(n);
  const ordinals = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    ordinals[i] = words[2 * i + lo]!;
    ids[i] = words[2 * i + 1 - lo]!;
  }
  return { ids, ordinals };
}
