/**
 * Retainer paths for the Weak references and Leaks views: the labels PathChain draws for each step
 * and edge, which steps a long path shows, and a grouping key for paths that differ only in array
 * indexes and ids. The renderer may not import src/analysis (it bundles for the browser and imports
 * src/shared types only), so the few rules it needs from paths.ts are restated here.
 */
import type { PathStep } from '../../../src/shared/contract.js';
import { clip } from './text.js';

const DIGITS = /^\d+$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** What a step is called: `module app.mjs` for a module scope, `flush()` for a closure, V8's node name for `(GC roots)`-like nodes, else the class. */
export function stepLabel(step: PathStep): string {
  if (step.module !== undefined) return `module ${clip(baseName(step.module) || '(anonymous)', 40)}`;
  if (step.type === 'closure') return step.function ? `${clip(step.function, 40)}()` : '(closure)';
  return clip((step.node ?? step.name).trim() || `(${step.type})`, 60);
}

/** The edge that leads to a step, as code would name it: `listeners`, `[3]`, `["x-y"]`, `context.widget`, or V8's internal name. */
export function edgeLabel(step: PathStep): string {
  const edge = step.edge ?? '';
  switch (step.edgeType) {
    case 'element':
    case 'hidden':
      return `[${clip(edge, 20)}]`;
    case 'property':
      if (IDENTIFIER.test(edge)) return clip(edge, 40);
      return DIGITS.test(edge) ? `[${edge}]` : `[${clip(JSON.stringify(edge), 40)}]`;
    case 'context':
      return `context.${clip(edge, 40)}`;
    default:
      return clip(edge, 40);
  }
}

export type ChainItem =
  | { kind: 'step'; index: number; step: PathStep; label: string; edge: string | null }
  | { kind: 'gap'; hidden: number };

/** Steps shown at each end of a collapsed path: where it starts, and the last hops, where the cause usually is. */
export const HEAD_STEPS = 2;
export const TAIL_STEPS = 6;

/** The items PathChain draws: every step, or (collapsed) the first and last few with one gap for the rest. */
export function chainItems(steps: readonly PathStep[], expanded: boolean): ChainItem[] {
  const item = (i: number): ChainItem => ({
    kind: 'step', index: i, step: steps[i]!, label: stepLabel(steps[i]!), edge: i === 0 ? null : edgeLabel(steps[i]!),
  });
  if (expanded || steps.length <= HEAD_STEPS + TAIL_STEPS + 1) return steps.map((_, i) => item(i));
  const out: ChainItem[] = [];
  for (let i = 0; i < HEAD_STEPS; i++) out.push(item(i));
  out.push({ kind: 'gap', hidden: steps.length - HEAD_STEPS - TAIL_STEPS });
  for (let i = steps.length - TAIL_STEPS; i < steps.length; i++) out.push(item(i));
  return out;
}

/** The whole path on one line (`name --edge--> name`), for a tooltip or a copy. */
export function chainText(steps: readonly PathStep[]): string {
  return steps.map((s, i) => (i === 0 ? stepLabel(s) : ` --${edgeLabel(s)}--> ${stepLabel(s)}`)).join('');
}

/**
 * A key equal for two paths exactly when they differ only in indexes, ids and how long a run of one
 * repeated step is (the rule of paths.ts `pathShape`, which clusters leaks and groups weak targets).
 */
export function shapeKey(steps: readonly PathStep[]): string {
  let key = '';
  let previous = '';
  steps.forEach((s, i) => {
    if (i === 0) {
      key = `${s.type}:${s.name}${s.module !== undefined ? `:module:${s.module}` : ''}`;
      return;
    }
    const segment = `\u0000${s.edgeType ?? ''}:${normalizeEdge(s.edgeType ?? '', s.edge ?? '')}\u0001${s.type}:${s.name}`;
    if (segment !== previous) key += segment;
    previous = segment;
  });
  return key;
}

function normalizeEdge(edgeType: string, edge: string): string {
  if (edgeType === 'element' || edgeType === 'hidden' || DIGITS.test(edge)) return '[]';
  return edge.replace(/@\d+/g, '@').replace(/^\d+ \//, '[] /');
}

/** A shape line (`formatPath(…, { shape: true })`, tokens joined by ` → `) cut to its start and last hops, as the CLI does. */
export function shapeLine(shape: string, maxTokens = 9): string {
  const tokens = shape.split(' → ');
  if (tokens.length <= maxTokens) return clip(shape, 400);
  return clip([tokens[0]!, '…', ...tokens.slice(tokens.length - (maxTokens - 2))].join(' → '), 400);
}

function baseName(p: string): string {
  const clean = p.replace(/[?#].*$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1) || clean;
}
