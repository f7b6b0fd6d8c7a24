/**
 * Display helpers shared by the Weak references and Leaks views. Heap strings are attacker-controlled
 * (class names, edge names, property names): they are only ever interpolated as text, and these
 * helpers keep them on one line and short enough not to take over the screen.
 */

/** Control characters (newlines, terminal escapes, bidi-free C1) become visible escapes or U+FFFD, as the CLI prints them. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\uFFFD'));
}

/** One line, at most `max` characters (the last one an ellipsis when cut). */
export function clip(s: string, max = 60): string {
  const one = oneLine(s);
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** A tooltip for a long heap string: one line, bounded (a title attribute of megabytes helps no one). */
export function tooltip(s: string, max = 2000): string {
  return clip(s, max);
}
