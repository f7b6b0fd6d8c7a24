import path from 'node:path';
import { formatPath, pathShape, type Step } from '../analysis/paths.js';
import { WEAK_KINDS, type WeakKind, type WeakReport, type WeakShellGroupDto, type WeakTargetDto } from '../analysis/weak.js';
import { formatBytes, oneLine } from './format.js';

export interface WeakTextOptions {
  /** Show Node's own weak references too. */
  all: boolean;
  /** Groups per section (0: all). */
  top: number;
  /** Print whole paths instead of their first step and last hops. */
  fullPaths: boolean;
  /** Class name of a value id (WeakMap values), when the snapshot that has it is known. */
  classOf?: (id: number) => string | undefined;
}

type Section = { kind: WeakKind; status: string; targets: WeakTargetDto[] };
type Group = { name: string; steps: Step[]; targets: WeakTargetDto[]; retained: number };

const STATUS_ORDER = ['kept', 'new', 'strong', 'weak-only', 'released'];
const MAX_PATH_TOKENS = 9;

/**
 * `heapscope weak` for people: one section per holder kind and status, each a few lines ordered by
 * retained size. Targets with the same class and the same path shape (indexes normalised) share a
 * line ("12 × Widget  … path"), and each kept line says why in one more line. Released and
 * weak-only targets need no path: nothing but weak references held them.
 */
export function renderWeakText(report: WeakReport, options: WeakTextOptions): string {
  const out: string[] = [];
  const shown = report.targets.filter((t) => options.all || !t.internal);
  const hidden = report.targets.length - shown.length;
  const paired = report.after !== null;
  out.push(paired ? `${base(report.snapshot)} → ${base(report.after!)}` : base(report.snapshot));
  out.push(headline(shown, paired) + (hidden > 0 ? `  (${hidden} more belong to Node itself: --all shows them)` : ''));

  for (const section of sections(shown, paired)) {
    const size = section.targets.reduce((s, t) => s + t.retainedSize, 0);
    out.push('', `${section.kind} · ${section.status}: ${plural(section.targets.length, 'object')}, ${formatBytes(size)} retained${statusNote(section.status)}`);
    const groups = groupTargets(section);
    const limit = options.top > 0 ? options.top : groups.length;
    for (const g of groups.slice(0, limit)) out.push(...renderGroup(g, section, options));
    if (groups.length > limit) out.push(`  … ${plural(groups.length - limit, 'more group')} (--top 0 shows all)`);
  }

  const shells = groupShells(report.shells.filter((s) => options.all || !s.internal));
  if (shells.length > 0) {
    out.push('', 'Dead WeakRefs still held (their targets were collected, the WeakRef objects were not):');
    const limit = options.top > 0 ? options.top : shells.length;
    for (const s of shells.slice(0, limit)) out.push(...renderShells(s, options));
    if (shells.length > limit) out.push(`  … ${plural(shells.length - limit, 'more group')} of holders (--top 0 shows all)`);
  }
  if (shown.length === 0 && shells.length === 0) out.push('', 'No weak references of the program in this heap.');
  return `${out.join('\n')}\n`;
}

function headline(targets: WeakTargetDto[], paired: boolean): string {
  const n = (pred: (t: WeakTargetDto) => boolean) => targets.filter(pred).length;
  const what = `${plural(targets.length, 'weak target')}`;
  if (paired) return `${what}: ${n((t) => t.status === 'released')} released, ${n((t) => t.status === 'kept')} kept, ${n((t) => t.status === 'new')} new`;
  return `${what}: ${n((t) => t.reachability === 'strong')} strongly reachable, ${n((t) => t.reachability === 'weak-only')} weak-only`;
}

function statusNote(status: string): string {
  if (status === 'weak-only') return ' (only weak references reach them: they go at the next GC)';
  if (status === 'released') return ' (collected between the two snapshots)';
  return '';
}

/** Sections by holder kind, then status; a target with several holders goes under its program's first. */
function sections(targets: WeakTargetDto[], paired: boolean): Section[] {
  const bySection = new Map<string, Section>();
  for (const t of targets) {
    const holder = t.holders.find((h) => !h.internal) ?? t.holders[0];
    const kind = holder?.kind ?? 'WeakRef';
    const status = paired ? t.status! : t.reachability;
    const key = `${kind}\u0000${status}`;
    let s = bySection.get(key);
    if (!s) bySection.set(key, (s = { kind, status, targets: [] }));
    s.targets.push(t);
  }
  return [...bySection.values()].sort((a, b) => WEAK_KINDS.indexOf(a.kind) - WEAK_KINDS.indexOf(b.kind)
    || STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
}

/** Same class, same path shape (and same cause): one line. Released and weak-only: by class only. */
function groupTargets(section: Section): Group[] {
  const byKey = new Map<string, Group>();
  for (const t of section.targets) {
    const key = `${t.name}\u0002${t.cause ?? ''}\u0002${t.status === 'released' ? '' : pathShape(t.retainerPath)}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { name: t.name, steps: t.retainerPath, targets: [], retained: 0 }));
    g.targets.push(t);
    g.retained += t.retainedSize;
  }
  return [...byKey.values()].sort((a, b) => b.retained - a.retained || b.targets.length - a.targets.length);
}

function renderGroup(g: Group, section: Section, options: WeakTextOptions): string[] {
  const first = g.targets[0]!;
  const count = g.targets.length;
  const label = `  ${count} × ${clip(g.name)}  ${formatBytes(g.retained)}`;
  const marks = [first.internal ? '(Node)' : '', first.unheld ? '(no longer weakly held)' : ''].filter(Boolean).join(' ');
  if (section.status === 'released' || first.reachability === 'weak-only') {
    const ids = count === 1 ? ` @${first.id}` : '';
    const values = valueNote(g, options);
    return [`${label}${ids}${marks ? ` ${marks}` : ''}`, ...(values ? [`      ${values}`] : [])];
  }
  const line = pathLine(g.steps, count > 1, options.fullPaths);
  const values = valueNote(g, options);
  return [`${label}${marks ? ` ${marks}` : ''}  ${line}`, `      why: ${why(first, section.kind)}`, ...(values ? [`      ${values}`] : [])];
}

/** WeakMap entries keep their values alive through their keys: name them, they are often the bigger part. */
function valueNote(g: Group, options: WeakTextOptions): string {
  const values = g.targets.flatMap((t) => t.holders.filter((h) => h.kind === 'WeakMap' && h.valueId !== undefined).map((h) => h.valueId!));
  if (values.length === 0) return '';
  const byClass = new Map<string, number>();
  for (const id of values) {
    const name = options.classOf?.(id) ?? '(unknown)';
    byClass.set(name, (byClass.get(name) ?? 0) + 1);
  }
  const list = [...byClass].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, n]) => `${n} × ${clip(name)}`).join(', ');
  const more = byClass.size > 3 ? ', …' : '';
  if (g.targets[0]!.status === 'released') return `their WeakMap values went with them: ${list}${more}`;
  return `WeakMap values held through ${values.length === 1 ? 'this key' : 'these keys'}: ${list}${more}`;
}

function why(t: WeakTargetDto, kind: WeakKind): string {
  if (t.cause === 'finalization-held-value') {
    return 'the registry\'s held value references the target; held values are strong, so the registry itself keeps it alive '
      + 'and the cleanup never runs. Register a held value that does not reach it (e.g. only the path).';
  }
  if (t.cause === 'weakmap-value') return 'it is the value (or reachable from the value) of a WeakMap entry whose key is still alive.';
  const link = lastLink(t.retainerPath) ?? 'the path above';
  const own = t.holders.filter((h) => h.internal === t.internal);
  const kinds = WEAK_KINDS.filter((k) => k === kind || own.some((h) => h.kind === k));
  const weak = kinds.length === 1 ? `the ${kind}` : `its ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
  return `kept by ${link}, not by ${weak}: remove it there and ${kinds.length === 1 ? `the ${kind} lets` : 'they let'} it go.`;
}

/** The nearest named link above the object: `variable logger`, `Chart.observer`, `variable activeLoggers[]`. */
function lastLink(steps: readonly Step[]): string | undefined {
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
    // V8's storage between an object and what it holds (a Map's `table`, `elements`, a scope's
    // `context`): the named link above it says more.
    if (s.edgeType === 'internal') continue;
  }
  return undefined;
}

/** Whose variable: `module `, `closure flush()'s `, or nothing when the path does not say. */
function scopeOf(steps: readonly Step[], context: number): string {
  if (steps[context]?.module !== undefined) return 'module ';
  const fn = steps[context - 1];
  if (fn?.type !== 'closure') return '';
  const name = fn.function || (fn.edgeType === 'property' ? fn.edge : '');
  return name ? `closure ${clip(name ?? '')}()'s ` : "a closure's ";
}

type ShellCluster = { holders: WeakShellGroupDto[]; count: number; before: number | undefined };

/** Holders of one class, reached by one path shape and holding their dead WeakRefs the same way: one line. */
function groupShells(groups: WeakShellGroupDto[]): ShellCluster[] {
  const byKey = new Map<string, ShellCluster>();
  for (const s of groups) {
    const key = `${s.holderName}\u0002${s.via}\u0002${s.internal}\u0002${pathShape(s.retainerPath)}`;
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { holders: [], count: 0, before: undefined }));
    c.holders.push(s);
    c.count += s.count;
    if (s.before !== undefined) c.before = (c.before ?? 0) + s.before;
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count);
}

function renderShells(c: ShellCluster, options: WeakTextOptions): string[] {
  const s = c.holders[0]!;
  const many = c.holders.length > 1;
  const growth = c.before === undefined ? '' : c.count > c.before ? `  (was ${c.before}: +${c.count - c.before})` : `  (was ${c.before})`;
  const where = many ? `${c.holders.length} × ${clip(s.holderName)}` : `${clip(s.holderName)} @${s.holderId}`;
  const head = `  ${c.count} in ${where} via ${clip(s.via)}${s.internal ? ' (Node)' : ''}${growth}`;
  const perHolder = c.count / c.holders.length;
  const advice = perHolder > 1
    ? '      why: nothing removes an entry when its target goes, so it only grows; delete entries whose deref() is undefined, or from a FinalizationRegistry callback.'
    : '      why: one dead WeakRef per holder, a few bytes each: harmless unless the holders pile up.';
  return [`${head}  ${pathLine(s.retainerPath, many, options.fullPaths)}`, advice];
}

/**
 * One path on one line (paths.ts's formatPath), as a shape (indexes `[]`, no id) for a group.
 * Long paths keep their start and their last hops: the cause is usually near the object.
 */
function pathLine(steps: readonly Step[], shape: boolean, full: boolean): string {
  const line = oneLine(formatPath(steps, { shape }));
  const tokens = line.split(' → ');
  if (full || tokens.length <= MAX_PATH_TOKENS) return line;
  return [tokens[0]!, '…', ...tokens.slice(tokens.length - (MAX_PATH_TOKENS - 2))].join(' → ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function base(file: string): string {
  return oneLine(path.basename(file));
}

/** Heap strings are hostile: one line, no control characters, and not a screenful. */
function clip(s: string, max = 60): string {
  const one = oneLine(s);
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
