/**
 * docs/ci/github-actions.yml, the CI example the README points Playwright users to: parsed with
 * the YAML parser Playwright already ships (no new dependency), its shell steps checked by bash,
 * and its compare step's command line run for real on leak reports of the committed snapshots.
 * Run `npm run build` first (the CLI runs from dist).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturesDir, repoRoot } from '../helpers/target.js';

// playwright-core exports its bundled `yaml` (the one it reads aria snapshots with) from lib/utilsBundle.
const { yaml } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle') as { yaml: { parse(text: string): unknown } };

interface Step { name?: string; uses?: string; run?: string; if?: string; id?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Workflow { name: string; on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { 'runs-on': string; steps: Step[] }> }

const file = path.join(repoRoot, 'docs/ci/github-actions.yml');
const text = readFileSync(file, 'utf8');
const workflow = yaml.parse(text) as Workflow;
const steps = Object.values(workflow.jobs)[0]!.steps;
const runs = (pattern: RegExp) => steps.filter((s) => s.run !== undefined && pattern.test(s.run));
const uses = (action: string) => steps.filter((s) => s.uses?.startsWith(`${action}@`));

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-ci-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/ci/github-actions.yml', () => {
  it('is one job: checkout, Node 20, npm ci, Chromium, the Playwright suite, in that order', () => {
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    const order = [
      steps.indexOf(uses('actions/checkout')[0]!),
      steps.indexOf(uses('actions/setup-node')[0]!),
      steps.indexOf(runs(/^npm ci$/)[0]!),
      steps.indexOf(runs(/^npx playwright install --with-deps chromium$/)[0]!),
      steps.indexOf(runs(/^npx playwright test\b/)[0]!),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(uses('actions/setup-node')[0]!.with).toMatchObject({ 'node-version': 20 });
    // This repository's own CI uses Debian's chromium; the example says so where it downloads one.
    expect(text).toMatch(/Debian's chromium package/);
  });

  it('uploads the HTML report and every heapscope report (page, Node target, weak) even when the tests fail', () => {
    const uploads = uses('actions/upload-artifact');
    const paths = uploads.map((s) => s.with?.path);
    expect(paths).toEqual(['playwright-report/', 'test-results/**/heapscope-*.json\ntest-results/**/heapscope-*.html\n']);
    for (const s of uploads) {
      expect(s.if).toBe('always()');
      expect(steps.indexOf(s)).toBeGreaterThan(steps.indexOf(runs(/^npx playwright test\b/)[0]!));
    }
    expect(new Set(uploads.map((s) => s.with?.name)).size).toBe(2);
  });

  it('the optional compare step downloads the leak artifact it uploads and runs heapscope compare on it', () => {
    const download = uses('actions/download-artifact')[0]!;
    expect(download.with?.name).toBe(uses('actions/upload-artifact')[1]!.with?.name);
    expect(download.with?.['run-id']).toBe('${{ steps.base.outputs.run-id }}');
    expect(steps.find((s) => s.id === 'base')).toBeDefined();
    const [compare] = runs(/npx heapscope compare/);
    expect(compare!.run!.trim()).toBe(`npx heapscope compare ${String(download.with?.path)} test-results/ --fail-on new`);
    expect(workflow.permissions).toMatchObject({ actions: 'read' });
  });

  it('every run: script is valid bash', () => {
    for (const s of steps.filter((x) => x.run !== undefined)) {
      const script = path.join(dir, 'step.sh');
      writeFileSync(script, s.run!);
      expect(() => execFileSync('bash', ['-n', script], { stdio: 'pipe' }), s.run).not.toThrow();
    }
  });

  it('the compare command line works on real leak reports: a run compared with itself has no new cluster', async () => {
    const snap = (n: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${n}.heapsnapshot.gz`);
    const check = await runCli(['check', '--baseline', snap('baseline'), '--target', snap('target'), '--final', snap('final'), '--json', '-q']);
    expect(check.code, check.stderr).toBe(1);
    for (const run of ['leaks-main', 'test-results']) {
      mkdirSync(path.join(dir, run, 'leak-test'), { recursive: true });
      writeFileSync(path.join(dir, run, 'leak-test', 'heapscope-leaks.json'), check.stdout);
    }
    const [compare] = runs(/npx heapscope compare/);
    const args = compare!.run!.trim().split(/\s+/).slice(2);
    const r = await runCli(args, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/persist/);
  });
});
