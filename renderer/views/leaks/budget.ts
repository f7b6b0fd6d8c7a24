/**
 * `heapscope check`'s budgets as the Leaks view reads them from its inputs. The renderer may not
 * import src/cli (it bundles for the browser), so parseBytes is restated here with the same rule;
 * test/renderer/leaks-budget.test.ts holds the two to the same answers on a table of inputs.
 */
import type { LeakBudgets, LeakReportDto } from '../../../src/shared/contract.js';

/** A budget input that does not parse; `field` names the input. */
export class BudgetError extends Error {
  readonly field: keyof LeakBudgets;
  readonly value: string;
  constructor(field: keyof LeakBudgets, value: string, message: string) {
    super(message);
    this.name = 'BudgetError';
    this.field = field;
    this.value = value;
  }
}

/** KB/MB/GB are powers of 1000 (as sizes are printed: `1.1 kB`), KiB/MiB/GiB powers of 1024; case-insensitive. */
const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `--max-leaked-bytes`: a whole number of bytes, or a number with a unit (`10KB`, `1.5MiB`). */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new BudgetError('maxLeakedBytes', value, `expects bytes, e.g. 500000, 10KB, 2MB or 1.5MiB; got "${value}"`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** `--max-leaked-objects`: a whole number. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new BudgetError('maxLeakedObjects', value, `expects a whole number, got "${value}"`);
  return Number(value.trim());
}

/** `--ignore-class`, one regular expression per line (blank lines skipped); each must compile. */
export function parseIgnoreClasses(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const source = line.trim();
    if (source === '') return;
    try {
      new RegExp(source);
    } catch (err) {
      throw new BudgetError('ignoreClass', source, `line ${i + 1} is not a regular expression: ${(err as Error).message}`);
    }
    out.push(source);
  });
  return out;
}

export interface BudgetInputs {
  bytes: string;
  objects: string;
  ignore: string;
}

export type BudgetResult =
  | { ok: true; budgets: LeakBudgets }
  | { ok: false; errors: Partial<Record<keyof LeakBudgets, string>> };

/** All three inputs at once; an empty budget is 0, as `check`'s defaults. */
export function readBudgets(inputs: BudgetInputs): BudgetResult {
  const errors: Partial<Record<keyof LeakBudgets, string>> = {};
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof BudgetError)) throw err;
      errors[err.field] = err.message;
      return fallback;
    }
  };
  const budgets: LeakBudgets = {
    maxLeakedBytes: attempt(() => (inputs.bytes.trim() === '' ? 0 : parseBytes(inputs.bytes)), 0),
    maxLeakedObjects: attempt(() => (inputs.objects.trim() === '' ? 0 : parseCount(inputs.objects)), 0),
    ignoreClass: attempt(() => parseIgnoreClasses(inputs.ignore), []),
  };
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, budgets };
}

/** Which budgets the report is over: `check` fails when either is. */
export function overBudget(r: Pick<LeakReportDto, 'totalCount' | 'totalRetainedSize' | 'budgets'>): { bytes: boolean; objects: boolean } {
  return { bytes: r.totalRetainedSize > r.budgets.maxLeakedBytes, objects: r.totalCount > r.budgets.maxLeakedObjects };
}
