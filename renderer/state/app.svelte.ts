/**
 * Application state shared by every view (DESIGN.md renderer/state). Selection is shared: a class
 * clicked in Summary or an object clicked anywhere becomes `app.selected`, which Retainers, the
 * Retention graph and Dominators show.
 *
 * The fields and methods below are the interface views code against; the implementation may add.
 */
import type { CaptureProgressDto, SnapshotId, SnapshotMeta, TargetDto } from '../../src/shared/contract.js';

export type ViewName = 'summary' | 'comparison' | 'weak' | 'retainers' | 'graph' | 'dominators' | 'leaks';

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

  /** The stored snapshot with this id. */
  snapshot(id: SnapshotId | undefined): SnapshotMeta | undefined {
    return id === undefined ? undefined : this.snapshots.find((s) => s.snapshotId === id);
  }

  select(object: SelectedObject, view?: ViewName): void {
    this.selected = object;
    if (view) this.view = view;
  }

  /** Shows an error banner (an ApiError's message names file, section and byte offset when it has them). */
  error(err: unknown): void {
    this.banner('error', err instanceof Error ? err.message : String(err));
  }

  banner(kind: Banner['kind'], message: string): void {
    this.banners = [...this.banners, { id: this.nextBanner++, kind, message }];
  }

  dismiss(id: number): void {
    this.banners = this.banners.filter((b) => b.id !== id);
  }
}

export const app = new AppState();
