#!/usr/bin/env node
// The README's test command ends here: vitest (unit, CLI, live targets), then Playwright (the
// dashboard in real Chromium), then the one closing line CI reads: `N passed, N failed`.
// Each runner's reporter leaves its tally in test-results/counts/; a runner that exits non-zero
// without a tally (crashed, config error) counts as one failure, so the line can never say
// "0 failed" when something broke.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const countsDir = path.join(root, 'test-results/counts');
rmSync(countsDir, { recursive: true, force: true });

const runners = [
  { name: 'vitest', args: ['vitest', 'run', ...process.argv.slice(2)] },
  { name: 'playwright', args: ['playwright', 'test'] },
];
let passed = 0;
let failed = 0;
let status = 0;
for (const runner of runners) {
  const r = spawnSync('npx', ['--no-install', ...runner.args], { cwd: root, stdio: 'inherit' });
  const file = path.join(countsDir, `${runner.name}.json`);
  const counts = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  if (r.status !== 0) status = 1;
  if (!counts) {
    process.stderr.write(`${runner.name} ended (status ${r.status ?? r.signal}) without reporting results\n`);
    failed += 1;
    continue;
  }
  passed += counts.passed;
  failed += counts.failed;
  if (counts.failed === 0 && r.status !== 0) failed += 1;
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : status;
