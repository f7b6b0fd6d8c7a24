/**
 * Wire shapes of the engine API (contract.ts). Types only: the renderer imports this file with
 * `import type`, so nothing here may pull in Node, Electron or DOM code. Sizes are bytes, ids are
 * V8 object ids (numbers), snapshot ids are opaque strings the engine made up (never file paths).
 */
import type { WeakCounts, WeakShellGroupDto, WeakTargetDto } from '../analysis/weak/types.js';
import type { Step } from '../analysis/paths.js';
import type { ClassDiff } from '../analysis/diff.js';
import type { LeakCluster } from '../analysis/cluster.js';

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
  /** The smallest distance from the roots among its objects (DevTools' class Distance); -1 when all are held only weakly. */
  distance: number;
  /** Present (true) on classes of detached DOM nodes (browser snapshots). */
  detached?: true;
}

export type ClassSortField = 'name' | 'distance' | 'count' | 'selfSize' | 'retainedSize';
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
  /** DevTools-adjusted own size and retained size, as the Summary shows them. */
  selfSize: number;
  retainedSize: number;
  /** Retainers of this node, closest to the roots first, at most `limit`; [] past the depth. */
  children: RetainerNode[];
  /** How many retainers this node has in all (children holds at most `limit` of them). */
  retainerCount: number;
  /** True when the node already appears higher up on the same branch (a cycle): not expanded again. */
  cycle?: boolean;
}

/** One step of a retainer path (CONTRACT.md "Shared shapes"): the analysis' own type, so the two never drift. */
export type PathStep = Step;

/** Node or link of a graph with a base snapshot (`graph.subgraph` with `baseId`). */
export type OverlayStatus = 'added' | 'removed' | 'kept';

export interface GraphNode {
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  distance: number;
  /** Only with `baseId`. */
  status?: OverlayStatus;
}

/** An edge `source → target` (ids): source retains target. */
export interface GraphLink {
  source: number;
  target: number;
  edge: string;
  edgeType: string;
  retaining: boolean;
  /** The edge is the WeakMap ephemeron kind: key or table to value (`part of key … pair in WeakMap`). */
  ephemeron?: boolean;
  /** Only with `baseId`. */
  status?: OverlayStatus;
}

/** One node of the dominator tree: what would be freed if this object went. */
export interface DominatorNode {
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  /** Immediate dominees in all (children holds at most one page or childLimit of them). */
  childCount: number;
  /** Only with `depth` > 1: the largest dominees, nested. */
  children?: DominatorNode[];
}

/** A weak target as the dashboard gets it: the CLI's row plus its path shape (the Weak view groups by it). */
export type WeakTargetRow = WeakTargetDto & {
  /** `formatPath(retainerPath, { shape: true })`; "" for weak-only targets. */
  shape: string;
};

/** `check`'s budgets: bytes and objects the leaked set may reach, classes (regex sources) to leave out. */
export interface LeakBudgets {
  maxLeakedBytes: number;
  maxLeakedObjects: number;
  ignoreClass: string[];
}

/** `leaks.report`: one page of `check --json`'s clusters, its totals and verdict. */
export interface LeakReportDto extends Page<LeakCluster> {
  totalCount: number;
  totalRetainedSize: number;
  candidates: number;
  ignored: { count: number; retainedSize: number };
  budgets: LeakBudgets;
  pass: boolean;
}

// ---- The session (sidebar): targets, captures, stored snapshots --------------------------------

export type TargetState = 'attached' | 'capturing' | 'died' | 'detached';

/** An inspector target. Never carries its WebSocket URL: the UUID in it is the target's only secret (FACTS §2). */
export interface TargetDto {
  /** Opaque, made up by the host. */
  targetId: string;
  /** What to call it: the target's title, or the command line of a process we started. */
  title: string;
  /** `node`, or the CDP target type (`page`, …). */
  kind: string;
  /** `HOST:PORT` of the inspector. */
  address: string;
  pid?: number;
  state: TargetState;
  /** Why it died or was detached, for the banner. */
  reason?: string;
  /** Started by heapscope itself (`demo`, `run`). */
  started: boolean;
}

/** One reading of a target's memory (`target.memory`). Bytes; `at` in ms since the epoch (host clock). */
export interface TargetMemoryDto {
  heapUsed: number;
  heapTotal: number;
  /** The process's resident set size, where the OS tells (a local inspector on Linux). */
  rss?: number;
  at: number;
}

/** A stored snapshot. `snapshotId` is the store's opaque id; the engine channels accept it. */
export interface SnapshotMeta {
  snapshotId: SnapshotId;
  name: string;
  /** ISO time of capture or import. */
  createdAt: string;
  /** File size on disk. */
  bytes: number;
  source: 'capture' | 'import' | 'file';
  /** Capture only: the target and its inspector session; snapshots of one session can be diffed. */
  targetId?: string;
  targetTitle?: string;
  sessionId?: string;
  /** Filled once the engine has loaded it (`snapshot.open`). */
  nodes?: number;
  edges?: number;
  totalSize?: number;
  /**
   * Capture only, where the target told: its JS heap in use and reserved (`Runtime.getHeapUsage`)
   * and its process's resident set size, read just before the snapshot (bytes). Growth of `rss`
   * beyond `heapUsed` is memory outside the JS heap.
   */
  heapUsed?: number;
  heapTotal?: number;
  rss?: number;
  loaded: boolean;
}

export interface CaptureProgressDto {
  captureId: string;
  targetId: string;
  /** `gc`, `graph` (V8 building the graph: done/total are V8's), `write` (bytes streamed), `load` (the engine reading it). */
  phase: 'gc' | 'graph' | 'write' | 'load';
  done: number;
  total: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** When done. */
  snapshot?: SnapshotMeta;
  /** When failed. */
  error?: ErrorDto;
}

/** One class of the Comparison view (analysis/diff.ts ClassDiff). */
export type ClassDiffRow = ClassDiff;

export type DiffSortField = 'name' | 'added' | 'removed' | 'countDelta' | 'addedSize' | 'removedSize' | 'sizeDelta';
/** Comparison order; without one, size delta descending (CONTRACT.md `diff --json`). */
export interface DiffSort {
  by: DiffSortField;
  order: 'asc' | 'desc';
}

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
