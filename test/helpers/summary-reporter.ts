import type { Reporter, TestModule } from 'vitest/node';
import { writeCounts } from './counts.js';

/**
 * Tallies vitest's results for test/run-all.mjs, which adds the Playwright suite's and prints the
 * one closing line CI reads (`N passed, N failed`). A module that fails to load counts as failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // A module that failed to load, or whose beforeAll/afterAll threw (its tests then show as
      // skipped), is a failure even when none of its tests is.
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    writeCounts('vitest', { passed, failed, skipped });
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
