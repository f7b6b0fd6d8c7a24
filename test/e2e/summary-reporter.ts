import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';
import { writeCounts } from '../helpers/counts.js';

/**
 * Tallies the Playwright suite for test/run-all.mjs. A test counts once, by its final outcome
 * (a retry that passed is `flaky`: counted as passed here, and Playwright's list reporter names it);
 * an error outside any test (a global setup, a file that fails to load) counts as a failure.
 */
export default class SummaryReporter implements Reporter {
  private suite: Suite | undefined;
  private outsideErrors = 0;

  onBegin(_config: unknown, suite: Suite): void {
    this.suite = suite;
  }

  onError(): void {
    this.outsideErrors++;
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const test of this.suite?.allTests() ?? []) {
      const outcome = test.outcome();
      if (outcome === 'expected' || outcome === 'flaky') passed++;
      else if (outcome === 'skipped') skipped++;
      else failed++;
    }
    failed += this.outsideErrors;
    if (result.status !== 'passed' && failed === 0) failed = 1; // timed out or interrupted
    writeCounts('playwright', { passed, failed, skipped });
    process.stdout.write(`playwright: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
