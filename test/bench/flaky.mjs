// Flakiness of the leak suite (issue 6 "Flakiness"): the Playwright regression suite
// (test/regression/playwright.config.ts, which serves fixtures/pages with test/regression/serve.mjs
// and picks the notes app's build from APP_BUILD) run with --repeat-each 20, once per build:
//
//   APP_BUILD=leaky npx playwright test -c test/regression/playwright.config.ts --repeat-each 20 --reporter=json
//   APP_BUILD=fixed …
//
// The JSON report is parsed, and per build it prints: runs, passed, failed, flaky, wall time and
// mean time per test. A test is flaky when Playwright says so (`flaky`: failed, then passed on a
// retry) or when its repeats did not all have the same outcome. The outcome of one run is its
// status plus what heapscope found: the leak report it wrote (heapscope-leaks.json: pass, and each
// cluster's count, class and path shape), or the kind of error when the test failed some other way.
// So a leaky test that finds 1 leaked drawer in 19 runs and 2 in the 20th is flaky too, and so is
// one that times out once.
//
// The leaky build is expected to fail every run (the leak is found each time: failing is its
// correct outcome, not a flaky one); the fixed build to pass every run. Exit 1 when anything is flaky or a build did not do what it should; 2 when the
// suite cannot run.
//
//   node test/bench/flaky.mjs [--repeat-each 20] [--builds leaky,fixed] [--workers N]
//                             [--config test/regression/playwright.config.ts] [--keep]
//   npm run bench -- --only flaky
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_CONFIG = 'test/regression/playwright.config.ts';
const BUILDS = ['leaky', 'fixed'];
/** What each build should do on every run. */
const EXPECTED = { leaky: 'fail on the leak', fixed: 'pass' };

const log = (s) => process.stderr.write(`${s}\n`);

export class FlakyUsageError extends Error {}

/** Options from argv; throws FlakyUsageError naming the bad argument. */
export function parseFlakyArgs(argv) {
  const opts = { repeatEach: 20, builds: [...BUILDS], workers: undefined, config: DEFAULT_CONFIG, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new FlakyUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--repeat-each') opts.repeatEach = Number(value());
    else if (a === '--builds') opts.builds = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--workers') opts.workers = value();
    else if (a === '--config') opts.config = value();
    else if (a === '--keep') opts.keep = true;
    else throw new FlakyUsageError(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.repeatEach) || opts.repeatEach < 2) throw new FlakyUsageError('--repeat-each must be a whole number ≥ 2 (one run cannot disagree with itself)');
  const unknown = opts.builds.filter((b) => !BUILDS.includes(b));
  if (opts.builds.length === 0 || unknown.length) throw new FlakyUsageError(`--builds: ${unknown.join(', ') || '(none)'}; known: ${BUILDS.join(', ')}`);
  if (opts.workers !== undefined && !/^\d+%?$/.test(opts.workers)) throw new FlakyUsageError(`--workers takes a number or a percentage, got ${opts.workers}`);
  return opts;
}

// ---- Reading Playwright's JSON report ---------------------------------------------------------

/** Every test entry of the report (one per project and repeat), with its describe titles. */
function* testEntries(suite, titles = [], top = true) {
  // The top suites are files: their title is the spec's file, which the key already has.
  const here = suite.title && !top ? [...titles, suite.title] : titles;
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) yield { spec, test, titlePath: [...here, spec.title] };
  }
  for (const child of suite.suites ?? []) yield* testEntries(child, here, false);
}

/** Path shapes written by different processes differ in handle numbers and V8's scope ids: not in what they mean. */
export function normalisePathShape(shape) {
  return String(shape).replace(/\["\d+ \/ /g, '["[] / ').replace(/scope @\d+/g, 'scope @…');
}

/** What heapscope found in one run: its leak reports (heapscope-leaks.json attachments) in a few words. */
function leakFindings(result) {
  const found = [];
  for (const a of result.attachments ?? []) {
    if (!/^heapscope.*leaks\.json$/.test(a.name) || !a.path) continue;
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(a.path, 'utf8'));
    } catch (e) {
      found.push({ unreadable: `${a.name}: ${e.message}` });
      continue;
    }
    found.push({
      pass: doc.pass,
      totalCount: doc.totalCount,
      totalRetainedSize: doc.totalRetainedSize,
      clusters: (doc.leaks ?? []).map((l) => `${l.count} × ${l.name} | ${normalisePathShape(l.path ?? '')}`).sort(),
    });
  }
  return found;
}

/** The kind of a failure, stable across runs: heapscope's leak verdict, a timeout, or the error's first line without numbers. */
function errorKind(result) {
  if (result.status === 'timedOut') return 'timed out';
  // Playwright colours matcher messages even in the JSON report.
  const message = (result.error?.message ?? result.errors?.[0]?.message ?? '').replace(/\u001b\[[\d;]*m/g, '');
  const first = message.split('\n')[0].replace(/^Error: /, '');
  if (/^heapscope: \d+ leaked objects? in \d+ clusters?/.test(first)) return 'leaks over budget';
  // Numbers (sizes, ports, ids, durations) vary between runs of one failure.
  return first.replace(/\d+(\.\d+)?/g, 'N').slice(0, 200);
}

/**
 * One build's figures from Playwright's JSON report: per test (spec and project), the outcome of
 * each repeat; the test is flaky when Playwright says so or when its repeats disagree.
 */
export function analyseReport(report) {
  const byTest = new Map();
  let runs = 0;
  let passed = 0;
  let failed = 0;
  /** Failed runs whose error is not heapscope's leak verdict (a timeout, a crash, a broken locator). */
  let failedOtherwise = 0;
  let skipped = 0;
  let leakFound = 0;
  let playwrightFlaky = 0;
  let durationMs = 0;
  let results = 0;
  for (const suite of report.suites ?? []) {
    for (const { spec, test, titlePath } of testEntries(suite)) {
      const key = [test.projectName ? `[${test.projectName}]` : '', `${spec.file}:${spec.line}`, ...titlePath].filter(Boolean).join(' › ');
      const last = test.results?.at(-1);
      runs++;
      for (const r of test.results ?? []) {
        durationMs += r.duration ?? 0;
        results++;
      }
      if (test.status === 'flaky') playwrightFlaky++;
      if (!last || test.status === 'skipped') skipped++;
      else if (last.status === 'passed') passed++;
      else {
        failed++;
        if (errorKind(last) !== 'leaks over budget') failedOtherwise++;
      }
      const findings = last ? leakFindings(last) : [];
      if (findings.some((f) => f.pass === false)) leakFound++;
      const outcome = JSON.stringify({
        status: test.status,
        result: last?.status ?? 'none',
        error: last && last.status !== 'passed' && last.status !== 'skipped' ? errorKind(last) : undefined,
        heapscope: findings.map((f) => (f.unreadable ? { unreadable: true } : { pass: f.pass, clusters: f.clusters })),
      });
      const entry = byTest.get(key) ?? { key, outcomes: new Map(), playwrightFlaky: 0, bytes: [], leakFound: 0 };
      entry.outcomes.set(outcome, (entry.outcomes.get(outcome) ?? 0) + 1);
      if (findings.some((f) => f.pass === false)) entry.leakFound++;
      if (test.status === 'flaky') entry.playwrightFlaky++;
      for (const f of findings) if (typeof f.totalRetainedSize === 'number') entry.bytes.push(f.totalRetainedSize);
      byTest.set(key, entry);
    }
  }
  const tests = [...byTest.values()].map((t) => ({
    test: t.key,
    repeats: [...t.outcomes.values()].reduce((a, b) => a + b, 0),
    outcomes: [...t.outcomes].map(([o, n]) => ({ n, ...JSON.parse(o) })),
    flaky: t.playwrightFlaky > 0 || t.outcomes.size > 1,
    leakFound: t.leakFound,
    retainedBytes: t.bytes.length ? { min: Math.min(...t.bytes), max: Math.max(...t.bytes) } : undefined,
  }));
  const inconsistent = tests.filter((t) => t.outcomes.length > 1).length;
  return {
    tests: tests.length,
    runs,
    passed,
    failed,
    failedOtherwise,
    skipped,
    leakFound,
    flaky: tests.filter((t) => t.flaky).length,
    playwrightFlaky,
    inconsistent,
    meanTestS: results ? durationMs / results / 1000 : 0,
    perTest: tests,
    errors: (report.errors ?? []).map((e) => e.message?.split('\n')[0] ?? String(e)),
  };
}

/**
 * Whether a build did what it should: in the leaky build the leak is found (some test fails) and
 * every failure is heapscope's leak verdict, never a timeout or another error; in the fixed build
 * nothing fails. That it happens on every repeat is the flakiness check's part.
 */
export function buildAsExpected(build, row) {
  if (row.runs === 0 || row.passed + row.failed === 0) return false;
  if (build === 'leaky') return row.failed > 0 && row.leakFound > 0 && row.failedOtherwise === 0;
  return row.failed === 0;
}

// ---- Running the suite ------------------------------------------------------------------------

/** Runs the suite once for BUILD with --repeat-each; resolves with the parsed report and the wall time. */
async function runBuild(build, opts, dir) {
  const reportFile = path.join(dir, `report-${build}.json`);
  const args = ['playwright', 'test', '-c', opts.config, '--repeat-each', String(opts.repeatEach), '--reporter=json', '--output', path.join(dir, `results-${build}`)];
  if (opts.workers !== undefined) args.push('--workers', String(opts.workers));
  log(`flaky: APP_BUILD=${build} npx ${args.join(' ')}`);
  const t0 = performance.now();
  const child = spawn('npx', args, {
    cwd: repo,
    // The JSON goes to a file, so whatever the suite's web server prints cannot corrupt it.
    env: { ...process.env, APP_BUILD: build, PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { output = (output + s).slice(-20_000); });
  child.stderr.setEncoding('utf8').on('data', (s) => { output = (output + s).slice(-20_000); });
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, signal) => resolve(c ?? signal));
  });
  const wallS = (performance.now() - t0) / 1000;
  let report;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch (e) {
    throw new Error(`APP_BUILD=${build}: playwright exited ${code} without a readable JSON report (${e.message})\n${output.split('\n').slice(-15).join('\n')}`);
  }
  return { report, wallS, code };
}

/** Both builds (or those asked for), one after the other; one row per build. */
export async function runFlakyBench(opts) {
  const config = path.resolve(repo, opts.config);
  if (!fs.existsSync(config)) throw new Error(`${path.relative(repo, config)} is missing: the leak suite is not there`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-flaky-'));
  const rows = [];
  try {
    for (const build of opts.builds) {
      const { report, wallS, code } = await runBuild(build, opts, dir);
      const row = { build, expected: EXPECTED[build], wallS, exitCode: code, repeatEach: opts.repeatEach, ...analyseReport(report) };
      row.asExpected = buildAsExpected(build, row);
      rows.push(row);
      log(`flaky: ${build}: ${row.runs} runs, ${row.passed} passed, ${row.failed} failed, ${row.flaky} flaky, ${wallS.toFixed(1)} s`);
    }
  } finally {
    if (opts.keep) log(`flaky: reports and test output kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function flakyWithinTargets(rows) {
  return rows.length > 0 && rows.every((r) => r.flaky === 0 && r.asExpected && r.errors.length === 0);
}

export function printFlakyTable(rows) {
  const head = ['build', 'tests', 'runs', 'passed', 'failed', 'flaky', 'leak found', 'wall s', 'mean s/test', 'expected on every run'];
  const body = rows.map((r) => [
    r.build, String(r.tests), String(r.runs), String(r.passed), String(r.failed),
    r.flaky ? `${r.flaky} (Playwright ${r.playwrightFlaky}, repeats disagree ${r.inconsistent})` : '0',
    `${r.leakFound}/${r.runs}`, r.wallS.toFixed(1), r.meanTestS.toFixed(2), `${r.expected}: ${r.asExpected ? 'yes' : 'NO'}${r.failedOtherwise ? ` (${r.failedOtherwise} failed otherwise)` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\nLeak suite, --repeat-each ${rows[0]?.repeatEach ?? '?'} per build (test/bench/flaky.mjs)`);
  console.log(line(head));
  for (const b of body) console.log(line(b));
  for (const r of rows) {
    if (r.build === 'leaky') {
      const finders = r.perTest.filter((t) => t.leakFound > 0);
      console.log(`leaky: failing is the expected outcome here, not a flaky one: the leak is found each time `
        + `(${finders.map((t) => `${t.leakFound} of ${t.repeats} repeats of ${t.test.split(' › ').at(-1)}`).join('; ') || 'no test found it'}).`);
    }
    for (const e of r.errors) console.log(`${r.build}: suite error: ${e}`);
    for (const t of r.perTest) {
      const bytes = t.retainedBytes ? `, leaked ${t.retainedBytes.min === t.retainedBytes.max ? t.retainedBytes.min : `${t.retainedBytes.min}–${t.retainedBytes.max}`} B` : '';
      const found = (h) => (h.unreadable ? 'unreadable report' : h.pass ? 'no leak' : h.clusters.map((c) => c.split(' | ')[0]).join(', '));
      const outcomes = t.outcomes.map((o) => `${o.n}× ${o.result}${o.error ? ` (${o.error})` : ''}${o.heapscope.length ? `: ${o.heapscope.map(found).join('; ')}` : ''}`);
      console.log(`  ${r.build}${t.flaky ? ' FLAKY' : ''}: ${t.test}: ${outcomes.join(' | ')}${bytes}`);
    }
  }
  const flaky = rows.reduce((n, r) => n + r.flaky, 0);
  const runs = rows.reduce((n, r) => n + r.runs, 0);
  const wrong = rows.filter((r) => !r.asExpected).map((r) => `the ${r.build} build did not ${r.expected}`);
  console.log(`flaky: ${flaky} flaky tests in ${runs} runs; ${wrong.join('; ') || 'every build did what it should'}`);
}

async function main() {
  let opts;
  try {
    opts = parseFlakyArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof FlakyUsageError)) throw e;
    log(`flaky: ${e.message}`);
    log('usage: node test/bench/flaky.mjs [--repeat-each 20] [--builds leaky,fixed] [--workers N] [--config FILE] [--keep]');
    process.exit(2);
  }
  let rows;
  try {
    rows = await runFlakyBench(opts);
  } catch (e) {
    log(`flaky: ${e.message}`);
    process.exit(2);
  }
  printFlakyTable(rows);
  process.exitCode = flakyWithinTargets(rows) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
