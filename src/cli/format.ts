/** Human byte units as DevTools prints them: 1 kB = 1000 B. */
export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(Math.abs(v) < 10 ? 1 : 0)} ${units[u]}`;
}

/** An aligned text table; `align` per column: 'l' or 'r'. Cells are cut to `maxWidth` characters. */
export function table(header: string[], rows: string[][], align: Array<'l' | 'r'>, maxWidth = 80): string {
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const all = [header, ...rows].map((r) => r.map((c) => cut(oneLine(c))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((r) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/**
 * Heap strings can hold newlines and terminal escapes; never let them reach the terminal raw. Line
 * and paragraph separators end a line too, and bidirectional overrides and isolates can make a
 * line read in another order than it is written: they go as well.
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\uFFFD'));
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}
