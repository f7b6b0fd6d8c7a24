import { describe, expect, it } from 'vitest';
import {
  cut, formatBytes, formatBytesExact, formatCount, formatDistance, formatEdge, formatPercent, signed,
} from '../../renderer/lib/format.js';

const S = '\u00a0';

describe('byte formatting as DevTools bytesToString', () => {
  it('uses decimal units with a no-break space', () => {
    expect(formatBytes(0)).toBe(`0${S}B`);
    expect(formatBytes(999)).toBe(`999${S}B`);
    expect(formatBytes(1000)).toBe(`1.0${S}kB`);
    expect(formatBytes(1234)).toBe(`1.2${S}kB`);
    expect(formatBytes(99_949)).toBe(`99.9${S}kB`);
    expect(formatBytes(123_456)).toBe(`123${S}kB`);
    expect(formatBytes(999_499)).toBe(`999${S}kB`);
    expect(formatBytes(3_400_000)).toBe(`3.4${S}MB`);
    expect(formatBytes(123_456_789)).toBe(`123${S}MB`);
    expect(formatBytes(1_050_000_000)).toBe(`1,050${S}MB`);
  });
  it('signs negatives with a real minus and leaves non-numbers empty', () => {
    expect(formatBytes(-1234)).toBe(`\u22121.2${S}kB`);
    expect(formatBytes(Number.NaN)).toBe('');
  });
  it('groups counts and exact bytes with no-break spaces', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe(`1${S}000`);
    expect(formatCount(11_123_456)).toBe(`11${S}123${S}456`);
    expect(formatCount(-4500)).toBe(`\u22124${S}500`);
    expect(formatBytesExact(1_234_567)).toBe(`1${S}234${S}567 bytes`);
  });
});

describe('percent, sign, distance, edge', () => {
  it('rounds percentages like toFixed(0) and needs a total', () => {
    expect(formatPercent(50, 200)).toBe(`25${S}%`);
    expect(formatPercent(1, 300)).toBe(`0${S}%`);
    expect(formatPercent(2, 3)).toBe(`67${S}%`);
    expect(formatPercent(5, 0)).toBe('');
    expect(formatPercent(5, undefined)).toBe('');
  });
  it('signs deltas as DevTools signForDelta', () => {
    expect(signed(3, formatCount)).toBe('+3');
    expect(signed(-2500, formatBytes)).toBe(`\u22122.5${S}kB`);
    expect(signed(0, formatCount)).toBe('0');
  });
  it('shows unreachable distances as a minus', () => {
    expect(formatDistance(3)).toBe('3');
    expect(formatDistance(-1)).toBe('\u2212');
    expect(formatDistance(100_000_000)).toBe('\u2212');
    expect(formatDistance(undefined)).toBe('');
  });
  it('brackets element and hidden edges', () => {
    expect(formatEdge('3', 'element')).toBe('[3]');
    expect(formatEdge('7', 'hidden')).toBe('[7]');
    expect(formatEdge('listeners', 'property')).toBe('listeners');
    expect(formatEdge(null, null)).toBe('');
  });
});

describe('cutting hostile heap strings', () => {
  it('keeps short strings whole', () => {
    expect(cut('Session')).toEqual({ text: 'Session', title: 'Session' });
  });
  it('cuts the cell text at 200 characters and the title at 1000, with an ellipsis', () => {
    const long = '<img src=x onerror=alert(1)>'.repeat(100_000);
    const { text, title } = cut(long);
    expect(text).toHaveLength(200);
    expect(text.endsWith('\u2026')).toBe(true);
    expect(title).toHaveLength(1000);
    expect(title.endsWith('\u2026')).toBe(true);
    expect(long.startsWith(text.slice(0, 199))).toBe(true);
  });
  it('shows line breaks, tabs and other control characters as escapes so a row stays one line', () => {
    expect(cut('a\nb\r\nc\td').text).toBe('a\\nb\\nc\\td');
    expect(cut('esc\u001b[31mred\u0000\u0085').text).toBe('esc\\x1b[31mred\\x00\\x85');
    expect(cut('\u202eevil').text).toBe('\u202eevil');
  });
});
