import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/target.js';

/** One attempt of one test in Playwright's JSON report. */
export interface Attempt {
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  duration: number;
  workerIndex: number;
  retry: number;
  errors: Array<{ message?: string }>;
  attachments: Array<{ name: string; contentType: string; path?: string }>;
  annotations?: Array<{ type: string; description?: string }>;
}

export interface TestRun {
  title: string;
  file: string;
  expectedStatus: string;
  attempts: Attempt[];
  annotations: Array<{ type: string; description?: string }>;
}

export interface SuiteRun {
  exitCode: number | null;
  seconds: number;
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  tests: TestRun[];
  stderr: string;
  /** The test of that exact title (fails loudly when absent or ambiguous). */
  test(title: string): TestRun;
  /** The message of the first error of the last attempt, colours removed. */
  error(title: string): string;
}

/**
 * Runs `playwright test -c CONFIG ARGS…` in a child process with the JSON reporter, as a user's CI
 * would, and parses what it reports. `env` adds to this process's environment.
 */
export async function runPlaywright(config: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<SuiteRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '-c', config, '--reporter=json', ...args], {
    cwd: repoRoot, env: { ...process.env, ...env, FORCE_COLOR: '0', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let report: { stats: SuiteRun['stats']; suites: Suite[] };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    throw new Error(`playwright test -c ${config} printed no JSON report (exit ${exitCode}); stderr:\n${stderr.slice(-3000)}\nstdout:\n${stdout.slice(0, 3000)}`);
  }
  const tests: TestRun[] = [];
  const walk = (s: Suite) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        tests.push({ title: spec.title, file: spec.file, expectedStatus: t.expectedStatus, attempts: t.results, annotations: t.annotations ?? [] });
      }
    }
    for (const child of s.suites ?? []) walk(child);
  };
  report.suites.forEach(walk);
  const find = (title: string) => {
    const hits = tests.filter((t) => t.title === title);
    if (hits.length !== 1) throw new Error(`${hits.length} tests titled "${title}" in the run (of ${tests.length})`);
    return hits[0]!;
  };
  return {
    exitCode,
    seconds: (Date.now() - started) / 1000,
    stats: report.stats,
    tests,
    stderr,
    test: find,
    error: (title) => {
      const last = find(title).attempts.at(-1)!;
      // eslint-disable-next-line no-control-regex
      return (last.errors[0]?.message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
    },
  };
}

interface Suite {
  specs?: Array<{ title: string; file: string; tests: Array<{ expectedStatus: string; results: Attempt[]; annotations?: TestRun['annotations'] }> }>;
  suites?: Suite[];
}

/** The parsed JSON attachment `name` of an attempt. */
export function attachedJson<T>(attempt: Attempt, name: string): T {
  const a = attempt.attachments.find((x) => x.name === name);
  if (!a?.path || !existsSync(a.path)) throw new Error(`no attachment ${name} (have: ${attempt.attachments.map((x) => x.name).join(', ')})`);
  return JSON.parse(readFileSync(a.path, 'utf8')) as T;
}

/** The text of attachment `name`. */
export function attachedText(attempt: Attempt, name: string): string {
  const a = attempt.attachments.find((x) => x.name === name);
  if (!a?.path) throw new Error(`no attachment ${name}`);
  return readFileSync(a.path, 'utf8');
}
