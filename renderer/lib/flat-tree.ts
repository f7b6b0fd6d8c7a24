/**
 * A long paged list with a few expanded rows, seen as one flat list of rows for the virtual list.
 * Top-level rows are counted, not held (there may be hundreds of thousands); each expanded one
 * contributes `size` child rows right below it. Expansions are few (the user opens them one by
 * one), so a linear walk over them per lookup is cheap.
 */

export interface Expansion {
  /** Index of the expanded top-level row. */
  index: number;
  /** Number of flat rows its children take. */
  size: number;
}

export interface FlatPosition {
  /** Top-level row index. */
  top: number;
  /** -1 for the top-level row itself, else the index among its child rows. */
  child: number;
}

/** Expansions sorted by index, without empty ones. */
export function normalize(expansions: Iterable<Expansion>): Expansion[] {
  return [...expansions].filter((e) => e.size > 0).sort((a, b) => a.index - b.index);
}

export function flatCount(topCount: number, sorted: readonly Expansion[]): number {
  let n = topCount;
  for (const e of sorted) if (e.index < topCount) n += e.size;
  return n;
}

export function locate(row: number, sorted: readonly Expansion[]): FlatPosition {
  let offset = 0;
  for (const e of sorted) {
    const flatOfTop = e.index + offset;
    if (row <= flatOfTop) break;
    if (row <= flatOfTop + e.size) return { top: e.index, child: row - flatOfTop - 1 };
    offset += e.size;
  }
  return { top: row - offset, child: -1 };
}

/** Flat row of top-level row `top` (its own row, not its children). */
export function flatIndexOf(top: number, sorted: readonly Expansion[]): number {
  let offset = 0;
  for (const e of sorted) {
    if (e.index >= top) break;
    offset += e.size;
  }
  return top + offset;
}
