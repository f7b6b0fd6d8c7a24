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
  CaptureProgressDto, ClassDiffRow, DiffSort, ClassRow, ClassSort, DominatorNode, ErrorDto, GraphLink, GraphNode, InstanceRow,
  LeakBudgets, LeakReportDto, Page, PathStep, RetainerNode, SnapshotId, SnapshotMeta, TargetDto, TargetMemoryDto, WeakCounts,
  WeakShellGroupDto, WeakTargetRow,
} from './dto.js';

export type * from './dto.js';
import type { CompareDocument } from '../analysis/compare-runs.js';
export type { ClusterSide, CompareDocument, ComparedCluster, CompareStatus, UncomparedTest } from '../analysis/compare-runs.js';

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
  /**
   * Classes as the Summary shows them, default order retained size descending; `filter` is a
   * case-insensitive name substring; `detached` keeps only classes of detached DOM (`Detached <div>`…).
   */
  'summary.range': {
    request: { snapshotId: SnapshotId; start: number; end: number; sort?: ClassSort; filter?: string; detached?: boolean };
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
  /**
   * The object and its retainers out to `depth` hops toward the roots, at most `maxNodes` nodes.
   * With `baseId` (an earlier snapshot of the same process) every node and link also carries
   * `status`: `kept` (in both), `added` (only in this snapshot) or `removed` (only in the base: the
   * base's own retainer subgraph of the same object contributes these).
   */
  'graph.subgraph': {
    request: { snapshotId: SnapshotId; id: number; depth: number; maxNodes: number; baseId?: SnapshotId };
    response: { nodes: GraphNode[]; links: GraphLink[]; truncated: boolean };
  };
  /**
   * One level of the dominator tree: the node `id` (default: the root) with its immediate
   * dominees, largest retained size first, one page of them. `ancestors` is the dominator chain
   * from the root down to the node's parent (breadcrumbs). With `depth` > 1, each child carries
   * its own first `childLimit` children too, `depth` levels down (a treemap's nesting).
   */
  'dominators.tree': {
    request: { snapshotId: SnapshotId; id?: number; start: number; end: number; depth?: number; childLimit?: number };
    response: Page<DominatorNode> & { node: DominatorNode; ancestors: DominatorNode[] };
  };
  /** Objects of one class (Comparison key) that were added to AFTER or removed from BEFORE; largest retained size first. */
  'diff.instances': {
    request: { beforeId: SnapshotId; afterId: SnapshotId; classKey: string; kind: 'added' | 'removed'; start: number; end: number };
    response: Page<InstanceRow>;
  };
  /**
   * `heapscope leaks`/`check` on three snapshots of one process: one page of clusters, the totals
   * over all of them, and the verdict against the budgets (both default 0, as `check`).
   */
  'leaks.report': {
    request: { baselineId: SnapshotId; targetId: SnapshotId; finalId: SnapshotId; budgets?: Partial<LeakBudgets>; start: number; end: number };
    response: LeakReportDto;
  };
  /** Per-class changes between two snapshots of one process (Comparison view): size delta descending unless `sort` says otherwise; `filter` is a case-insensitive name substring. */
  'diff.classes': {
    request: { beforeId: SnapshotId; afterId: SnapshotId; start: number; end: number; sort?: DiffSort; filter?: string };
    response: Page<ClassDiffRow> & { matched: number };
  };
  /** Weak references: counts, one page of targets and the first shell groups (LIMITS.maxShells). */
  'weak.report': {
    request: { snapshotId: SnapshotId; afterId?: SnapshotId; start: number; end: number };
    response: Page<WeakTargetRow> & { counts: WeakCounts; shells: WeakShellGroupDto[]; shellCount: number };
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

// ---- The session API: what the dashboard talks to (web host over WebSocket, Electron over IPC) ----

/**
 * Channels the hosts answer themselves: targets, captures and the snapshot store. The dashboard
 * never names files: snapshots are the store's opaque ids, and the host maps them to engine ids
 * (loading on first use), so every engine channel below takes store ids too. Uploads and downloads
 * of snapshot files go over HTTP (web host) or a native dialog (desktop), never as call payloads.
 */
export interface SessionApi {
  /** Everything the sidebar shows, in one call (on connect and after a reconnect). */
  'session.state': {
    request: Record<string, never>;
    response: { targets: TargetDto[]; snapshots: SnapshotMeta[]; captures: CaptureProgressDto[] };
  };
  /** Attach to an inspector: `ws://…`, `HOST:PORT` or `PORT` (loopback only). */
  'target.attach': {
    request: { address: string };
    response: TargetDto;
  };
  'target.detach': {
    request: { targetId: string };
    response: { detached: boolean };
  };
  /**
   * The target's memory now: its JS heap in use and reserved (`Runtime.getHeapUsage`) and, where this
   * machine can tell, the resident set size of the process that runs it. `at` is the host's clock
   * (ms since the epoch, as SnapshotMeta.createdAt). Refused (TargetStateError) while the target is
   * capturing (its JS thread is blocked, and V8's snapshot generator inflates RSS) or gone.
   */
  'target.memory': {
    request: { targetId: string };
    response: TargetMemoryDto;
  };
  /** Starts a capture and answers at once; `capture.progress` events follow, the last with `state` done/failed/cancelled. */
  'capture.start': {
    request: { targetId: string; gc?: boolean; name?: string };
    response: { captureId: string };
  };
  'capture.cancel': {
    request: { captureId: string };
    response: { cancelled: boolean };
  };
  /** Parse and analyse a stored snapshot (sends `snapshot.progress`); later calls on it answer at once. */
  'snapshot.open': {
    request: { snapshotId: SnapshotId };
    response: SnapshotMeta;
  };
  'snapshot.rename': {
    request: { snapshotId: SnapshotId; name: string };
    response: SnapshotMeta;
  };
  /** Deletes the stored file and frees the engine's copy. */
  'snapshot.delete': {
    request: { snapshotId: SnapshotId };
    response: { deleted: boolean };
  };
  /**
   * `heapscope compare` on two runs' leak reports, which the dashboard read from files the user
   * picked (parsed, trimmed of ids): which clusters are fixed, new or persist. Each document is
   * validated on the host as the CLI validates a file (ReportFormatError naming `name` and the JSON
   * path of the bad field). The whole request must fit the host's message limit
   * (MAX_COMPARE_REQUEST_BYTES, src/shared/report-json.ts).
   */
  'reports.compare': {
    request: { a: CompareRunRequest; b: CompareRunRequest };
    response: CompareDocument;
  };
}

/** One run of `reports.compare`: its name in the answer, and its reports (file names for errors). */
export interface CompareRunRequest {
  label: string;
  reports: { name: string; document: unknown }[];
}

/** Engine channels the dashboard may call (with store ids); loading by path is the host's alone. */
export type EngineUiChannel = Exclude<Channel, 'snapshot.load' | 'snapshot.close'>;
export type UiApi = SessionApi & Pick<Api, EngineUiChannel>;
export type UiChannel = keyof UiApi;
export type UiRequest<C extends UiChannel> = UiApi[C]['request'];
export type UiResponse<C extends UiChannel> = UiApi[C]['response'];

/** Events the host pushes to every connected dashboard. */
export interface UiEvents {
  'capture.progress': CaptureProgressDto;
  /** Loading a stored snapshot into the engine (phases as LoadProgress). */
  'snapshot.progress': { snapshotId: SnapshotId; phase: LoadProgress['phase']; done: number; total: number };
  /** The store changed (capture finished, import, rename, delete): the whole list, newest last. */
  'snapshots.changed': { snapshots: SnapshotMeta[] };
  /** A target changed state (attached, capturing, died, detached). */
  'target.state': TargetDto;
}
export type UiEventName = keyof UiEvents;
export interface UiEventMessage<E extends UiEventName = UiEventName> {
  type: 'event';
  event: E;
  data: UiEvents[E];
}
/** Host → dashboard: answers to calls (same shape as the worker's) and events. */
export type UiHostMessage = ResultMessage | UiEventMessage;
