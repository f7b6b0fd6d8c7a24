/**
 * The Leaks view reads budgets as `heapscope check` does: its parseBytes gives the CLI's answer on
 * every input of a table (accepted or refused), and the three inputs together give check's defaults.
 */
import { describe, expect, it } from 'vitest';
import { parseBytes as cliParseBytes } from '../../src/cli/check.js';
import { BudgetError, overBudget, parseBytes, parseCount, parseIgnoreClasses, readBudgets } from '../../renderer/views/leaks/budget.js';

const INPUTS = [
  '0', '1', '500000', '10KB', '10kb', '10 KB', ' 2MB ', '1.5MiB', '1.5mib', '3GB', '2GiB', '1KiB', '7b', '7B', '0.5kb', '1.0009KB',
  '', ' ', 'KB', '-1', '-1KB', '1e3', '1,000', '10 K B', '10TB', '10kB2', 'abc', '0x10', '.5MB', '5.', '1_000', '１０', 'NaN', 'Infinity',
];

describe('leaks budgets: parseBytes as `heapscope check --max-leaked-bytes`', () => {
  it.each(INPUTS)('%j: the same bytes, or refused by both', (input) => {
    let cli: number | Error;
    try {
      cli = cliParseBytes(input);
    } catch (err) {
      cli = err as Error;
    }
    if (cli instanceof Error) {
      expect(() => parseBytes(input)).toThrow(BudgetError);
      expect(() => parseBytes(input)).toThrow(cli.message);
    } else {
      expect(parseBytes(input)).toBe(cli);
    }
  });

  it('the table covers both answers', () => {
    const accepted = INPUTS.filter((v) => {
      try {
        cliParseBytes(v);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.length).toBeGreaterThan(10);
    expect(INPUTS.length - accepted.length).toBeGreaterThan(10);
    expect(parseBytes('10KB')).toBe(10_000);
    expect(parseBytes('1.5MiB')).toBe(1_572_864);
  });
});

describe('leaks budgets: the three inputs', () => {
  it('empty inputs are check\'s defaults (0, 0, none)', () => {
    expect(readBudgets({ bytes: '', objects: ' ', ignore: '\n\n' })).toEqual({ ok: true, budgets: { maxLeakedBytes: 0, maxLeakedObjects: 0, ignoreClass: [] } });
  });

  it('reads all three, one regex per line', () => {
    expect(readBudgets({ bytes: '50KB', objects: '12', ignore: '^LRUCache$\n  Foo|Bar  \n' })).toEqual({
      ok: true, budgets: { maxLeakedBytes: 50_000, maxLeakedObjects: 12, ignoreClass: ['^LRUCache$', 'Foo|Bar'] },
    });
  });

  it('every bad input is named by its field, all at once', () => {
    const r = readBudgets({ bytes: '5 parsecs', objects: '1.5', ignore: 'ok\n(unclosed' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['ignoreClass', 'maxLeakedBytes', 'maxLeakedObjects']);
    expect(r.errors.maxLeakedBytes).toContain('got "5 parsecs"');
    expect(r.errors.maxLeakedObjects).toContain('whole number');
    expect(r.errors.ignoreClass).toMatch(/^line 2 is not a regular expression/);
  });

  it('parseCount and parseIgnoreClasses throw BudgetError with field and value', () => {
    const err = (() => {
      try {
        parseCount('-3');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BudgetError);
    expect(err).toMatchObject({ field: 'maxLeakedObjects', value: '-3' });
    expect(() => parseIgnoreClasses('[')).toThrow(BudgetError);
    expect(parseCount(' 7 ')).toBe(7);
  });

  it('overBudget: over when above, not at the budget (check\'s rule)', () => {
    const budgets = { maxLeakedBytes: 100, maxLeakedObjects: 2, ignoreClass: [] };
    expect(overBudget({ totalCount: 2, totalRetainedSize: 100, budgets })).toEqual({ bytes: false, objects: false });
    expect(overBudget({ totalCount: 3, totalRetainedSize: 101, budgets })).toEqual({ bytes: true, objects: true });
  });
});
