/**
 * Wire shapes of the engine API (contract.ts). Types only: the renderer imports this file with
 * `import type`, so nothing here may pull in Node, Electron or DOM code. Sizes are bytes, ids are
 * V8 object ids (numbers), snapshot ids are opaque strings the engine made up (never file paths).
 */
import type { WeakCounts, WeakShellGroupDto, WeakTargetDto } from '../analysis/weak/types.js';
import type { Step } from '../analysis/paths.js';
import type { ClassDiff } from '../analysis/diff.js';

export type { WeakCounts, WeakShellGroupDto, WeakTargetDto };

/** Opaque handle of a loaded snapshot: random URL-safe text, never a path. */
export type SnapshotId = string;

/** One page of a longer list: `total` is the list's full length, `rows` the slice asked for. */
export interface Page<Row> {
  total: number;
  start: number;
  rows: Row[];
}

/** One class of the Summary view (DevTools' grouping). */
export interface ClassRow {
  /** DevTools' class key: `,Name`, or `script,line,column,Name`; pass it to `class.instances`. */
  key: string;
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number;
}

export type ClassSortField = 'name' | 'count' | 'selfSize' | 'retainedSize';
export interface ClassSort {
  by: ClassSortField;
  order: 'asc' | 'desc';
}

/** One object of a class. */
export interface InstanceRow {
  id: number;
  /** The V8 node name (a string's text, a function's name, a constructor's name). */
  name: string;
  selfSize: number;
  retainedSize: number;
  /** Hops on the shortest retaining path from the roots; -1 when held only weakly. */
  distance: number;
}

/** One node of a retainer tree: the object at the top, its retainers as children, to a depth. */
export interface RetainerNode {
  id: number;
  /** Class name as the Summary shows it. */
  name: string;
  /** V8 node type. */
  type: string;
  /** Name or index of the edge from this node to its parent in the tree (the object it retains); null at the top. */
  edge: string | null;
  edgeType: string | null;
  /** Whether that edge keeps the object alive (false for weak edges and a WeakMap table's edge). */
  retaining: boolean;
  distance: number;
  /** Retainers of this node, closest to the roots first, at most `limit`; [] past the depth. */
  children: RetainerNode[];
  /** How many retainers this node has in all (children holds at most `limit` of them). */
  retainerCount: number;
  /** True when the node already appears higher up on the same branch (a cycle): not expanded again. */
  cycle?: boolean;
}

/** One step of a retainer path (CONTRACT.md "Shared shapes"): the analysis' own type, so the two never drift. */
export type PathStep = Step;

export interface GraphNode {
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  distance: number;
}

/** An edge `source → target` (ids): source retains target. */
export interface GraphLink {
  source: number;
  target: number;
  edge: string;
  edgeType: string;
  retaining: boolean;
}

/** One class of the Comparison view (analysis/diff.ts ClassDiff). */
export type ClassDiffRow = ClassDiff;

/** An error as it crosses the worker boundary: the Error's name and message plus its context. */
export interface ErrorDto {
  name: string;
  message: string;
  exitCode?: number;
  file?: string;
  section?: string;
  offset?: number;
  /** Request validation: the path of the offending field, e.g. `snapshotId` or `sort.by`. */
  field?: string;
}
