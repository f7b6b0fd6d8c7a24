/**
 * From one `dominators.tree` answer to the tree a treemap or sunburst draws. Every node's area is
 * its retained size: the children shown, one "other" cell for the rest of its dominees (the ones
 * not on the page, not nested, or cut by the cell budget), and its own self size as the part of
 * its rectangle no child covers. At most `cap` cells, so the SVG stays small whatever the heap.
 */
import type { DominatorNode, Page } from '../../../src/shared/contract.js';
import { formatCount } from '../../lib/format.js';

export interface TreemapDatum {
  /** Unique within one tree: `n<id>` for an object, `other:<id of its dominator>` for an aggregate. */
  key: string;
  kind: 'node' | 'other';
  /** The object's id; for `other`, the id of the dominator whose remaining dominees it stands for. */
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  /** Object: immediate dominees in all. Other: how many dominees it stands for. */
  childCount: number;
  /** What d3's `sum` adds for this datum itself: a parent's self size, a leaf's retained size. */
  own: number;
  children?: TreemapDatum[];
}

/** Cells drawn at most (rectangles of objects plus "other" cells). */
export const CELL_CAP = 500;

/**
 * The part of a node's retained size its shown dominees do not account for, besides its own
 * self size: retainedSize − selfSize − Σ shown children's retainedSize (never below 0: sizes are
 * whole bytes, but a rounding engine must not make a negative cell).
 */
export function otherAggregate(node: Pick<DominatorNode, 'retainedSize' | 'selfSize' | 'childCount'>, shown: readonly Pick<DominatorNode, 'retainedSize'>[]): { size: number; count: number } {
  let sum = 0;
  for (const c of shown) sum += c.retainedSize;
  return { size: Math.max(0, node.retainedSize - node.selfSize - sum), count: Math.max(0, node.childCount - shown.length) };
}

interface Candidate {
  node: DominatorNode;
  depth: number;
  parent: Candidate | undefined;
  kept: boolean;
  keptChildren: Candidate[];
}

/**
 * The datum tree of an answer: its `node` at the root, the page of `rows` as children, their
 * nested children below. When there are more than `cap` cells, the largest are kept (a parent
 * always before its children: a dominee never retains more than its dominator) and the rest
 * fold into their parent's "other" cell.
 */
export function treemapData(answer: Pick<Page<DominatorNode>, 'rows'> & { node: DominatorNode }, cap = CELL_CAP): TreemapDatum {
  const root: Candidate = { node: answer.node, depth: 0, parent: undefined, kept: true, keptChildren: [] };
  const all: Candidate[] = [];
  const stack: { nodes: readonly DominatorNode[]; parent: Candidate }[] = [{ nodes: answer.rows, parent: root }];
  while (stack.length > 0) {
    const { nodes, parent } = stack.pop()!;
    for (const node of nodes) {
      const c: Candidate = { node, depth: parent.depth + 1, parent, kept: false, keptChildren: [] };
      all.push(c);
      if (node.children && node.children.length > 0) stack.push({ nodes: node.children, parent: c });
    }
  }
  all.sort((a, b) => b.node.retainedSize - a.node.retainedSize || a.depth - b.depth);
  // Budget: each kept object is one cell, and may need one "other" cell beside its children.
  let cells = answer.node.childCount > 0 ? 1 : 0;
  for (const c of all) {
    if (!c.parent!.kept) continue;
    const cost = 1 + (c.node.childCount > 0 ? 1 : 0);
    if (cells + cost > cap) continue;
    c.kept = true;
    c.parent!.keptChildren.push(c);
    cells += cost;
  }
  return build(root);
}

function build(c: Candidate): TreemapDatum {
  const { node } = c;
  const datum: TreemapDatum = {
    key: `n${node.id}`, kind: 'node', id: node.id, name: node.name, type: node.type,
    selfSize: node.selfSize, retainedSize: node.retainedSize, childCount: node.childCount, own: node.retainedSize,
  };
  if (c.keptChildren.length === 0) return datum;
  const shown = c.keptChildren.map((k) => k.node).sort((a, b) => b.retainedSize - a.retainedSize || a.id - b.id);
  const children = c.keptChildren.sort((a, b) => b.node.retainedSize - a.node.retainedSize || a.node.id - b.node.id).map(build);
  const other = otherAggregate(node, shown);
  if (other.size > 0) {
    children.push({
      key: `other:${node.id}`, kind: 'other', id: node.id, name: other.count > 0 ? `${formatCount(other.count)} more` : 'other', type: 'other',
      selfSize: 0, retainedSize: other.size, childCount: other.count, own: other.size,
    });
  }
  datum.own = node.selfSize;
  datum.children = children;
  return datum;
}
