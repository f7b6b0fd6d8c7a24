import type { HeapGraph } from '../snapshot/graph.js';
import type { ClassTable } from './classes.js';

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
}

const NONE = 0xffffffff;

/**
 * Shortest paths of retaining edges from the GC roots, computed once per snapshot by breadth-first
 * search and then answered for any number of objects by walking parent links (iterative: 100k-deep
 * chains are normal). Like DevTools' distances, the search starts from the user roots (the root's
 * non-synthetic children: the JS global) and only then from the root itself, so a path through
 * `global` or a module's variables wins over an equally short one through V8's internal roots.
 * Edges are the ones `graph.isRetaining` accepts: weak edges and a WeakMap table's edge to a value
 * never appear on a path, so an object with no path is held only weakly.
 */
export class RetainerPaths {
  private readonly graph: HeapGraph;
  /** Edge that reached each node first (NONE: unreached or a start node). */
  readonly parentEdge: Uint32Array;
  /** Node that edge leaves from. */
  readonly parentNode: Uint32Array;
  /** BFS depth from the root (0 for the root), -1 when no retaining path exists. */
  readonly distance: Int32Array;

  constructor(graph: HeapGraph) {
    this.graph = graph;
    const n = graph.nodeCount;
    this.parentEdge = new Uint32Array(n).fill(NONE);
    this.parentNode = new Uint32Array(n).fill(NONE);
    this.distance = new Int32Array(n).fill(-1);
    this.search();
  }

  private search(): void {
    const g = this.graph;
    const { firstEdge, edgeTo } = g;
    const dist = this.distance;
    const queue = new Uint32Array(g.nodeCount);
    const root = g.rootOrdinal;
    dist[root] = 0;
    let head = 0;
    let tail = 0;
    const visit = (from: number, e: number) => {
      const to = edgeTo[e]!;
      if (dist[to] !== -1 || !g.isRetaining(from, e)) return;
      dist[to] = dist[from]! + 1;
      this.parentEdge[to] = e;
      this.parentNode[to] = from;
      queue[tail++] = to;
    };
    const drain = () => {
      while (head < tail) {
        const from = queue[head++]!;
        const end = firstEdge[from + 1]!;
        for (let e = firstEdge[from]!; e < end; e++) visit(from, e);
      }
    };
    // User roots first (DevTools' isUserRoot: a non-synthetic child of the root).
    for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) {
      if (g.nodeType[edgeTo[e]!] !== g.types.synthetic) visit(root, e);
    }
    drain();
    for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) visit(root, e);
    drain();
  }

  /** True when some path of retaining edges reaches the node from the root. */
  isStronglyReachable(ordinal: number): boolean {
    return this.distance[ordinal]! >= 0;
  }

  /** Ordinals from the root's child down to `ordinal` (the synthetic root itself left out); [] when unreachable. */
  ordinals(ordinal: number): number[] {
    if (!this.isStronglyReachable(ordinal)) return [];
    const out: number[] = [];
    for (let o = ordinal; o !== this.graph.rootOrdinal && o !== NONE; o = this.parentNode[o]!) out.push(o);
    return out.reverse();
  }

  /** The path as CONTRACT.md Steps, root first, ending at the object. */
  steps(ordinal: number, classes: ClassTable): Step[] {
    const g = this.graph;
    return this.ordinals(ordinal).map((o, i) => {
      const e = this.parentEdge[o]!;
      const step: Step = {
        id: g.nodeId[o]!,
        name: classes.names[classes.classOf[o]!]!,
        type: g.nodeTypeName(o),
        edge: i === 0 ? null : g.edgeNameString(e),
      };
      if (i > 0) step.edgeType = g.edgeTypeName(e);
      return step;
    });
  }
}

/** One line for people: `global / → bus → EventEmitter .listeners → Array [3] → …`. */
export function formatPath(steps: readonly Step[]): string {
  return steps
    .map((s, i) => {
      if (i === 0) return s.name;
      const edge = s.edgeType === 'element' || s.edgeType === 'hidden' ? `[${s.edge}]` : s.edgeType === 'context' ? `context.${s.edge}` : `.${s.edge}`;
      const last = i === steps.length - 1;
      return `${edge} ${s.name}${last ? ` @${s.id}` : ''}`;
    })
    .join(' → ');
}
