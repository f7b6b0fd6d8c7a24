/**
 * The Leaks view's "Compare runs" panel: two runs of leak reports picked or dropped by the user,
 * and the host's answer to `reports.compare` (the comparison `heapscope compare` makes: the page
 * only reads the files). Kept outside the component, like the view's own state, so a tab switch
 * does not lose the picks or the result.
 */
import type { CompareDocument, UiRequest } from '../../../src/shared/contract.js';
import { MAX_COMPARE_REQUEST_BYTES } from '../../../src/shared/report-json.js';
import { api } from '../../lib/api.js';
import { describeError } from '../../lib/errors.js';
import { formatBytes } from '../../lib/format.js';
import { readReportFiles, runLabel, type ReportFileLike } from '../../lib/report-files.js';
import { DEFAULT_COMPARE_SORT, nextSort, sortClusters, type CompareSort, type CompareSortField } from './compare-sort.js';

export type RunSide = 'a' | 'b';

export interface PickedRun {
  label: string;
  reports: { name: string; document: unknown }[];
  skipped: number;
  fromFolder: boolean;
}

interface SideState {
  run: PickedRun | undefined;
  reading: boolean;
  error: string | undefined;
}

/** The envelope around a request on the WebSocket (`{"type":"call","callId":N,"channel":…,"request":…}`), with room for a long callId. */
const ENVELOPE_BYTES = 100;

export class CompareRunsState {
  a = $state<SideState>({ run: undefined, reading: false, error: undefined });
  b = $state<SideState>({ run: undefined, reading: false, error: undefined });
  busy = $state(false);
  failure = $state<string | undefined>(undefined);
  result = $state.raw<CompareDocument | undefined>(undefined);
  sort = $state<CompareSort>(DEFAULT_COMPARE_SORT);

  rows = $derived(this.result ? sortClusters(this.result.clusters, this.sort) : []);
  ready = $derived(!!this.a.run && !!this.b.run && !this.a.reading && !this.b.reading);
  /** The result was made from other picks than the ones shown. */
  stale = $state(false);

  /** Reads the files of one side; a bad file or a folder without reports is said on that side. */
  async pick(side: RunSide, files: readonly ReportFileLike[], fromFolder: boolean): Promise<void> {
    const s = this[side];
    if (files.length === 0) return;
    s.reading = true;
    s.error = undefined;
    try {
      const read = await readReportFiles(files, fromFolder);
      if (read.reports.length === 0) {
        s.run = undefined;
        s.error = `No leak reports among ${files.length} file${files.length === 1 ? '' : 's'}: looked for heapscope-leaks.json and JSON files shaped as `
          + '`heapscope leaks --json` / `check --json` output.';
        return;
      }
      s.run = { label: runLabel(files, fromFolder), reports: read.reports, skipped: read.skipped, fromFolder };
      if (this.result) this.stale = true;
    } catch (err) {
      s.run = undefined;
      s.error = describeError(err);
    } finally {
      s.reading = false;
    }
  }

  clear(side: RunSide): void {
    this[side] = { run: undefined, reading: false, error: undefined };
  }

  swap(): void {
    [this.a, this.b] = [this.b, this.a];
    if (this.result) this.stale = true;
  }

  async compare(): Promise<void> {
    const a = this.a.run;
    const b = this.b.run;
    if (!a || !b || this.busy) return;
    const request: UiRequest<'reports.compare'> = {
      a: { label: a.label, reports: a.reports },
      b: { label: b.label, reports: b.reports },
    };
    // Over the limit the host would close the connection (WebSocket) or refuse the call (desktop): say it first, in numbers.
    const size = new TextEncoder().encode(JSON.stringify(request)).length + ENVELOPE_BYTES;
    if (size > MAX_COMPARE_REQUEST_BYTES) {
      this.failure = `These reports come to ${formatBytes(size)} as one request; the dashboard host takes at most `
        + `${formatBytes(MAX_COMPARE_REQUEST_BYTES)} (${MAX_COMPARE_REQUEST_BYTES} bytes) per request. Pick fewer reports, `
        + 'or compare the runs on the command line: heapscope compare RUN_A RUN_B (no such limit).';
      this.result = undefined;
      return;
    }
    this.busy = true;
    this.failure = undefined;
    try {
      this.result = await api.call('reports.compare', request);
      this.stale = false;
    } catch (err) {
      this.result = undefined;
      this.failure = describeError(err);
    } finally {
      this.busy = false;
    }
  }

  sortBy(field: CompareSortField): void {
    this.sort = nextSort(this.sort, field);
  }
}

export const compareRuns = new CompareRunsState();
