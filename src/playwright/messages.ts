import path from 'node:path';
import { formatPath } from '../analysis/paths.js';
import type { WeakTargetDto } from '../analysis/weak/types.js';
import { formatBytes, oneLine } from '../cli/format.js';
import type { LeakReportDocument, WeakResult } from './recorder.js';

const CLUSTERS_SHOWN = 5;

/** `toHaveNoLeaks`'s failure: the verdict, the top clusters with a representative retainer path, where the report is. */
export function leakFailureMessage(doc: LeakReportDocument, reportName = 'heapscope-leaks'): string {
  const { budgets } = doc;
  const over = [
    doc.totalCount > budgets.maxLeakedObjects ? `${doc.totalCount} objects > ${budgets.maxLeakedObjects} allowed` : '',
    doc.totalRetainedSize > budgets.maxLeakedBytes ? `${formatBytes(doc.totalRetainedSize)} > ${formatBytes(budgets.maxLeakedBytes)} allowed` : '',
  ].filter(Boolean).join(', ');
  let out = `heapscope: ${summaryLine(doc)}: over budget (${over})\n`;
  out += clusterLines(doc);
  return out + footer(doc, reportName);
}

/** `not.toHaveNoLeaks`'s failure (a test that expects a leak found none within the budget). */
export function noLeakMessage(doc: LeakReportDocument, reportName = 'heapscope-leaks'): string {
  return `heapscope: expected leaks over budget (${doc.budgets.maxLeakedObjects} objects, ${formatBytes(doc.budgets.maxLeakedBytes)}), `
    + `found ${summaryLine(doc)}\n${clusterLines(doc)}${footer(doc, reportName)}`;
}

function summaryLine(doc: LeakReportDocument): string {
  return `${doc.totalCount} leaked object${doc.totalCount === 1 ? '' : 's'} in ${doc.leaks.length} cluster${doc.leaks.length === 1 ? '' : 's'}, `
    + `${formatBytes(doc.totalRetainedSize)} retained`;
}

function clusterLines(doc: LeakReportDocument): string {
  if (doc.leaks.length === 0) return '';
  let out = '\n';
  for (const c of doc.leaks.slice(0, CLUSTERS_SHOWN)) {
    out += `  ${c.count} × ${oneLine(c.name)}  ${formatBytes(c.retainedSize)}\n`;
    out += `      ${oneLine(formatPath(c.retainerPath))}\n`;
  }
  if (doc.leaks.length > CLUSTERS_SHOWN) out += `  … ${doc.leaks.length - CLUSTERS_SHOWN} more clusters in the report\n`;
  return out;
}

function footer(doc: LeakReportDocument, reportName: string): string {
  const dir = path.dirname(doc.final);
  let out = `\nReport: ${reportName}.html and .json, attached (in ${dir})`;
  if (doc.ignored.count > 0) out += `\nignoreClasses left out ${doc.ignored.count} objects (${formatBytes(doc.ignored.retainedSize)})`;
  if (doc.harness.count > 0) out += `\nLeft out: ${doc.harness.count} objects kept only by the test harness (injected scripts, CDP handles, console messages)`;
  return out;
}

export interface ReleaseVerdict {
  pass: boolean;
  /** Weak targets of the class in either snapshot. */
  matching: WeakTargetDto[];
  /** Those still strongly reachable in the latest snapshot. */
  kept: WeakTargetDto[];
}

/**
 * `toRelease(cls)`: every object of the class that a weak reference holds must be gone (released
 * since the baseline) or reachable only weakly; none may be strongly held. With no such object at
 * all the matcher cannot judge, and fails rather than pass on nothing.
 */
export function releaseVerdict(weak: WeakResult, cls: string | RegExp): ReleaseVerdict {
  const matches = (name: string) => (typeof cls === 'string' ? name === cls : (cls.lastIndex = 0, cls.test(name)));
  const matching = weak.targets.filter((t) => matches(t.name));
  const kept = matching.filter((t) => t.status !== 'released' && t.reachability === 'strong');
  return { pass: matching.length > 0 && kept.length === 0, matching, kept };
}

export function releaseMessage(weak: WeakResult, cls: string | RegExp, v: ReleaseVerdict, isNot: boolean): string {
  const what = typeof cls === 'string' ? cls : String(cls);
  const where = weak.after ? `${path.basename(weak.snapshot)} → ${path.basename(weak.after)}` : path.basename(weak.snapshot);
  if (v.matching.length === 0) {
    const seen = [...new Set(weak.targets.filter((t) => !t.internal).map((t) => t.name))].slice(0, 10);
    return `heapscope: no object of class ${oneLine(what)} is held by a WeakRef, WeakMap, WeakSet or FinalizationRegistry in ${where}, `
      + `so toRelease cannot judge it${seen.length ? ` (weakly held classes: ${seen.map(oneLine).join(', ')})` : ''}`;
  }
  const released = v.matching.filter((t) => t.status === 'released').length;
  if (isNot) {
    return `heapscope: expected some ${oneLine(what)} to stay strongly held, but all ${v.matching.length} weakly held ones are released or weak-only (${where})`;
  }
  let out = `heapscope: ${v.kept.length} of ${v.matching.length} ${oneLine(what)} objects that weak references hold are still strongly reachable`
    + ` (${released} released; ${where}):\n`;
  for (const t of v.kept.slice(0, CLUSTERS_SHOWN)) {
    const holders = t.holders.map((h) => `${h.kind} @${h.id}`).join(', ');
    out += `  ${oneLine(t.name)} @${t.id} (${holders}${t.cause ? `; ${t.cause}` : ''}), ${formatBytes(t.retainedSize)} retained, kept by:\n`;
    out += `      ${oneLine(formatPath(t.retainerPath))}\n`;
  }
  if (v.kept.length > CLUSTERS_SHOWN) out += `  … ${v.kept.length - CLUSTERS_SHOWN} more in the report\n`;
  return out;
}
