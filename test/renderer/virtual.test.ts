import { describe, expect, it } from 'vitest';
import { computeWindow, contentHeight, revealRow } from '../../renderer/lib/virtual.js';

const rowHeight = 20;

describe('virtual list window', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = computeWindow({ scrollTop: 1000, viewportHeight: 400, rowHeight, total: 100_000, overscan: 5 });
    expect(w.height).toBe(2_000_000);
    expect(w.start).toBe(45);
    expect(w.end).toBe(75);
    expect(w.top).toBe(45 * rowHeight);
  });
  it('clamps at both ends and handles an empty list', () => {
    const top = computeWindow({ scrollTop: -50, viewportHeight: 400, rowHeight, total: 10, overscan: 5 });
    expect(top).toEqual({ start: 0, end: 10, height: 200, top: 0 });
    const bottom = computeWindow({ scrollTop: 1e9, viewportHeight: 400, rowHeight, total: 1000, overscan: 0 });
    expect(bottom.end).toBe(1000);
    expect(bottom.start).toBe(980);
    expect(bottom.top).toBe(19_600);
    expect(computeWindow({ scrollTop: 0, viewportHeight: 400, rowHeight, total: 0 })).toEqual({ start: 0, end: 0, height: 0, top: 0 });
  });
  it('scales past the height cap so 11 million rows still reach the last one', () => {
    const total = 11_000_000;
    const maxHeight = 1_000_000;
    const viewportHeight = 500;
    expect(contentHeight(total, rowHeight, maxHeight)).toBe(maxHeight);
    const end = computeWindow({ scrollTop: maxHeight - viewportHeight, viewportHeight, rowHeight, total, overscan: 0, maxHeight });
    expect(end.end).toBe(total);
    // The last row's bottom sits exactly at the bottom of the viewport.
    const lastTop = end.top + (total - 1 - end.start) * rowHeight;
    expect(lastTop + rowHeight).toBeCloseTo(maxHeight, 6);
    const middle = computeWindow({ scrollTop: (maxHeight - viewportHeight) / 2, viewportHeight, rowHeight, total, overscan: 0, maxHeight });
    expect(Math.abs(middle.start - (total - viewportHeight / rowHeight) / 2)).toBeLessThanOrEqual(1);
    expect(middle.end - middle.start).toBeLessThanOrEqual(viewportHeight / rowHeight + 1);
  });
  it('reveals a row by scrolling as little as possible', () => {
    expect(revealRow(10, 0, 400, rowHeight, 1000)).toBe(0);
    expect(revealRow(30, 0, 400, rowHeight, 1000)).toBe(31 * rowHeight - 400);
    expect(revealRow(5, 2000, 400, rowHeight, 1000)).toBe(100);
    expect(revealRow(3, 0, 400, rowHeight, 5)).toBe(0);
  });
  it('reveals rows in the scaled range too', () => {
    const total = 11_000_000;
    const maxHeight = 1_000_000;
    const viewportHeight = 500;
    for (const index of [0, 1234, 5_500_000, total - 1]) {
      const scrollTop = revealRow(index, 0, viewportHeight, rowHeight, total, maxHeight);
      const w = computeWindow({ scrollTop, viewportHeight, rowHeight, total, overscan: 0, maxHeight });
      const rowTop = w.top + (index - w.start) * rowHeight - scrollTop;
      expect(rowTop).toBeGreaterThanOrEqual(-1e-6);
      expect(rowTop + rowHeight).toBeLessThanOrEqual(viewportHeight + 1e-6);
    }
  });
});
