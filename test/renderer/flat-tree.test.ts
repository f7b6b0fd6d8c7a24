import { describe, expect, it } from 'vitest';
import { flatCount, flatIndexOf, locate, normalize } from '../../renderer/lib/flat-tree.js';

describe('flat rows over a paged list with expansions', () => {
  // Top rows 0..9; row 2 opens onto 3 children, row 5 onto 2.
  const expansions = normalize([{ index: 5, size: 2 }, { index: 2, size: 3 }, { index: 7, size: 0 }]);

  it('counts top rows plus every expansion', () => {
    expect(flatCount(10, expansions)).toBe(15);
    expect(flatCount(3, expansions)).toBe(6);
  });
  it('locates every flat row', () => {
    const seen = Array.from({ length: 15 }, (_, i) => locate(i, expansions));
    expect(seen).toEqual([
      { top: 0, child: -1 }, { top: 1, child: -1 }, { top: 2, child: -1 },
      { top: 2, child: 0 }, { top: 2, child: 1 }, { top: 2, child: 2 },
      { top: 3, child: -1 }, { top: 4, child: -1 }, { top: 5, child: -1 },
      { top: 5, child: 0 }, { top: 5, child: 1 },
      { top: 6, child: -1 }, { top: 7, child: -1 }, { top: 8, child: -1 }, { top: 9, child: -1 },
    ]);
  });
  it('finds the flat row of a top row (inverse of locate)', () => {
    for (let top = 0; top < 10; top++) expect(locate(flatIndexOf(top, expansions), expansions)).toEqual({ top, child: -1 });
  });
  it('handles hundreds of thousands of top rows without holding them', () => {
    const big = normalize([{ index: 499_999, size: 10 }]);
    expect(flatCount(500_000, big)).toBe(500_010);
    expect(locate(500_009, big)).toEqual({ top: 499_999, child: 9 });
    expect(locate(250_000, big)).toEqual({ top: 250_000, child: -1 });
  });
});
