import type { Step } from '../paths.js';

/**
 * The edge of a step as people read it, with indexes normalised: `.parent`, `[]`, `context.ref`.
 * Used for the short edge chain from a holder to its dead WeakRefs (`.table[]`); whole paths go
 * through paths.ts (formatPath, pathShape).
 */
export function edgeShape(step: Pick<Step, 'edge' | 'edgeType'>): string {
  const { edge, edgeType } = step;
  if (edge === null) return '';
  if (edgeType === 'element' || edgeType === 'hidden' || /^\d+$/.test(edge)) return '[]';
  if (edgeType === 'context') return `context.${edge}`;
  return `.${edge}`;
}
