import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FileIoError, UsageError } from '../shared/errors.js';

/** Where each snapshot of one `heapscope capture` run goes. */
export interface OutputPlan {
  /**
   * One entry per snapshot, in order: an absolute file path, an absolute existing directory (the
   * default name goes in it, chosen when the snapshot is taken), or undefined (the default name in
   * the current directory).
   */
  outs: Array<string | undefined>;
  /** How each entry is named in messages: the file, or `a new file in DIR`. */
  labels: string[];
  /** True when the run takes a series (more than one -o, or --count): one session, triggers between. */
  series: boolean;
}

/** The placeholder of a numbered series: `-o snap-{n}.heapsnapshot --count 3` writes snap-1 … snap-3. */
export const NUMBER_PLACEHOLDER = '{n}';

/**
 * Reads `-o` (repeatable) and `--count`. One snapshot: `-o` as before (a file, or an existing
 * directory). A series: several `-o` (each a file or an existing directory), or `--count N` with
 * one `-o` that is a pattern holding `{n}` (1 … N) or an existing directory (N default names), or
 * with no `-o` (N default names here). Every series file's folder must exist before anything is
 * attached: a typo found after the first snapshot would waste the whole series.
 */
export async function planOutputs(outputs: string[], count: number | undefined, cwd: string): Promise<OutputPlan> {
  const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() === true;
  if (count !== undefined) {
    if (outputs.length > 1) throw new UsageError('--count goes with one -o (a folder or a pattern with {n}), not with several -o');
    const only = outputs[0];
    let outs: Array<string | undefined>;
    let labels: string[];
    if (only === undefined) {
      outs = Array.from({ length: count }, () => undefined);
      labels = outs.map(() => `a new file in ${cwd}`);
    } else if (only.includes(NUMBER_PLACEHOLDER)) {
      outs = Array.from({ length: count }, (_, i) => path.resolve(cwd, only.split(NUMBER_PLACEHOLDER).join(String(i + 1))));
      labels = outs.map((o) => o!);
    } else if (await isDir(path.resolve(cwd, only))) {
      const dir = path.resolve(cwd, only);
      outs = Array.from({ length: count }, () => dir);
      labels = outs.map(() => `a new file in ${dir}`);
    } else {
      throw new UsageError(`--count ${count} needs -o to be an existing folder or a file name pattern with {n} `
        + `(e.g. -o snap-{n}.heapsnapshot); "${only}" is neither`);
    }
    await checkFolders(outs);
    return { outs, labels, series: count > 1 };
  }

  const withPattern = outputs.find((o) => o.includes(NUMBER_PLACEHOLDER));
  if (withPattern !== undefined) throw new UsageError(`-o ${withPattern}: a pattern with {n} needs --count N`);
  if (outputs.length <= 1) {
    const only = outputs[0];
    return { outs: [only === undefined ? undefined : path.resolve(cwd, only)], labels: [only ?? `a new file in ${cwd}`], series: false };
  }
  const outs: string[] = [];
  const labels: string[] = [];
  const files = new Set<string>();
  for (const o of outputs) {
    const abs = path.resolve(cwd, o);
    if (await isDir(abs)) {
      labels.push(`a new file in ${abs}`);
    } else {
      if (files.has(abs)) throw new UsageError(`-o ${o} is given twice: the second snapshot would replace the first`);
      files.add(abs);
      labels.push(abs);
    }
    outs.push(abs);
  }
  await checkFolders(outs);
  return { outs, labels, series: true };
}

async function checkFolders(outs: Array<string | undefined>): Promise<void> {
  for (const out of new Set(outs)) {
    if (out === undefined) continue;
    const dir = path.dirname(out);
    const st = await stat(dir).catch((err: unknown) => {
      throw new FileIoError(out, 'create', err);
    });
    if (!st.isDirectory()) throw new FileIoError(out, 'create', Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  }
}
