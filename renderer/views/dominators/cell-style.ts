/**
 * Colours and labels of dominator cells, shared by the treemap and the sunburst. Labels are plain
 * text cut to what fits (heap class names are hostile and unbounded).
 */
import { schemeTableau10 } from 'd3';
import { cut, formatBytes } from '../../lib/format.js';
import type { TreemapDatum } from './treemap-data.js';

/** Characters of a class name shown in a cell at most. */
export const LABEL_MAX = 80;
/** Approximate width of one character of the 11 px label font. */
const CHAR_WIDTH = 6.5;
const OTHER_FILL = '#e8eaed';

/** A stable colour per class name, so one class has one colour across zoom levels. */
export function cellFill(datum: Pick<TreemapDatum, 'kind' | 'name'>, depth: number): string {
  if (datum.kind === 'other') return OTHER_FILL;
  let h = 0;
  for (let i = 0; i < Math.min(datum.name.length, 200); i++) h = (Math.imul(h, 31) + datum.name.charCodeAt(i)) | 0;
  const base = schemeTableau10[Math.abs(h) % schemeTableau10.length]!;
  return depth >= 2 ? lighten(base, 0.35) : base;
}

function lighten(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(c + (255 - c) * amount);
  const [r, g, b] = [mix((n >> 16) & 255), mix((n >> 8) & 255), mix(n & 255)];
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/** The full label: class name (cut to LABEL_MAX) and retained size. */
export function fullLabel(datum: Pick<TreemapDatum, 'name' | 'retainedSize'>): string {
  return `${cut(datum.name, LABEL_MAX).text || '(no name)'} ${formatBytes(datum.retainedSize)}`;
}

/** The label that fits a box `width` × `height` px: '' when too small, else cut with an ellipsis. */
export function cellLabel(datum: Pick<TreemapDatum, 'name' | 'retainedSize'>, width: number, height: number): string {
  if (width < 30 || height < 13) return '';
  const chars = Math.floor((width - 6) / CHAR_WIDTH);
  if (chars < 3) return '';
  const label = fullLabel(datum);
  return label.length > chars ? `${label.slice(0, chars - 1)}\u2026` : label;
}
