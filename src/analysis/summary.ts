import type { HeapGraph } from '../snapshot/graph.js';
import { classifyNodes, type ClassTable } from './classes.js';
import { computeDominators, dominatedNodes, type Dominators } from './dominators.js';
import { ownerAdjustedSelfSizes } from './shallow.js';

export interface ClassSummary {
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number;
  /** DevTools' class key: `,Name`, or `script,line,column,Name` when objects of one name come from different constructors. */
  key: string;
  /** Present (true) on classes of detached DOM nodes (`Detached <div>`…; ClassTable.detached). */
  detached?: true;
}

/** Everything a full load computes once per snapshot: adjusted sizes, dominators, classes. */
export interface AnalyzedSnapshot {
  graph: HeapGraph;
  selfSize: Float64Array;
  dominators: Dominators;
  classes: ClassTable;
}

export function analyze(graph: HeapGraph): AnalyzedSnapshot {
  const selfSize = ownerAdjustedSelfSizes(graph);
  const dominators = computeDominators(graph, selfSize);
  const classes = classifyNodes(graph);
  return { graph, selfSize, dominators, classes };
}

/**
 * Objects grouped by class as DevTools' Summary shows them: objects of zero (adjusted) size are left
 * out; a class's retained size counts each instance that no other instance of the same class
 * dominates, so nested instances are not counted twice.
 */
export function summarizeClasses(a: AnalyzedSnapshot): ClassSummary[] {
  const { graph, selfSize, dominators, classes } = a;
  const k = classes.names.length;
  const count = new Float64Array(k);
  const self = new Float64Array(k);
  const retained = new Float64Array(k);
  const { classOf } = classes;
  for (let o = 0; o < graph.nodeCount; o++) {
    const s = selfSize[o]!;
    if (!s) continue;
    const c = classOf[o]!;
    count[c]!++;
    self[c]! += s;
  }
  // Walk the dominator tree depth first; `open[c]` counts ancestors of class c on the current path.
  const { first, nodes } = dominatedNodes(dominators.dominator, graph.rootOrdinal);
  const open = new Uint32Array(k);
  const stack = new Uint32Array(graph.nodeCount * 2 + 2); // entries: ordinal*2 (enter) or ordinal*2+1 (leave)
  let top = 0;
  stack[top++] = graph.rootOrdinal * 2;
  while (top > 0) {
    const entry = stack[--top]!;
    const o = entry >>> 1;
    const c = classOf[o]!;
    if (entry & 1) { open[c]!--; continue; }
    const counts = selfSize[o]! > 0;
    if (counts && open[c] === 0) retained[c]! += dominators.retainedSize[o]!;
    if (counts) { open[c]!++; stack[top++] = o * 2 + 1; }
    for (let i = first[o]!; i < first[o + 1]!; i++) stack[top++] = nodes[i]! * 2;
  }
  const out: ClassSummary[] = [];
  for (let c = 0; c < k; c++) {
    if (count[c] === 0) continue;
    const row: ClassSummary = { name: classes.names[c]!, count: count[c]!, selfSize: self[c]!, retainedSize: retained[c]!, key: classes.keys[c]! };
    if (classes.detached[c]) row.detached = true;
    out.push(row);
  }
  out.sort((x, y) => y.retainedSize - x.retainedSize || y.selfSize - x.selfSize || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out;
}

/** What DevTools shows as the snapshot's size: all self sizes plus the embedder's extra native bytes. */
export function totalSize(graph: HeapGraph): number {
  let sum = graph.layout.extraNativeBytes;
  for (let o = 0; o < graph.nodeCount; o++) sum += graph.nodeSelfSize[o]!;
  return sum;
}
