import type { Step } from '../paths.js';

/**
 * Path shapes: a path with array indexes and slot numbers made anonymous, so that 12 Widgets kept
 * by 12 elements of one listener array share one shape. Class names and edge names stay.
 */

/** The edge of a step as people read it, with indexes normalised: `.bus`, `[]`, `context.widget`. */
export function edgeShape(step: Pick<Step, 'edge' | 'edgeType'>): string {
  const { edge, edgeType } = step;
  if (edge === null) return '';
  if (edgeType === 'element' || edgeType === 'hidden' || /^\d+$/.test(edge)) return '[]';
  if (edgeType === 'context') return `context.${edge}`;
  return `.${edge}`;
}

/** One string per shape: equal strings, equal shapes (for grouping; not meant for display). */
export function pathShapeKey(steps: readonly Step[]): string {
  return steps.map((s) => `${s.type}\u0001${s.name}\u0001${edgeShape(s)}`).join('\u0000');
}

/**
 * A shape for people: `global / → .bus EventEmitter → ._events Object → .theme Array → [] Function`.
 * With `maxHops`, a long path keeps its first step and its last `maxHops` hops, with `…` between:
 * the end near the object is where the cause usually is.
 */
export function formatShape(steps: readonly Step[], maxHops = Infinity, clip: (s: string) => string = (s) => s): string {
  const parts = steps.map((s, i) => (i === 0 ? clip(s.name) : `${edgeShape(s)} ${clip(s.name)}`));
  if (parts.length - 1 <= maxHops) return parts.join(' → ');
  return [parts[0]!, '…', ...parts.slice(parts.length - maxHops)].join(' → ');
}
