/**
 * The sidebar's memory chart, as pure functions of the readings (d3 computes, Svelte draws): JS heap
 * used and process RSS over the last minutes, the snapshots' own readings marked on the same axes,
 * and a verdict on where growth happens. RSS rising while the JS heap stays flat is memory outside
 * it: Buffer and ArrayBuffer contents (a snapshot counts them as native backing stores, but no JS
 * class grows), native modules, Blink's own heap, the allocator. Comparing snapshots' JS classes
 * would find nothing, so the chart says so in words.
 */
import { line, scaleLinear } from 'd3';
import { formatBytes } from './format.js';

export interface MemorySample {
  /** ms since the epoch (host clock). */
  at: number;
  heapUsed: number;
  heapTotal: number;
  rss?: number;
}

/** A snapshot's own reading, taken just before it (SnapshotMeta.heapUsed/rss at its createdAt). */
export interface MemoryMark {
  snapshotId: string;
  name: string;
  at: number;
  heapUsed?: number;
  rss?: number;
}

export interface ChartSize {
  width: number;
  height: number;
  /** Room at the top for the scale's label. */
  padTop: number;
  padBottom: number;
}

export interface PlacedMark extends MemoryMark {
  x: number;
  yHeap: number | undefined;
  yRss: number | undefined;
}

export interface ChartGeometry {
  /** SVG path data; '' when there is nothing to draw. */
  heapPath: string;
  rssPath: string;
  marks: PlacedMark[];
  /** The top of the y scale, bytes, and its label. */
  yMax: number;
  yMaxLabel: string;
  /** The time span shown, ms. */
  span: number;
  spanLabel: string;
  /** Where the newest reading sits (for the end dots); undefined without samples. */
  last: { x: number; yHeap: number; yRss: number | undefined } | undefined;
  /** Samples drawn (inside the window). */
  count: number;
}

/** How much history the chart keeps and shows. */
export const WINDOW_MS = 5 * 60_000;
/** Never narrower than this, so the first readings do not fill the width with two points. */
export const MIN_SPAN_MS = 60_000;

/** Readings inside the window ending at `now`, oldest first (a ring's worth, for the poller). */
export function trim(samples: readonly MemorySample[], now: number, windowMs = WINDOW_MS): MemorySample[] {
  const from = now - windowMs;
  return samples.filter((s) => s.at >= from && s.at <= now);
}

/**
 * Scales and paths: time on x from the window's start (or the first reading, if later, but at
 * least MIN_SPAN_MS) to `now`; bytes on y from 0 (growth reads honestly) to a rounded maximum over
 * everything drawn, so a mark is never off the chart.
 */
export function chartGeometry(samples: readonly MemorySample[], marks: readonly MemoryMark[], now: number, size: ChartSize, windowMs = WINDOW_MS): ChartGeometry {
  const shown = trim(samples, now, windowMs);
  const inWindow = marks.filter((m) => m.at >= now - windowMs && m.at <= now);
  const earliest = Math.min(now - MIN_SPAN_MS, ...shown.map((s) => s.at), ...inWindow.map((m) => m.at));
  const start = Math.max(now - windowMs, earliest);
  const span = now - start;
  let top = 0;
  for (const s of shown) top = Math.max(top, s.heapUsed, s.rss ?? 0);
  for (const m of inWindow) top = Math.max(top, m.heapUsed ?? 0, m.rss ?? 0);
  const y = scaleLinear().domain([0, top > 0 ? top * 1.05 : 1]).nice(4).range([size.height - size.padBottom, size.padTop]);
  const x = scaleLinear().domain([start, now]).range([0, size.width]);
  const yMax = y.domain()[1]!;
  const heap = line<MemorySample>().x((s) => x(s.at)).y((s) => y(s.heapUsed));
  // A reading without RSS (remote inspector, no /proc) breaks the line rather than dropping to 0.
  const rss = line<MemorySample>().defined((s) => s.rss !== undefined).x((s) => x(s.at)).y((s) => y(s.rss ?? 0));
  const lastSample = shown.at(-1);
  return {
    heapPath: shown.length > 0 ? heap(shown) ?? '' : '',
    rssPath: shown.some((s) => s.rss !== undefined) ? rss(shown) ?? '' : '',
    marks: inWindow.map((m) => ({
      ...m,
      x: x(m.at),
      yHeap: m.heapUsed !== undefined ? y(m.heapUsed) : undefined,
      yRss: m.rss !== undefined ? y(m.rss) : undefined,
    })),
    yMax,
    yMaxLabel: top > 0 ? formatBytes(yMax) : '',
    span,
    spanLabel: spanLabel(span),
    last: lastSample ? { x: x(lastSample.at), yHeap: y(lastSample.heapUsed), yRss: lastSample.rss !== undefined ? y(lastSample.rss) : undefined } : undefined,
    count: shown.length,
  };
}

/** `last 45 s`, `last 2 min`, `last 5 min`. */
export function spanLabel(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `last ${s} s`;
  return `last ${Math.round(s / 60)} min`;
}

export type GrowthKind = 'outside-heap' | 'heap' | 'steady' | 'unknown';

export interface Growth {
  kind: GrowthKind;
  heapDelta: number;
  rssDelta: number;
  /** What the chart says under itself. */
  text: string;
}

/** Growth smaller than this (bytes) is noise: a GC cycle moves a small heap by a few MB. */
export const GROWTH_FLOOR = 8 * 1000 * 1000;

/**
 * Where memory grew over the readings, leaving out what heapscope's own snapshots did: V8's
 * snapshot generator takes ~7x the snapshot in extra RSS (FACTS.md §2), which the process keeps for
 * a while, and the GC before it shrinks the heap. So the readings are cut into runs at each
 * snapshot (`marks`) and only growth within runs counts. RSS moves in steps: per run, its last
 * reading against its first. The heap saws up and down with every GC, so one reading is too jumpy:
 * per run, the mean of its last three readings against the mean of its first three. RSS that grew
 * by more than GROWTH_FLOOR and more than twice what the heap grew is growth outside the JS heap.
 */
export function growth(samples: readonly MemorySample[], marks: readonly { at: number }[] = []): Growth {
  if (samples.length < 4) return { kind: 'unknown', heapDelta: 0, rssDelta: 0, text: '' };
  const heapDelta = runGrowth(samples, marks, (s) => s.heapUsed, 3);
  const withRss = samples.filter((s) => s.rss !== undefined);
  const rssDelta = withRss.length >= 4 ? runGrowth(withRss, marks, (s) => s.rss!, 1) : 0;
  if (withRss.length >= 4 && rssDelta > GROWTH_FLOOR && rssDelta > 2 * Math.max(0, heapDelta)) {
    return { kind: 'outside-heap', heapDelta, rssDelta, text: `RSS +${formatBytes(rssDelta)} outside the JS heap (heap ${signedBytes(heapDelta)}): native memory, e.g. Buffers, native modules, the DOM` };
  }
  if (heapDelta > GROWTH_FLOOR) return { kind: 'heap', heapDelta, rssDelta, text: `JS heap +${formatBytes(heapDelta)}: compare two snapshots to see what` };
  return { kind: 'steady', heapDelta, rssDelta, text: '' };
}

/** The sum over runs between snapshots of each run's growth (means of up to `ends` readings at each end). */
function runGrowth(samples: readonly MemorySample[], marks: readonly { at: number }[], value: (s: MemorySample) => number, ends: number): number {
  const cuts = marks.map((m) => m.at).sort((a, b) => a - b);
  let total = 0;
  let run: MemorySample[] = [];
  let next = 0;
  const close = () => {
    const k = Math.min(ends, Math.floor(run.length / 2));
    if (k > 0) total += mean(run.slice(-k), value) - mean(run.slice(0, k), value);
    run = [];
  };
  for (const s of samples) {
    let cut = false;
    while (next < cuts.length && cuts[next]! <= s.at) {
      cut = true;
      next++;
    }
    if (cut) close();
    run.push(s);
  }
  close();
  return total;
}

function mean(list: readonly MemorySample[], value: (s: MemorySample) => number): number {
  return list.reduce((a, s) => a + value(s), 0) / list.length;
}

function signedBytes(n: number): string {
  return n >= 0 ? `+${formatBytes(n)}` : formatBytes(n);
}
