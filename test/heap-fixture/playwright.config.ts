import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.js';

/**
 * The `heapscope/playwright` fixture's own suite, run by test/playwright/fixture.test.ts (vitest)
 * in a child `playwright test` with the JSON reporter: some of these tests fail on purpose, and
 * the parent checks how (message, attachments, timing). HEAPSCOPE_FIXTURE_OUT picks the output
 * folder so parallel runs of the parent never share one.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: process.env.HEAPSCOPE_FIXTURE_OUT ?? '../../test-results/heap-fixture',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.HEAPSCOPE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
});
