import { analyzeLeaks, newSinceBaseline, survivorsInFinal, type LeakAnalysis } from '../analysis/leaks.js';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { weakReport } from '../analysis/weak.js';
import type { WeakReport } from '../analysis/weak/types.js';
import type { HarnessRoots } from '../snapshot/harness.js';

export interface HarnessLeakAnalysis extends LeakAnalysis {
  /** Objects born between baseline and target, alive in final, that only the test harness keeps. */
  harness: { count: number };
}

/**
 * `heapscope check`'s analysis (src/cli/leak-run.ts) on three snapshots of one session, with what
 * the harness holds left out (src/snapshot/harness.ts). At most two graphs are loaded at a time.
 */
export async function analyzeRun(files: { baseline: string; target: string; final: string }, harness: HarnessRoots,
  ignoreClass: readonly RegExp[]): Promise<HarnessLeakAnalysis> {
  const load = (file: string) => LoadedSnapshot.load(file, { harness });
  let baseline: LoadedSnapshot | undefined = await load(files.baseline);
  let target: LoadedSnapshot | undefined = await load(files.target);
  let isNew: Uint8Array | undefined = newSinceBaseline(baseline, target);
  baseline = undefined;
  const final = await load(files.final);
  const survivors = survivorsInFinal(target, final, isNew);
  target = undefined;
  isNew = undefined;
  const held = final.graph.harnessHeld;
  let count = 0;
  if (held) for (let o = 0; o < survivors.length; o++) if (survivors[o] && held[o]) count++;
  return { ...analyzeLeaks(final, survivors, { ignoreClass }), harness: { count } };
}

/** `heapscope weak` on one snapshot, or on a before/after pair of one session, harness left out. */
export async function analyzeWeak(before: string, after: string | undefined, harness: HarnessRoots): Promise<WeakReport> {
  const first = await LoadedSnapshot.load(before, { harness });
  const second = after ? await LoadedSnapshot.load(after, { harness }) : undefined;
  return weakReport(first, second);
}
