/**
 * The Leaks view's inputs and its last result, kept outside the component: the shell mounts a view
 * only while its tab is shown, and a run (seconds on big snapshots) must survive a look at the
 * retainers of one of its objects. A run started before a tab switch still lands here.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { LeakBudgets, LeakReportDto, SnapshotId, SnapshotMeta } from '../../../src/shared/contract.js';
import { api } from '../../lib/api.js';
import { describeError } from '../../lib/errors.js';
import { app } from '../../state/app.svelte.js';
import { readBudgets } from './budget.js';
import { defaultTriple, tripleProblem, type Triple } from './pick.js';

/** LIMITS.maxPage (src/shared/schemas.ts, which the renderer does not import: it carries zod). */
const PAGE = 1000;
export const ROLES = ['baseline', 'target', 'final'] as const;
export type Role = (typeof ROLES)[number];

export type LeakCluster = LeakReportDto['rows'][number];

export interface LeakRun {
  triple: Required<Triple>;
  budgets: LeakBudgets;
  report: LeakReportDto;
  clusters: LeakCluster[];
}

export class LeaksViewState {
  picks = $state<Triple>({});
  bytesInput = $state('');
  objectsInput = $state('');
  ignoreInput = $state('');
  running = $state(false);
  /** What the engine is doing while a run waits (loading which snapshot, how far). */
  progress = $state('');
  failure = $state<string | undefined>(undefined);
  /** The three snapshots the failed run was asked for (the view explains a mix of targets in its own words). */
  failedWith = $state.raw<Triple | undefined>(undefined);
  result = $state.raw<LeakRun | undefined>(undefined);
  moreBusy = $state(false);
  /** Indexes of the clusters shown open. */
  readonly open = new SvelteSet<number>();

  budgets = $derived(readBudgets({ bytes: this.bytesInput, objects: this.objectsInput, ignore: this.ignoreInput }));
  problem = $derived(tripleProblem(this.picks));
  /** The shown result no longer matches the inputs. */
  stale = $derived(this.result !== undefined && (
    ROLES.some((r) => this.picks[r] !== this.result!.triple[r])
    || (this.budgets.ok && JSON.stringify(this.budgets.budgets) !== JSON.stringify(this.result.budgets))));

  /** Defaults when snapshots arrive, and again when a chosen one is gone (deleted). */
  fillDefaults(snapshots: readonly SnapshotMeta[], chosen: Triple, current?: SnapshotId): void {
    const exists = (id: SnapshotId | undefined) => id !== undefined && snapshots.some((s) => s.snapshotId === id);
    if (ROLES.every((r) => exists(this.picks[r]))) return;
    this.picks = defaultTriple(snapshots, chosen, current);
  }

  async run(): Promise<void> {
    const read = this.budgets;
    if (this.problem || !read.ok || this.running) return;
    const triple = { baseline: this.picks.baseline!, target: this.picks.target!, final: this.picks.final! };
    const budgets = read.budgets;
    app.leaks = { ...triple };
    this.running = true;
    this.failure = undefined;
    this.failedWith = undefined;
    this.progress = '';
    // Loading a snapshot into the engine can take seconds: say which one and how far.
    const stop = api.on('snapshot.progress', (p) => {
      const role = ROLES.find((r) => triple[r] === p.snapshotId);
      if (!role) return;
      const pct = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
      this.progress = `loading ${role}: ${p.phase}${pct}`;
    });
    try {
      const report = await api.call('leaks.report', {
        baselineId: triple.baseline, targetId: triple.target, finalId: triple.final, budgets, start: 0, end: PAGE,
      });
      this.open.clear();
      this.result = { triple, budgets, report, clusters: report.rows };
    } catch (err) {
      this.result = undefined;
      this.failure = describeError(err);
      this.failedWith = triple;
    } finally {
      stop();
      this.running = false;
      this.progress = '';
    }
  }

  async loadMore(): Promise<void> {
    const r = this.result;
    if (!r || this.moreBusy || r.clusters.length >= r.report.total) return;
    this.moreBusy = true;
    try {
      const start = r.clusters.length;
      const page = await api.call('leaks.report', {
        baselineId: r.triple.baseline, targetId: r.triple.target, finalId: r.triple.final, budgets: r.budgets, start, end: start + PAGE,
      });
      if (this.result === r) this.result = { ...r, clusters: [...r.clusters, ...page.rows] };
    } catch (err) {
      app.error(err);
    } finally {
      this.moreBusy = false;
    }
  }
}

export const leaksView = new LeaksViewState();
