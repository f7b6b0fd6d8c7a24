import { defineConfig } from '@playwright/test';

/**
 * The dashboard's browser tests: the real server (`heapscope serve|run|demo`) attached to real
 * fixture targets, driven in Debian's Chromium. Never `npx playwright install` (FACTS.md §1: no
 * browser download here); the flags are the ones measured to start Chromium in this container.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./test/e2e/summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    launchOptions: { executablePath: process.env.HEAPSCOPE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    // A click that cannot happen fails in seconds, not at the test's timeout.
    actionTimeout: 20_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
