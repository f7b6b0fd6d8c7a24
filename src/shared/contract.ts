/**
 * The engine API, typed once (DESIGN.md practice 6): a map of channel → {request, response}, and
 * the events the engine sends unasked. Every host (worker client, web server, Electron IPC) and
 * the renderer use these types; schemas.ts validates requests against them at run time.
 * Types only: import with `import type`.
 *
 * Lists are always paged (`start`/`end`, end exclusive, at most LIMITS.maxPage rows, schemas.ts) and
 * graphs are always bounded (depth, limit, maxNodes): the UI never receives a whole array.
 */
import type {
  ClassDiffRow, ClassRow, ClassSort, ErrorDto, GraphLink, GraphNode, InstanceRow, Page, PathStep, RetainerNode,
  SnapshotId, WeakCounts, WeakShellGroupDto, WeakTargetDto,
} from './dto.js';

export type * from './dto.js';

export interface Api {
  /** Read and analyse a .heapsnapshot(.gz); sends `progress` events while it runs. */
  'snapshot.load': {
    request: { path: string };
    response: { snapshotId: SnapshotId; nodes: number; edges: number; totalSize: number };
  };
  /** Forget a snapshot and free its memory. */
  'snapshot.close': {
    request: { snapshotId: SnapshotId };
    response: { closed: boolean };
  };
  /** Classes as the Summary shows them, default order retained size descending; `filter` is a case-insensitive name substring. */
  'summary.range': {
    request: { snapshotId: SnapshotId; start: number; end: number; sort?: ClassSort; filter?: string };
    response: Page<ClassRow>;
  };
  /** Objects of one class (by its key), largest retained size first. */
  'class.instances': {
    request: { snapshotId: SnapshotId; classKey: string; start: number; end: number };
    response: Page<InstanceRow>;
  };
  /** The object and its retainers to `depth` (1..5) levels, at most `limit` retainers per node. */
  'node.retainers': {
    request: { snapshotId: SnapshotId; id: number; depth: number; limit: number };
    response: RetainerNode;
  };
  /** Shortest retaining path from the roots to the object; [] when only weak edges reach it. */
  'node.path': {
    request: { snapshotId: SnapshotId; id: number };
    response: PathStep[];
  };
  /** The object and its retainers out to `depth` hops toward the roots, at most `maxNodes` nodes. */
  'graph.subgraph': {
    request: { snapshotId: SnapshotId; id: number; depth: number; maxNodes: number };
    response: { nodes: GraphNode[]; links: GraphLink[]; truncated: boolean };
  };
  /** Per-class changes between two snapshots of one process (Comparison view), largest size delta first. */
  'diff.classes': {
    request: { beforeId: SnapshotId; afterId: SnapshotId; start: number; end: number };
    response: Page<ClassDiffRow> & { matched: number };
  };
  /** Weak references: counts, one page of targets and the first shell groups (LIMITS.maxShells). */
  'weak.report': {
    request: { snapshotId: SnapshotId; afterId?: SnapshotId; start: number; end: number };
    response: Page<WeakTargetDto> & { counts: WeakCounts; shells: WeakShellGroupDto[]; shellCount: number };
  };
}

export type Channel = keyof Api;
export type Request<C extends Channel> = Api[C]['request'];
export type Response<C extends Channel> = Api[C]['response'];

/** Progress of a `snapshot.load`: phase `read` counts file bytes, the others are steps of the analysis. */
export interface LoadProgress {
  /** The client's call number of the load this belongs to. */
  callId: number;
  phase: 'read' | 'graph' | 'classes' | 'dominators' | 'summary' | 'paths';
  done: number;
  total: number;
}

export interface Events {
  progress: LoadProgress;
}
export type EventName = keyof Events;

// ---- Messages over the worker port (engine/client.ts ⇄ engine/host.ts) ---------------------------

export interface CallMessage {
  type: 'call';
  callId: number;
  channel: string;
  request: unknown;
}
export type ResultMessage =
  | { type: 'result'; callId: number; ok: true; response: unknown }
  | { type: 'result'; callId: number; ok: false; error: ErrorDto };
export interface EventMessage<E extends EventName = EventName> {
  type: 'event';
  event: E;
  data: Events[E];
}
export type HostMessage = ResultMessage | EventMessage;
