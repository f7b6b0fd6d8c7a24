import type { HeapGraph } from '../../snapshot/graph.js';

/**
 * The few edge and node names the weak-reference analysis looks for, recognised by string index.
 * Each string index is judged once (its raw byte length first, so the millions of property names
 * and WeakMap pair names of a large snapshot are never decoded) and remembered in one byte.
 */
export const Name = {
  none: 1,
  target: 2,
  table: 3,
  proto: 4,
  prototype: 5,
  ctor: 6,
  shared: 7,
  script: 8,
  context: 9,
  weakCell: 10,
  oddball: 11,
  systemContext: 12,
  weakRef: 13,
  weakMap: 14,
  weakSet: 15,
  finalizationRegistry: 16,
} as const;
export type NameCode = (typeof Name)[keyof typeof Name];

const WANTED: ReadonlyArray<[string, NameCode]> = [
  ['target', Name.target],
  ['table', Name.table],
  ['__proto__', Name.proto],
  ['prototype', Name.prototype],
  ['constructor', Name.ctor],
  ['shared', Name.shared],
  // SharedFunctionInfo → Script: `script_or_debug_info` in V8 11.x, `script` in older and newer versions.
  ['script_or_debug_info', Name.script],
  ['script', Name.script],
  ['context', Name.context],
  ['system / WeakCell', Name.weakCell],
  ['system / Oddball', Name.oddball],
  // V8 12+ (Chromium 156) names the hole on its own; Node 20's V8 11.3 calls it an Oddball.
  ['system / Hole', Name.oddball],
  ['system / Context', Name.systemContext],
  ['WeakRef', Name.weakRef],
  ['WeakMap', Name.weakMap],
  ['WeakSet', Name.weakSet],
  ['FinalizationRegistry', Name.finalizationRegistry],
];
const LENGTHS = new Set(WANTED.map(([s]) => Buffer.byteLength(s)));
const CODES = new Map(WANTED);

export class Names {
  private readonly codes: Uint8Array;

  constructor(private readonly graph: HeapGraph) {
    this.codes = new Uint8Array(graph.strings.count);
  }

  /** What string `index` is among the wanted names (Name.none when it is none of them). */
  code(index: number): number {
    const known = this.codes[index]!;
    if (known !== 0) return known;
    const strings = this.graph.strings;
    const code = LENGTHS.has(strings.rawLength(index)) ? (CODES.get(strings.get(index)) ?? Name.none) : Name.none;
    this.codes[index] = code;
    return code;
  }

  /** The name code of a node's name. */
  node(ordinal: number): number {
    return this.code(this.graph.nodeName[ordinal]!);
  }

  /** The name code of an edge (Name.none for element and hidden edges, whose names are indexes). */
  edge(edge: number): number {
    return this.graph.edgeHasIndex(edge) ? Name.none : this.code(this.graph.edgeName[edge]!);
  }

  /** First outgoing edge of `ordinal` with this edge type and name code, or -1. */
  find(ordinal: number, edgeType: number, code: number): number {
    const g = this.graph;
    const end = g.firstEdge[ordinal + 1]!;
    for (let e = g.firstEdge[ordinal]!; e < end; e++) {
      if (g.edgeType[e] === edgeType && this.edge(e) === code) return e;
    }
    return -1;
  }

  /** Target of the first such edge, or -1. */
  follow(ordinal: number, edgeType: number, code: number): number {
    const e = this.find(ordinal, edgeType, code);
    return e < 0 ? -1 : this.graph.edgeTo[e]!;
  }
}
