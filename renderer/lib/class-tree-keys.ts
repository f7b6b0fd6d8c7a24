/**
 * DevTools' tree keys over a flattened ClassTree (Summary and Comparison): Enter opens or
 * activates, Right opens or steps in, Left closes or goes to the parent row, Space activates.
 * One implementation for both tables; each passes what differs (whether a class row can open).
 */
import type { ChildRow, ClassTree } from './class-tree.js';
import { flatIndexOf, locate, type Expansion } from './flat-tree.js';

export interface ClassTreeKeys {
  tree: ClassTree;
  expansions: () => readonly Expansion[];
  /** Whether a class row is open, or undefined when it cannot open (nothing under it). */
  classOpen: (top: number) => boolean | undefined;
  toggleClass: (top: number) => void;
  toggleChild: (top: number, child: ChildRow) => void;
  activate: (index: number) => void;
  focus: (index: number) => void;
}

/** Handles `key` on flat row `index`; true when it did something with it. */
export function classTreeKey(k: ClassTreeKeys, index: number, key: string): boolean {
  const expansions = k.expansions();
  const childAt = (i: number): { top: number; row: ChildRow | undefined } => {
    const { top, child } = locate(i, expansions);
    return { top, row: child < 0 ? undefined : k.tree.childRows(top)[child] };
  };
  const isOpen = (i: number): boolean | undefined => {
    const { top, child } = locate(i, expansions);
    if (child < 0) return k.classOpen(top);
    const row = k.tree.childRows(top)[child];
    if (row?.kind === 'instance') return row.expanded;
    if (row?.kind === 'retainer' && row.row.kind === 'node') return row.row.expandable ? row.row.expanded : undefined;
    return undefined;
  };
  const depthAt = (i: number): number => {
    const { top, child } = locate(i, expansions);
    if (child < 0) return 0;
    const row = k.tree.childRows(top)[child];
    return row?.kind === 'retainer' ? row.row.depth : 1;
  };
  const toggleAt = (i: number): void => {
    const { top, child } = locate(i, expansions);
    if (child < 0) k.toggleClass(top);
    else {
      const { row } = childAt(i);
      if (row) k.toggleChild(top, row);
    }
  };

  const open = isOpen(index);
  switch (key) {
    case 'Enter':
      if (open === undefined) k.activate(index);
      else toggleAt(index);
      return true;
    case 'ArrowRight':
      if (open === false) toggleAt(index);
      else if (open === true) k.focus(index + 1);
      return true;
    case 'ArrowLeft': {
      if (open === true) {
        toggleAt(index);
        return true;
      }
      const { top, child } = locate(index, expansions);
      if (child < 0) return true;
      const depth = depthAt(index);
      for (let i = index - 1; i >= flatIndexOf(top, expansions); i--) {
        if (depthAt(i) < depth) {
          k.focus(i);
          break;
        }
      }
      return true;
    }
    case ' ':
      k.activate(index);
      return true;
    default:
      return false;
  }
}
