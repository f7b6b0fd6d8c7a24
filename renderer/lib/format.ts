/**
 * Numbers and names as Chrome DevTools' Memory panel shows them (front_end/core/i18n/ByteUtilities.ts,
 * core/platform/NumberUtilities.ts, panels/profiler/HeapSnapshotGridNodes.ts): decimal units
 * (1 kB = 1000 B), a no-break space before the unit, MB the largest unit.
 */

const NBSP = '\u00a0';
const MINUS = '\u2212';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** `999 B`, `1.2 kB`, `123 kB`, `3.4 MB`, `1,050 MB` (DevTools' bytesToString). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 0) return MINUS + formatBytes(-bytes);
  if (bytes < 1000) return `${grouped.format(bytes)}${NBSP}B`;
  const kb = bytes / 1000;
  if (kb < 100) return `${oneDecimal.format(kb)}${NBSP}kB`;
  if (kb < 1000) return `${grouped.format(kb)}${NBSP}kB`;
  const mb = kb / 1000;
  if (mb < 100) return `${oneDecimal.format(mb)}${NBSP}MB`;
  return `${grouped.format(mb)}${NBSP}MB`;
}

/** `1 234 567` with no-break spaces, as DevTools groups counts. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '';
  const sign = n < 0 ? MINUS : '';
  return sign + String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** Exact byte count for a tooltip: `1 234 567 bytes`. */
export function formatBytesExact(bytes: number): string {
  return `${formatCount(bytes)} bytes`;
}

/** `12 %` of a total, rounded like DevTools (toFixed(0)); empty when there is no total. */
export function formatPercent(value: number, total: number | undefined): string {
  if (!total || !Number.isFinite(value)) return '';
  return `${((value / total) * 100).toFixed(0)}${NBSP}%`;
}

/** DevTools' signForDelta: `+` for growth, a real minus sign for shrinkage, nothing for zero. */
export function signed(n: number, format: (abs: number) => string): string {
  const sign = n > 0 ? '+' : n < 0 ? MINUS : '';
  return sign + format(Math.abs(n));
}

/** Hops from the roots; unreachable (-1) or system distances show as a minus, like DevTools. */
export function formatDistance(distance: number | undefined): string {
  if (distance === undefined) return '';
  return distance >= 0 && distance < 100_000_000 ? String(distance) : MINUS;
}

export interface CutText {
  /** What the cell shows. */
  text: string;
  /** The hover text: more of it, still bounded (a heap string can be megabytes). */
  title: string;
}

/**
 * Heap strings are hostile and unbounded: the cell shows at most `max` characters with an
 * ellipsis, the tooltip at most `titleMax`. Rendered as text only, never as markup.
 */
export function cut(value: string, max = 200, titleMax = 1000): CutText {
  // Newlines and tabs would break a one-line row, other control characters are invisible: show
  // them as escapes. (Bidi overrides stay: the cell isolates them, see components/Name.svelte.)
  const flat = value.length > titleMax * 2 ? value.slice(0, titleMax * 2) : value;
  const oneLine = flat.replace(/\r\n|[\u0000-\u001f\u007f-\u009f]/g, escapeControl);
  const text = oneLine.length > max ? oneLine.slice(0, max - 1) + '\u2026' : oneLine;
  const title = flat.length > titleMax ? flat.slice(0, titleMax - 1) + '\u2026' : flat;
  return { text, title };
}

function escapeControl(m: string): string {
  if (m === '\t') return '\\t';
  if (m === '\n' || m === '\r' || m === '\r\n') return '\\n';
  return `\\x${m.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** An edge as DevTools writes it: `[3]` for elements, the name otherwise. */
export function formatEdge(edge: string | null | undefined, edgeType: string | null | undefined): string {
  if (edge === null || edge === undefined) return '';
  if (edgeType === 'element' || edgeType === 'hidden') return `[${edge}]`;
  return edge;
}
