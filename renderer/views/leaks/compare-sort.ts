/**
 * The Compare runs table's sort. `status` is the comparison's own order (new, persists, fixed; the
 * largest growth first within each), which the host already answers in; the other columns sort
 * by their value, keeping that order among equals.
 */
import type { ComparedCluster, CompareStatus } from '../../../src/shared/contract.js';

export type CompareSortField = 'status' | 'test' | 'name' | 'count' | 'before' | 'after' | 'delta' | 'path';
export interface CompareSort {
  by: CompareSortField;
  order: 'asc' | 'desc';
}

export const DEFAULT_COMPARE_SORT: CompareSort = { by: 'status', order: 'asc' };
/** Numbers start descending (largest first, as DevTools does), text ascending. */
export const NUMERIC_FIELDS: ReadonlySet<CompareSortField> = new Set(['count', 'before', 'after', 'delta']);

const RANK: Record<CompareStatus, number> = { new: 0, persists: 1, fixed: 2 };

/** Count change; a missing side counts 0. */
export function countDelta(c: ComparedCluster): number {
  return (c.after?.count ?? 0) - (c.before?.count ?? 0);
}

function key(c: ComparedCluster, by: CompareSortField): number | string {
  switch (by) {
    case 'status': return RANK[c.status];
    case 'test': return c.test ?? '';
    case 'name': return c.name;
    case 'path': return c.path;
    case 'count': return countDelta(c);
    // A missing side sorts below every size, zero included.
    case 'before': return c.before?.retainedSize ?? -1;
    case 'after': return c.after?.retainedSize ?? -1;
    case 'delta': return c.retainedSizeDelta;
  }
}

/** A sorted copy; ties keep the comparison's order. */
export function sortClusters(rows: readonly ComparedCluster[], sort: CompareSort): ComparedCluster[] {
  const dir = sort.order === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, k: key(row, sort.by) }))
    .sort((x, y) => {
      const c = x.k < y.k ? -1 : x.k > y.k ? 1 : 0;
      return c !== 0 ? c * dir : x.index - y.index;
    })
    .map((e) => e.row);
}

/** Clicking a header: the same column flips, another starts at its natural order. */
export function nextSort(current: CompareSort, by: CompareSortField): CompareSort {
  if (current.by === by) return { by, order: current.order === 'asc' ? 'desc' : 'asc' };
  return { by, order: NUMERIC_FIELDS.has(by) ? 'desc' : 'asc' };
}

/** `1 fixed, 0 new, 3 persist`: the line `heapscope compare` ends with. */
export function verdictLine(counts: Record<CompareStatus, number>): string {
  return `${counts.fixed} fixed, ${counts.new} new, ${counts.persists} persist`;
}
