/**
 * The Leaks view's verdict in `heapscope check`'s words (src/cli/check.ts): one PASS or FAIL line
 * with the totals and the budgets, what is over, and the notes `leaks` prints about what it left
 * out. Byte formatting is passed in: the panel uses DevTools' units, the test the CLI's.
 */
import type { LeakReportDto } from '../../../src/shared/contract.js';
import { overBudget } from './budget.js';

type Report = Pick<LeakReportDto, 'total' | 'totalCount' | 'totalRetainedSize' | 'candidates' | 'ignored' | 'budgets' | 'pass'>;
type Bytes = (n: number) => string;

/** `61 leaked objects in 4 clusters, 36 kB retained` (leak-run.ts leakSummaryLine). */
export function summaryLine(r: Report, bytes: Bytes): string {
  return `${r.totalCount} leaked object${r.totalCount === 1 ? '' : 's'} in ${r.total} cluster${r.total === 1 ? '' : 's'}, `
    + `${bytes(r.totalRetainedSize)} retained`;
}

/** `PASS: … (budget N objects, B)` or `FAIL: …: over budget (what is over)`, as `check` ends. */
export function verdictLine(r: Report, bytes: Bytes): string {
  if (r.pass) return `PASS: ${summaryLine(r, bytes)} (budget ${r.budgets.maxLeakedObjects} objects, ${bytes(r.budgets.maxLeakedBytes)})`;
  const over = overBudget(r);
  const what = [
    over.objects ? `${r.totalCount} objects > ${r.budgets.maxLeakedObjects} allowed` : '',
    over.bytes ? `${bytes(r.totalRetainedSize)} > ${bytes(r.budgets.maxLeakedBytes)} allowed` : '',
  ].filter(Boolean).join(', ');
  return `FAIL: ${summaryLine(r, bytes)}: over budget (${what})`;
}

/** What the analysis left out, in `leaks`' words; [] when nothing needs saying. */
export function notes(r: Report, bytes: Bytes): string[] {
  const out: string[] = [];
  if (r.total === 0) {
    out.push(`Of ${r.candidates} objects allocated between baseline and target and still alive in final, none is one a program can release `
      + '(V8 code, shapes, feedback and constants are left out).');
  }
  if (r.ignored.count > 0) out.push(`The ignored classes left out ${r.ignored.count} objects (${bytes(r.ignored.retainedSize)}).`);
  return out;
}
