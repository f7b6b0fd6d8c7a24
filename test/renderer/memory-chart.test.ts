/** The sidebar's memory chart: its scales and paths, the snapshot marks, and the growth verdict. */
import { describe, expect, it } from 'vitest';
import {
  chartGeometry, growth, GROWTH_FLOOR, MIN_SPAN_MS, spanLabel, trim, WINDOW_MS, type MemorySample,
} from '../../renderer/lib/memory-chart.js';

const MB = 1_000_000;
const size = { width: 200, height: 60, padTop: 10, padBottom: 2 };
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** One reading every 2 s from T0, heap and RSS from the functions of the reading's index. */
function series(n: number, heap: (i: number) => number, rss?: (i: number) => number): MemorySample[] {
  return Array.from({ length: n }, (_, i) => ({ at: T0 + 2000 * i, heapUsed: heap(i), heapTotal: heap(i) * 1.5, ...(rss ? { rss: rss(i) } : {}) }));
}

/** The points of an SVG path made of M/L commands. */
function points(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('chart geometry', () => {
  it('maps time to x (newest at the right edge) and bytes to y from 0 (bottom) to a rounded top over both lines', () => {
    const s = series(31, () => 10 * MB, (i) => 40 * MB + i * MB); // one minute: RSS 40 → 70 MB
    const now = s.at(-1)!.at;
    const g = chartGeometry(s, [], now, size);
    expect(g.count).toBe(31);
    expect(g.yMax).toBeGreaterThanOrEqual(70 * MB);
    expect(g.yMax).toBeLessThanOrEqual(80 * MB); // nice(): a round number just above, not double
    expect(g.yMaxLabel).toBe(`${g.yMax / MB}.0\u00a0MB`);
    const heap = points(g.heapPath);
    const rss = points(g.rssPath);
    expect(heap).toHaveLength(31);
    expect(rss).toHaveLength(31);
    expect(heap.at(-1)![0]).toBeCloseTo(size.width);
    expect(heap[0]![0]).toBeCloseTo(0); // a one-minute history fills the minimum span exactly
    const bottom = size.height - size.padBottom;
    expect(heap[0]![1]).toBeCloseTo(bottom - (bottom - size.padTop) * (10 * MB / g.yMax));
    expect(rss.at(-1)![1]).toBeLessThan(rss[0]![1]); // rising RSS goes up the screen
    expect(heap.every(([, y]) => y === heap[0]![1])).toBe(true);
    expect(g.last).toMatchObject({ x: size.width });
    expect(g.spanLabel).toBe('last 60 s');
  });

  it('a fresh attach spans MIN_SPAN_MS (two readings do not fill the width); a long one at most the window', () => {
    const two = series(2, () => MB, () => 3 * MB);
    const g = chartGeometry(two, [], two[1]!.at, size);
    expect(g.span).toBe(MIN_SPAN_MS);
    expect(points(g.heapPath)[0]![0]).toBeCloseTo(size.width * (1 - 2000 / MIN_SPAN_MS));
    const long = series(400, () => MB, () => 3 * MB); // 13 minutes of readings
    const now = long.at(-1)!.at;
    const h = chartGeometry(long, [], now, size);
    expect(h.span).toBe(WINDOW_MS);
    expect(h.count).toBe(trim(long, now).length);
    expect(h.count).toBe(WINDOW_MS / 2000 + 1);
    expect(h.spanLabel).toBe('last 5 min');
  });

  it('marks each snapshot at its time and its own reading, and raises the scale to fit it', () => {
    const s = series(31, () => 10 * MB, () => 40 * MB);
    const now = s.at(-1)!.at;
    const marks = [
      { snapshotId: 'a', name: 'baseline', at: T0 + 30_000, heapUsed: 12 * MB, rss: 95 * MB },
      { snapshotId: 'old', name: 'before the window', at: now - WINDOW_MS - 1, heapUsed: MB },
      { snapshotId: 'b', name: 'no rss', at: now, heapUsed: 11 * MB },
    ];
    const g = chartGeometry(s, marks, now, size);
    expect(g.marks.map((m) => m.snapshotId)).toEqual(['a', 'b']);
    expect(g.yMax).toBeGreaterThanOrEqual(95 * MB);
    const [a, b] = g.marks;
    expect(a!.x).toBeCloseTo(size.width / 2);
    expect(a!.yRss!).toBeLessThan(a!.yHeap!);
    expect(b!.yRss).toBeUndefined();
    expect(b!.x).toBeCloseTo(size.width);
  });

  it('readings without RSS break the RSS line instead of dropping it to zero; nothing at all draws nothing', () => {
    const s = series(6, () => MB, (i) => (i === 2 || i === 3 ? Number.NaN : 5 * MB)).map((x) => (Number.isNaN(x.rss) ? { ...x, rss: undefined } : x));
    const g = chartGeometry(s, [], s.at(-1)!.at, size);
    expect(g.rssPath.match(/M/g)).toHaveLength(2);
    expect(points(g.rssPath)).toHaveLength(4);
    const none = chartGeometry([], [], T0, size);
    expect(none).toMatchObject({ heapPath: '', rssPath: '', count: 0, yMaxLabel: '', last: undefined });
    expect(chartGeometry(series(3, () => MB), [], T0 + 4000, size).rssPath).toBe('');
  });

  it('span labels', () => {
    expect(spanLabel(45_000)).toBe('last 45 s');
    expect(spanLabel(120_000)).toBe('last 2 min');
  });
});

describe('where memory grows', () => {
  it('RSS rising while the heap stays flat is named as growth outside the JS heap', () => {
    const g = growth(series(30, (i) => 10 * MB + (i % 3) * 0.5 * MB, (i) => 50 * MB + i * 2 * MB));
    expect(g.kind).toBe('outside-heap');
    expect(g.rssDelta).toBeGreaterThan(50 * MB);
    expect(Math.abs(g.heapDelta)).toBeLessThan(MB);
    expect(g.text).toMatch(/^RSS \+\d+(\.\d)?\u00a0MB outside the JS heap \(heap [+−]?[\d.]+\u00a0(kB|MB|B)\): native memory, e.g. Buffers, native modules, the DOM$/);
  });

  it('a growing JS heap (RSS following it) points to a comparison instead', () => {
    const g = growth(series(30, (i) => 10 * MB + i * MB, (i) => 50 * MB + i * 1.2 * MB));
    expect(g.kind).toBe('heap');
    expect(g.text).toMatch(/^JS heap \+2\d\.\d\u00a0MB: compare two snapshots/);
  });

  it('noise below the floor, too few readings, or no RSS: nothing to say about RSS', () => {
    expect(growth(series(30, () => 10 * MB, (i) => 50 * MB + (i % 2) * (GROWTH_FLOOR / 2))).kind).toBe('steady');
    expect(growth(series(3, () => MB, (i) => i * 100 * MB)).kind).toBe('unknown');
    expect(growth(series(30, () => 10 * MB)).kind).toBe('steady');
    expect(growth(series(30, () => 10 * MB)).text).toBe('');
  });

  it('what the snapshots themselves did is left out: RSS that jumps across a capture and stays up is not a leak', () => {
    // Flat, then +60 MB across a snapshot at reading 10 (V8's generator), then flat again.
    const s = series(20, (i) => (i < 10 ? 10 * MB : 8 * MB), (i) => (i < 10 ? 50 * MB : 110 * MB));
    const mark = { at: T0 + 2000 * 9 + 1000 };
    expect(growth(s).kind).toBe('outside-heap');
    expect(growth(s, [mark])).toMatchObject({ kind: 'steady', rssDelta: 0, heapDelta: 0 });
    // Growth between snapshots still counts, summed over the runs.
    const grows = series(30, () => 10 * MB, (i) => 50 * MB + (i < 15 ? i : 60 + i) * MB);
    const g = growth(grows, [{ at: T0 + 2000 * 14 + 1000 }]);
    expect(g.kind).toBe('outside-heap');
    expect(g.rssDelta).toBeCloseTo(2 * 14 * MB, -3); // 14 MB per run (its last reading against its first), not the 61 MB jump
    // A run of one reading says nothing.
    expect(growth(series(5, () => MB, (i) => i * 50 * MB), [1, 2, 3, 4].map((i) => ({ at: T0 + 2000 * i - 1 }))).kind).toBe('steady');
  });

  it('the mean of three readings at each end: one GC sawtooth does not flip the verdict', () => {
    const saw = series(30, (i) => (i === 29 ? 40 * MB : 10 * MB), (i) => 50 * MB + i * 2 * MB);
    expect(growth(saw).kind).toBe('outside-heap');
  });
});
