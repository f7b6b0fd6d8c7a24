import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.js';

/**
 * A leak-regression suite written the way a user of heapscope/playwright writes one: the notes app
 * in fixtures/pages/notes/ served over HTTP by a Playwright webServer, its build (leaky or fixed)
 * chosen by APP_BUILD. test/playwright/regression.test.ts runs it for both builds and compares the
 * two runs with `heapscope compare`; test/bench/flaky.mjs runs it with --repeat-each 20.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/regression',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.HEAPSCOPE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
  webServer: {
    command: 'node test/regression/serve.mjs',
    cwd: '../..',
    // serve.mjs binds a free port and prints its URL; Playwright passes it to the tests as HEAPSCOPE_PAGES_URL.
    wait: { stdout: /listening on (?<heapscope_pages_url>\S+)/ },
    env: { PORT: '0' },
    reuseExistingServer: false,
  },
});
