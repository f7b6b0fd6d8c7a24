import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where each runner leaves its tally for test/run-all.mjs, which prints the one closing line CI reads. */
export const COUNTS_DIR = path.resolve(import.meta.dirname, '../../test-results/counts');

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function writeCounts(runner: string, counts: Counts): void {
  mkdirSync(COUNTS_DIR, { recursive: true });
  writeFileSync(path.join(COUNTS_DIR, `${runner}.json`), JSON.stringify(counts));
}
