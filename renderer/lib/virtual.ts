/**
 * Windowing math of the virtual list (DESIGN.md practice 13: nothing renders a million rows).
 * Browsers cap an element's height (about 33.5M px in Chromium), so past `maxHeight` the scroll
 * range is scaled: the scrollbar maps linearly onto rows and rows are placed relative to the
 * viewport. Below the cap the mapping is the plain one (row i at i × rowHeight).
 */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
  maxHeight?: number;
}

export interface RowWindow {
  /** First rendered row. */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Height of the scrolling content. */
  height: number;
  /** Top of row `start` in content coordinates; row start + k sits at top + k × rowHeight. */
  top: number;
}

export const MAX_SCROLL_HEIGHT = 10_000_000;

/** Fractional index of the row at the viewport's top edge. */
function firstExact(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, height: number): number {
  const rowsPx = total * rowHeight - viewportHeight;
  const scrollPx = height - viewportHeight;
  if (rowsPx <= 0 || scrollPx <= 0) return 0;
  const top = Math.min(Math.max(scrollTop, 0), scrollPx);
  // Unscaled, the plain division keeps whole rows whole (no rounding from the scale factor).
  if (rowsPx === scrollPx) return top / rowHeight;
  return ((top / scrollPx) * rowsPx) / rowHeight;
}

export function contentHeight(total: number, rowHeight: number, maxHeight = MAX_SCROLL_HEIGHT): number {
  return Math.min(total * rowHeight, maxHeight);
}

export function computeWindow(input: WindowInput): RowWindow {
  const { viewportHeight, rowHeight, total } = input;
  const overscan = input.overscan ?? 8;
  const height = contentHeight(total, rowHeight, input.maxHeight);
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, height: 0, top: 0 };
  const scrollTop = Math.min(Math.max(input.scrollTop, 0), Math.max(0, height - viewportHeight));
  const first = firstExact(scrollTop, viewportHeight, rowHeight, total, height);
  const start = Math.max(0, Math.floor(first) - overscan);
  const end = Math.min(total, Math.ceil(first + viewportHeight / rowHeight) + overscan);
  const top = scrollTop + (start - first) * rowHeight;
  return { start, end, height, top };
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function revealRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  maxHeight = MAX_SCROLL_HEIGHT,
): number {
  const height = contentHeight(total, rowHeight, maxHeight);
  const scrollPx = height - viewportHeight;
  const rowsPx = total * rowHeight - viewportHeight;
  if (scrollPx <= 0 || rowsPx <= 0) return 0;
  const first = firstExact(scrollTop, viewportHeight, rowHeight, total, height);
  const visibleRows = viewportHeight / rowHeight;
  let target = first;
  if (index < first) target = index;
  else if (index + 1 > first + visibleRows) target = index + 1 - visibleRows;
  else return scrollTop;
  const px = rowsPx === scrollPx ? target * rowHeight : ((target * rowHeight) / rowsPx) * scrollPx;
  return Math.min(Math.max(px, 0), scrollPx);
}
