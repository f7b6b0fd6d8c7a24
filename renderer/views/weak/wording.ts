/**
 * Plain-language sentences of the Weak references view: what each status and holder kind means,
 * why a kept target is kept, and what a WeakRef shell costs. They say what `heapscope weak` says
 * (src/cli/weak-text.ts), so the panel and the terminal tell one story.
 */
import type { PathStep, WeakTargetRow } from '../../../src/shared/contract.js';
import type { Kind, ShellCluster, Status } from './group.js';
import { clip } from './text.js';

/** One sentence per status: the legend above the sections. */
export const STATUS_LEGEND: Readonly<Record<Status, string>> = {
  strong: 'something other than the weak reference keeps it alive: see the path.',
  'weak-only': 'only weak references reach it: it goes at the next garbage collection.',
  released: 'collected between the two snapshots: the weak reference let it go, as intended.',
  kept: 'alive in both snapshots: the path shows what keeps it.',
  new: 'weakly referenced only in the later snapshot: it appeared since.',
};

/** What a target of each kind is to its holder. */
export const KIND_LEGEND: Readonly<Record<Kind, string>> = {
  WeakRef: 'targets of WeakRefs',
  WeakMap: 'WeakMap keys (each keeps its value alive as long as it lives)',
  WeakSet: 'WeakSet members',
  FinalizationRegistry: 'objects a FinalizationRegistry watches',
};

/** A short phrase for a cause (group headers), or '' when the weak machinery is not the reason. */
export function causeLabel(cause: WeakTargetRow['cause']): string {
  if (cause === 'finalization-held-value') return 'held by its own FinalizationRegistry held value';
  if (cause === 'weakmap-value') return 'kept as a WeakMap value of a live key';
  return '';
}

/** Why a strongly reachable target is kept, in one or two sentences. */
export function whyKept(t: WeakTargetRow, kind: Kind): string {
  if (t.cause === 'finalization-held-value') {
    return 'Held by its own FinalizationRegistry held value: held values are strong, so the registry itself keeps it alive '
      + 'and the cleanup never runs. Register a held value that does not reach the target (e.g. only the path).';
  }
  if (t.cause === 'weakmap-value') {
    return 'Kept as a WeakMap value of a live key: it is the value (or reachable from the value) of an entry whose key is still alive.';
  }
  const link = lastLink(t.retainerPath) ?? 'the path shown';
  const own = t.holders.filter((h) => h.internal === t.internal);
  const kinds = (['WeakRef', 'WeakMap', 'WeakSet', 'FinalizationRegistry'] as const).filter((k) => k === kind || own.some((h) => h.kind === k));
  const weak = kinds.length === 1 ? `the ${kind}` : `its ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
  return `Kept by ${link}, not by ${weak}: remove it there and ${kinds.length === 1 ? `the ${kind} lets` : 'they let'} it go.`;
}

/** The sentence under a status: why a group has no path, or why it is worth a look. */
export function statusNote(status: Status): string {
  if (status === 'weak-only') return 'Only weak references reach these: they go at the next GC.';
  if (status === 'released') return 'Collected between the two snapshots.';
  return '';
}

/** The nearest named link above the object: `variable logger`, `Chart.observer`, `module variable activeLoggers[]`. */
export function lastLink(steps: readonly PathStep[]): string | undefined {
  let suffix = '';
  for (let i = steps.length - 1; i > 0; i--) {
    const s = steps[i]!;
    const edge = s.edge ?? '';
    if (s.edgeType === 'element' || s.edgeType === 'hidden' || /^\d+$/.test(edge)) {
      suffix = `[]${suffix}`;
      continue;
    }
    if (s.edgeType === 'context') return `${scopeOf(steps, i - 1)}variable ${clip(edge)}${suffix}`;
    if (s.edgeType === 'property' && edge !== '__proto__') return `${clip(steps[i - 1]!.name)}.${clip(edge)}${suffix}`;
    // V8's storage between an object and what it holds (a Map's `table`, `elements`): the named link above says more.
    if (s.edgeType === 'internal') continue;
  }
  return undefined;
}

function scopeOf(steps: readonly PathStep[], context: number): string {
  if (steps[context]?.module !== undefined) return 'module ';
  const fn = steps[context - 1];
  if (fn?.type !== 'closure') return '';
  const name = fn.function || (fn.edgeType === 'property' ? fn.edge : '');
  return name ? `closure ${clip(name)}()'s ` : "a closure's ";
}

/** What a group of shells costs: a holder that piles up dead WeakRefs only grows. */
export function shellAdvice(c: ShellCluster): string {
  return c.count / c.holders.length > 1
    ? 'Nothing removes an entry when its target goes, so it only grows: delete entries whose deref() is undefined, or from a FinalizationRegistry callback.'
    : 'One dead WeakRef per holder, a few bytes each: harmless unless the holders pile up.';
}

/** `was 3: +5` / `was 8` with an AFTER snapshot, '' without. */
export function shellGrowth(c: ShellCluster): string {
  if (c.before === undefined) return '';
  return c.count > c.before ? `${c.before} → ${c.count} (+${c.count - c.before})` : `${c.before} → ${c.count}`;
}
