/**
 * The Weak references view's choices, what it has fetched and which groups are open, kept outside
 * the component: the shell mounts a view only while its tab is shown, and a click on an object
 * (to its retainers) and back must not lose the pages loaded or the groups opened.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { SnapshotId, WeakCounts, WeakShellGroupDto, WeakTargetRow } from '../../../src/shared/contract.js';
import { api } from '../../lib/api.js';
import { describeError } from '../../lib/errors.js';
import { app } from '../../state/app.svelte.js';

/** LIMITS.maxPage (src/shared/schemas.ts, which the renderer does not import: it carries zod). */
export const PAGE = 1000;

export interface LoadedWeak {
  snapshotId: SnapshotId;
  afterId: SnapshotId | undefined;
  rows: WeakTargetRow[];
  total: number;
  counts: WeakCounts;
  shells: WeakShellGroupDto[];
  shellCount: number;
}

export class WeakViewState {
  /** The "compare with" choice; the view ignores it when it is the current snapshot or no longer stored. */
  afterChoice = $state<SnapshotId | ''>('');
  showInternal = $state(false);
  loaded = $state.raw<LoadedWeak | undefined>(undefined);
  busy = $state(false);
  failure = $state<string | undefined>(undefined);
  /** Keys of the open shape groups (group keys are unique within one loaded report). */
  readonly open = new SvelteSet<string>();
  /** Bumped on every new report asked for: answers to an older one are dropped. */
  private generation = 0;

  /** Shows the report of `snapshotId` (with `afterId`): kept as it is when it already is the one loaded. */
  async show(snapshotId: SnapshotId | undefined, afterId: SnapshotId | undefined): Promise<void> {
    const l = this.loaded;
    if (l && l.snapshotId === snapshotId && l.afterId === afterId && !this.failure) return;
    const gen = ++this.generation;
    this.loaded = undefined;
    this.failure = undefined;
    this.open.clear();
    if (snapshotId === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    try {
      const page = await api.call('weak.report', { snapshotId, ...(afterId ? { afterId } : {}), start: 0, end: PAGE });
      if (gen !== this.generation) return;
      this.loaded = {
        snapshotId, afterId, rows: page.rows, total: page.total, counts: page.counts, shells: page.shells, shellCount: page.shellCount,
      };
    } catch (err) {
      if (gen === this.generation) this.failure = describeError(err);
    } finally {
      if (gen === this.generation) this.busy = false;
    }
  }

  /** The next page of targets, grouped with the ones already here. */
  async loadMore(): Promise<void> {
    const current = this.loaded;
    if (!current || this.busy || current.rows.length >= current.total) return;
    const gen = this.generation;
    this.busy = true;
    try {
      const start = current.rows.length;
      const page = await api.call('weak.report', {
        snapshotId: current.snapshotId, ...(current.afterId ? { afterId: current.afterId } : {}), start, end: start + PAGE,
      });
      if (gen !== this.generation) return;
      this.loaded = { ...current, rows: [...current.rows, ...page.rows], total: page.total };
    } catch (err) {
      if (gen === this.generation) app.error(err);
    } finally {
      if (gen === this.generation) this.busy = false;
    }
  }
}

export const weakView = new WeakViewState();
