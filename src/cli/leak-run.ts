import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { analyzeLeaks, newSinceBaseline, survivorsInFinal, type LeakAnalysis } from '../analysis/leaks.js';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { formatBytes, oneLine } from './format.js';
import { ProgressReporter } from './progress.js';

/** Options `leaks` and `check` share. */
export interface LeakFlags {
  baseline: string;
  target: string;
  final: string;
  json?: boolean;
  top?: number;
  quiet?: boolean;
  ignoreClass?: RegExp[];
}

export const DEFAULT_CLUSTERS_SHOWN = 20;

export function addLeakOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--baseline <A>', 'snapshot before the action (e.g. app started, page loaded)')
    .requiredOption('--target <B>', 'snapshot after the action (e.g. dialog opened): what it allocated is in B')
    .requiredOption('--final <C>', 'snapshot after undoing the action (e.g. dialog closed): what is still there leaked')
    .option('--json', 'print one JSON document (see CONTRACT.md)')
    .option('--top <n>', `clusters shown (0: all; default ${DEFAULT_CLUSTERS_SHOWN}; --json always has all)`, (v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expects a whole number');
      return Number(v);
    })
    .addOption(new Option('--ignore-class <regex>', 'leave out objects whose class name matches (repeatable), and what only they keep alive')
      .argParser(collectRegex))
    .option('-q, --quiet', 'no progress on stderr');
}

function collectRegex(value: string, previous: RegExp[] | undefined): RegExp[] {
  let re: RegExp;
  try {
    re = new RegExp(value);
  } catch (err) {
    throw new InvalidArgumentError(`not a regular expression: ${(err as Error).message}`);
  }
  return [...(previous ?? []), re];
}

/**
 * Loads the three snapshots one after another and keeps at most two graphs at a time: baseline is
 * dropped once target's new objects are known, target once final's survivors are.
 */
export async function runLeakAnalysis(flags: LeakFlags): Promise<LeakAnalysis> {
  const progress = new ProgressReporter(flags.quiet ? 'off' : 'auto', 'loading');
  const load = (file: string, what: string) => LoadedSnapshot.load(file, { onProgress: (d, t) => progress.update(d, t, `reading ${what}`) });
  // Explicit `undefined`s: an async function's locals live as long as its frame unless cleared.
  let baseline: LoadedSnapshot | undefined = await load(flags.baseline, 'baseline');
  let target: LoadedSnapshot | undefined = await load(flags.target, 'target');
  progress.stage('matching baseline and target');
  let isNew: Uint8Array | undefined = newSinceBaseline(baseline, target);
  baseline = undefined;
  const final = await load(flags.final, 'final');
  progress.stage('matching target and final');
  const survivors = survivorsInFinal(target, final, isNew);
  target = undefined;
  isNew = undefined;
  progress.stage('analysing final');
  const result = analyzeLeaks(final, survivors, { ignoreClass: flags.ignoreClass ?? [] });
  progress.done();
  return result;
}

/** `leaks --json` per CONTRACT.md (key order as written there), plus additive fields. */
export function leakDocument(flags: LeakFlags, a: LeakAnalysis): Record<string, unknown> {
  return {
    baseline: flags.baseline,
    target: flags.target,
    final: flags.final,
    leaks: a.leaks,
    totalCount: a.totalCount,
    totalRetainedSize: a.totalRetainedSize,
    candidates: a.candidates,
    ignored: a.ignored,
  };
}

/** Human output: one line per cluster (count, class, retained size, path), and a summary line. */
export function renderClusters(flags: LeakFlags, a: LeakAnalysis): string {
  const top = flags.top ?? DEFAULT_CLUSTERS_SHOWN;
  const shown = top > 0 ? a.leaks.slice(0, top) : a.leaks;
  const files = [flags.baseline, flags.target, flags.final].map((f) => path.basename(f)).join(' → ');
  let out = `${oneLine(files)}\n`;
  if (a.leaks.length === 0) {
    out += `\nof ${a.candidates} objects allocated between baseline and target and still alive in final, none is one a program can release `
      + '(V8 code, shapes, feedback and constants are left out)\n';
  } else {
    out += '\n';
    const counts = shown.map((c) => `${c.count} ×`);
    const names = shown.map((c) => oneLine(c.name));
    const sizes = shown.map((c) => formatBytes(c.retainedSize));
    const w1 = Math.max(...counts.map((s) => s.length));
    const w2 = Math.min(40, Math.max(...names.map((s) => s.length)));
    const w3 = Math.max(...sizes.map((s) => s.length));
    shown.forEach((c, i) => {
      const name = names[i]!.length > w2 ? `${names[i]!.slice(0, w2 - 1)}…` : names[i]!;
      out += `  ${counts[i]!.padStart(w1)} ${name.padEnd(w2)}  ${sizes[i]!.padStart(w3)}  ${oneLine(c.path)}\n`;
    });
    if (shown.length < a.leaks.length) out += `  … ${a.leaks.length - shown.length} more clusters (--top 0 shows all)\n`;
  }
  if (a.ignored.count > 0) out += `\n--ignore-class left out ${a.ignored.count} objects (${formatBytes(a.ignored.retainedSize)})\n`;
  return out;
}

export function leakSummaryLine(a: LeakAnalysis): string {
  return `${a.totalCount} leaked object${a.totalCount === 1 ? '' : 's'} in ${a.leaks.length} cluster${a.leaks.length === 1 ? '' : 's'}, `
    + `${formatBytes(a.totalRetainedSize)} retained`;
}
