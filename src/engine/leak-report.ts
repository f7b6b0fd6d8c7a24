import type { LeakAnalysis, LeakCluster } from '../analysis/leaks.js';
import type { LeakBudgets, LeakReportDto } from '../shared/dto.js';
import { LIMITS } from '../shared/schemas.js';
import { cut } from './graph-queries.js';

/** The request's budgets with `check`'s defaults (0 bytes, 0 objects, nothing ignored). */
export function budgetsOf(b: Partial<LeakBudgets> | undefined): LeakBudgets {
  return { maxLeakedBytes: b?.maxLeakedBytes ?? 0, maxLeakedObjects: b?.maxLeakedObjects ?? 0, ignoreClass: b?.ignoreClass ?? [] };
}

/** The patterns as `check --ignore-class` compiles them (no flags); schemas.ts has refused bad ones. */
export function ignorePatterns(budgets: LeakBudgets): RegExp[] {
  return budgets.ignoreClass.map((source) => new RegExp(source));
}

/**
 * One page of `check --json`: the clusters asked for, totals over all of them, and the verdict as
 * cli/check.ts reaches it (over budget when either total is strictly greater than its budget).
 */
export function leakReport(a: LeakAnalysis, budgets: LeakBudgets, start: number, end: number): LeakReportDto {
  const to = Math.min(end, start + LIMITS.maxPage, a.leaks.length);
  const pass = a.totalRetainedSize <= budgets.maxLeakedBytes && a.totalCount <= budgets.maxLeakedObjects;
  return {
    total: a.leaks.length,
    start,
    rows: a.leaks.slice(start, Math.max(start, to)).map(cutCluster),
    totalCount: a.totalCount,
    totalRetainedSize: a.totalRetainedSize,
    candidates: a.candidates,
    ignored: a.ignored,
    budgets,
    pass,
  };
}

/** Heap strings cut for the wire, as every other channel does (class and edge names can be megabytes). */
function cutCluster(c: LeakCluster): LeakCluster {
  return {
    ...c,
    name: cut(c.name),
    path: cut(c.path),
    retainerPath: c.retainerPath.map((s) => ({ ...s, name: cut(s.name), edge: s.edge === null ? null : cut(s.edge) })),
  };
}
