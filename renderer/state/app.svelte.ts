/**
 * Application state shared by every view (DESIGN.md renderer/state). Selection is shared: a class
 * clicked in Summary or an object clicked anywhere becomes `app.selected`, which Retainers, the
 * Retention graph and Dominators show.
 *
 * The fields and methods below are the interface views code against; the implementation may add.
 * This file holds state only; state/session.ts wires it to the host (events, actions).
 */
import type {
  CaptureProgressDto, SnapshotId, SnapshotMeta, TargetDto, UiEvents,
} from '../../src/shared/contract.js';
import { describeError } from '../lib/errors.js';
import type { ConnectionState } from '../lib/types.js';
import type { ViewName } from '../../src/shared/views.js';

// The list lives in src/shared so the desktop app's View menu follows the tabs.
export { VIEWS, type ViewName } from '../../src/shared/views.js';

/** An object picked in any view. */
export interface SelectedObject {
  snapshotId: SnapshotId;
  id: number;
  /** Class name as shown. */
  name: string;
}

export interface Banner {
  id: number;
  kind: 'error' | 'warning' | 'info';
  /** Plain text only (heap strings are hostile; never rendered as HTML). */
  message: string;
  /** Set for banners that replace themselves (one connection banner, one per dead target). */
  key?: string;
}

/** A snapshot being read into the engine (`snapshot.progress`). */
export type LoadState = Omit<UiEvents['snapshot.progress'], 'snapshotId'>;

/** A file being uploaded by the import button or a drop. */
export interface UploadState {
  id: number;
  name: string;
  sent: number;
  total: number;
}

export class AppState {
  view = $state<ViewName>('summary');
  targets = $state.raw<TargetDto[]>([]);
  snapshots = $state.raw<SnapshotMeta[]>([]);
  captures = $state.raw<CaptureProgressDto[]>([]);
  /** The snapshot the views show. */
  current = $state<SnapshotId | undefined>(undefined);
  /** Comparison base, and the retention graph's before/after overlay base. */
  base = $state<SnapshotId | undefined>(undefined);
  /** The three snapshots of the Leaks view. */
  leaks = $state<{ baseline?: SnapshotId; target?: SnapshotId; final?: SnapshotId }>({});
  /** The object selected anywhere; shared across views. */
  selected = $state<SelectedObject | undefined>(undefined);
  /** A class picked in Summary/Comparison (its DevTools key and name). */
  selectedClass = $state<{ snapshotId: SnapshotId; key: string; name: string } | undefined>(undefined);
  banners = $state<Banner[]>([]);
  private nextBanner = 1;

  /** The WebSocket to the host. */
  connection = $state<ConnectionState>('connecting');
  /** Snapshots being read into the engine, with their progress. */
  loading = $state.raw<Record<SnapshotId, LoadState>>({});
  uploads = $state.raw<UploadState[]>([]);

  /** The stored snapshot with this id. */
  snapshot(id: SnapshotId | undefined): SnapshotMeta | undefined {
    return id === undefined ? undefined : this.snapshots.find((s) => s.snapshotId === id);
  }

  /** Whether the engine has this snapshot loaded (views query it only then). */
  isLoaded(id: SnapshotId | undefined): boolean {
    return this.snapshot(id)?.loaded === true;
  }

  select(object: SelectedObject, view?: ViewName): void {
    this.selected = object;
    if (view) this.view = view;
  }

  /** Shows an error banner (an ApiError's message names file, section and byte offset when it has them). */
  error(err: unknown): void {
    // Every call pending when the socket drops fails at once: one connection banner says it all.
    if (err instanceof Error && err.name === 'ConnectionError') {
      this.keyedBanner('connection', 'error', `${err.message}. Reconnecting…`);
      return;
    }
    this.banner('error', describeError(err));
  }

  banner(kind: Banner['kind'], message: string): void {
    this.banners = [...this.banners, { id: this.nextBanner++, kind, message }];
  }

  /** A banner that replaces the previous one with the same key. */
  keyedBanner(key: string, kind: Banner['kind'], message: string): void {
    const others = this.banners.filter((b) => b.key !== key);
    this.banners = [...others, { id: this.nextBanner++, kind, message, key }];
  }

  clearBanner(key: string): void {
    if (this.banners.some((b) => b.key === key)) this.banners = this.banners.filter((b) => b.key !== key);
  }

  dismiss(id: number): void {
    this.banners = this.banners.filter((b) => b.id !== id);
  }

  /** The store's list changed: keep engine-side facts we learned, drop what refers to deleted snapshots. */
  setSnapshots(list: SnapshotMeta[]): void {
    // Plain records, not Map/Set: these are throwaway lookups, not reactive state.
    const known: Record<SnapshotId, SnapshotMeta> = Object.fromEntries(this.snapshots.map((s) => [s.snapshotId, s]));
    this.snapshots = list.map((s) => {
      const old = known[s.snapshotId];
      return old?.loaded && !s.loaded ? { ...s, loaded: true, nodes: old.nodes, edges: old.edges, totalSize: old.totalSize } : s;
    });
    const present: Record<SnapshotId, true> = Object.fromEntries(list.map((s) => [s.snapshotId, true]));
    const ids = { has: (id: SnapshotId) => present[id] === true };
    if (this.current !== undefined && !ids.has(this.current)) this.current = undefined;
    if (this.base !== undefined && !ids.has(this.base)) this.base = undefined;
    if (this.selected && !ids.has(this.selected.snapshotId)) this.selected = undefined;
    if (this.selectedClass && !ids.has(this.selectedClass.snapshotId)) this.selectedClass = undefined;
    const { baseline, target, final } = this.leaks;
    if ([baseline, target, final].some((id) => id !== undefined && !ids.has(id))) {
      this.leaks = {
        baseline: baseline && ids.has(baseline) ? baseline : undefined,
        target: target && ids.has(target) ? target : undefined,
        final: final && ids.has(final) ? final : undefined,
      };
    }
  }

  /** One snapshot's metadata changed (opened, renamed). */
  updateSnapshot(meta: SnapshotMeta): void {
    let found = false;
    this.snapshots = this.snapshots.map((s) => {
      if (s.snapshotId !== meta.snapshotId) return s;
      found = true;
      return meta;
    });
    if (!found) this.snapshots = [...this.snapshots, meta];
  }

  setTarget(target: TargetDto): void {
    const others = this.targets.filter((t) => t.targetId !== target.targetId);
    const index = this.targets.findIndex((t) => t.targetId === target.targetId);
    const next = [...others];
    next.splice(index < 0 ? next.length : index, 0, target);
    this.targets = next;
  }

  setCapture(progress: CaptureProgressDto): void {
    const index = this.captures.findIndex((c) => c.captureId === progress.captureId);
    if (progress.state !== 'running') {
      this.captures = this.captures.filter((c) => c.captureId !== progress.captureId);
      return;
    }
    const next = [...this.captures];
    if (index < 0) next.push(progress);
    else next[index] = progress;
    this.captures = next;
  }

  setLoading(id: SnapshotId, state: LoadState | undefined): void {
    const next = { ...this.loading };
    if (state) next[id] = state;
    else delete next[id];
    this.loading = next;
  }
}

export const app = new AppState();
