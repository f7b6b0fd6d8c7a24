// heapscope benchmark: the same snapshot files loaded by heapscope, by Chrome DevTools' own heap
// snapshot code (test/oracle) and by MemLab, side by side in one run, each in a child process of its
// own; wall time and peak RSS per run, median of --runs, ratios to DevTools, and a check that the
// numbers agree with DevTools'.
//
//   npm run bench -- [--sizes 300,1000] [--runs 1] [--only devtools,memlab,heapscope]
//                    [--generator items|mixed] [--regen]
//
// `--only flaky` runs no snapshot tool: it runs the Playwright leak suite --repeat-each times
// (default 20) per build of the notes app and counts flaky results (test/bench/flaky.mjs).
//
// Snapshots are generated once into .bench/ (gitignored) and reused: a generator target builds a heap
// of about SIZE MB of snapshot and is captured with `heapscope capture`. Generators: `items`
// (fixtures/targets/generator.mjs: uniform Item chains, the default when present) and `mixed`
// (test/bench/generator-target.mjs: classes in trees, plain objects, closures, cons strings, Maps,
// WeakMap/WeakRef/FinalizationRegistry). When `heapscope capture` is unavailable or fails, the
// `mixed` target writes the snapshot itself (v8.writeHeapSnapshot in its phase 1, on SIGUSR2) and
// the `items` target is captured here over CDP (chrome-remote-interface). Costs seen on
// this machine (FACTS.md §4): the 1 GB file takes ~90 s and 8.5 GB of target RSS to generate, and
// ~65 s / 4.5 GB to load in DevTools' code.
//
// New rows (diff, weak, leaks, ...) are new entries in CASES below. DevTools' row comes first: its
// result is the reference the other rows are checked against (cached per file in .bench/).
//
// Commands that read several snapshots of one process (diff, weak, leaks) are SERIES_CASES: they
// run on a series of three snapshots of ONE inspector session of the `items` generator (phases
// built → grown → trimmed, fixtures/targets/generator.mjs), captured once into .bench/ with
// `heapscope capture -o A -o B -o C --stdin` (or over CDP when that fails). Each is compared with
// heapscope's own full load of the same number of snapshots held together (test/bench/hold.mjs,
// rows load×2 and load×3): the target is at most 1.5× its time and 1.5× its peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '../oracle/bundle.mjs';
import { flakyWithinTargets, parseFlakyArgs, printFlakyTable, runFlakyBench } from './flaky.mjs';
import { printUiTable, runUiBench, uiWithinTargets } from './ui.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchDir = path.join(repo, '.bench');
const heapscopeCli = path.join(repo, 'dist', 'cli', 'main.js');
const oracleRunner = path.join(repo, 'test', 'oracle', 'runner.mjs');
const memlabDir = path.join(benchDir, 'memlab');
const memlabCore = path.join(memlabDir, 'node_modules', '@memlab', 'core');
const memlabLoad = path.join(repo, 'test', 'bench', 'memlab-load.cjs');
const holdScript = path.join(repo, 'test', 'bench', 'hold.mjs');
const GENERATORS = {
  items: { file: path.join(repo, 'fixtures', 'targets', 'generator.mjs'), args: (sizeMb) => [String(sizeMb)], writesItself: false },
  mixed: { file: path.join(repo, 'test', 'bench', 'generator-target.mjs'), args: (sizeMb, out) => [String(sizeMb), out], writesItself: true },
};
// Every tool gets the same heap ceiling; DevTools needs ~4.5 GB at 1 GB of snapshot.
const HEAP_MB = Math.max(4096, Math.min(16384, Math.floor((os.totalmem() / 2 ** 20) * 0.7)));

// ---------------------------------------------------------------------------------------------
// Cases. Each is one row per snapshot file. `command` returns the child to measure; `check` turns
// its output into a short verdict, comparing with DevTools' numbers (`ref`, the oracle's result).

/** @typedef {{ file: string, out: string, ref: any }} Ctx */
const CASES = [
  {
    tool: 'devtools',
    what: 'Chrome DevTools heap snapshot code: parse + full init (retainers, dominators, retained sizes) + Summary aggregates',
    prepare: async () => { await ensureBundle(); },
    command: ({ file, out }) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, oracleRunner, file, '--out', out, '--worker-heap-mb', String(HEAP_MB)]],
    check: ({ out }) => {
      const r = readJson(out);
      return { ok: true, text: `total ${r.totalSize} B, ${r.classes.length} rows, ${r.nodeCount} nodes`, result: r };
    },
  },
  {
    tool: 'memlab',
    what: 'MemLab getSnapshotFromFile + preparePathFinder (shortest paths, dominators, retained sizes)',
    prepare: ensureMemlab,
    command: ({ file, out }) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, memlabLoad, memlabCore, file, out]],
    check: ({ out, ref }) => {
      const r = readJson(out);
      if (!ref) return { ok: true, text: `total retained ${r.totalRetainedSize} B (no DevTools reference)` };
      const want = ref.rootRetainedSize;
      return r.totalRetainedSize === want
        ? { ok: true, text: 'total retained = DevTools' }
        : { ok: false, text: `total retained ${r.totalRetainedSize} ≠ DevTools ${want}` };
    },
  },
  {
    tool: 'heapscope',
    what: 'heapscope summary --json: parse + retainers + dominators + retained sizes + class summary',
    prepare: async () => {
      if (!fs.existsSync(heapscopeCli)) return 'dist/cli/main.js is missing (npm run build failed?)';
      const help = spawnSync(process.execPath, [heapscopeCli, 'summary', '--help'], { encoding: 'utf8' });
      if (help.status !== 0) return `\`heapscope summary\` is not available: ${tail(help.stderr || help.stdout, 2)}`;
      return undefined;
    },
    command: ({ file }) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, heapscopeCli, 'summary', file, '--json']],
    stdoutIsOutput: true,
    check: ({ out, ref }) => compareSummary(readJson(out), ref),
  },
];

/** heapscope's `summary --json` against DevTools' Summary rows: totals, then row by row. */
function compareSummary(mine, ref) {
  if (!ref) return { ok: true, text: `total ${mine.totalSize} B (no DevTools reference)` };
  const problems = [];
  if (mine.totalSize !== ref.totalSize) problems.push(`total ${mine.totalSize} ≠ DevTools ${ref.totalSize}`);
  if (mine.nodes !== ref.nodeCount || mine.edges !== ref.edgeCount) problems.push(`nodes/edges ${mine.nodes}/${mine.edges} ≠ ${ref.nodeCount}/${ref.edgeCount}`);
  // Rows are matched by DevTools' class key when heapscope reports one, else by name.
  const keyOf = (c) => (c.key !== undefined ? `k:${c.key}` : `n:${c.name}`);
  const useKeys = mine.classes.length > 0 && mine.classes.every((c) => c.key !== undefined);
  const theirs = new Map();
  for (const c of ref.classes) {
    const k = useKeys ? `k:${c.key}` : `n:${c.name}`;
    const prev = theirs.get(k);
    // Without keys, rows of one name are summed (two classes `Foo` from two files).
    theirs.set(k, prev ? { count: prev.count + c.count, selfSize: prev.selfSize + c.selfSize, retainedSize: prev.retainedSize + c.retainedSize } : c);
  }
  let equal = 0;
  const firstDiffs = [];
  for (const c of mine.classes) {
    const t = theirs.get(keyOf(c));
    if (t && t.count === c.count && t.selfSize === c.selfSize && t.retainedSize === c.retainedSize) equal++;
    else if (firstDiffs.length < 3) firstDiffs.push(t ? `${c.name}: ${c.count}/${c.selfSize}/${c.retainedSize} vs ${t.count}/${t.selfSize}/${t.retainedSize}` : `${c.name}: not in DevTools`);
  }
  const rows = `${equal}/${theirs.size} rows equal`;
  if (equal !== theirs.size || mine.classes.length !== theirs.size) problems.push(rows + (firstDiffs.length ? ` (${firstDiffs.join('; ')})` : ''));
  return problems.length ? { ok: false, text: problems.join('; ') } : { ok: true, text: `total = DevTools, ${rows}` };
}

// ---------------------------------------------------------------------------------------------
// Series cases: one row per size, on the series [A, B, C] of that size. `reference` rows are the
// yardstick (N full loads held together); the others name the reference they are measured against.

const TARGET_RATIO = 1.5;
const heapscopeArgs = (...args) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, heapscopeCli, ...args]];

/** @typedef {{ files: string[], out: string, meta: any }} SeriesCtx */
const SERIES_CASES = [
  {
    tool: 'load×2',
    reference: true,
    what: 'heapscope full load (as summary) of snapshots A and B, both held: the yardstick for diff and weak',
    command: ({ files }) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, holdScript, files[0], files[1]]],
    stdoutIsOutput: true,
    check: ({ out }) => ({ ok: readJson(out).files === 2, text: `${readJson(out).nodes.join(' + ')} nodes` }),
  },
  {
    tool: 'diff',
    ref: 'load×2',
    what: 'heapscope diff A B --json (parse both, match ids, per-class change)',
    command: ({ files }) => heapscopeArgs('diff', files[0], files[1], '--json', '-q'),
    stdoutIsOutput: true,
    check: ({ out, meta }) => {
      const item = readJson(out).classes.find((c) => c.name === 'Item');
      const want = meta?.expect;
      if (!item) return { ok: false, text: 'no Item row' };
      const ok = !want || (item.added === want.grown && item.removed === want.dropped);
      return { ok, text: `Item +${item.added} -${item.removed}${want ? ` (expected +${want.grown} -${want.dropped})` : ''}` };
    },
  },
  {
    tool: 'weak',
    ref: 'load×2',
    what: 'heapscope weak A B --json (weak targets of both, statuses, paths)',
    command: ({ files }) => heapscopeArgs('weak', files[0], files[1], '--json', '-q'),
    stdoutIsOutput: true,
    prepare: () => cliHas('weak'),
    check: ({ out }) => {
      const r = readJson(out);
      return { ok: Array.isArray(r.targets), text: `${r.targets?.length ?? '?'} weak targets` };
    },
  },
  {
    tool: 'load×3',
    reference: true,
    what: 'heapscope full load (as summary) of snapshots A, B and C, all held: the yardstick for leaks',
    command: ({ files }) => [process.execPath, [`--max-old-space-size=${HEAP_MB}`, holdScript, ...files]],
    stdoutIsOutput: true,
    check: ({ out }) => ({ ok: readJson(out).files === 3, text: `${readJson(out).nodes.join(' + ')} nodes` }),
  },
  {
    tool: 'leaks',
    ref: 'load×3',
    what: 'heapscope leaks --baseline A --target B --final C --json (match, paths, dominators and clusters of C)',
    command: ({ files }) => heapscopeArgs('leaks', '--baseline', files[0], '--target', files[1], '--final', files[2], '--json', '-q'),
    stdoutIsOutput: true,
    check: ({ out, meta }) => {
      const r = readJson(out);
      const item = r.leaks.find((c) => c.name === 'Item');
      const want = meta?.expect?.kept;
      if (!item) return { ok: false, text: `no Item cluster (${r.leaks.length} clusters)` };
      const ok = want === undefined || item.count === want;
      return { ok, text: `${r.totalCount} leaked in ${r.leaks.length} clusters; Item ×${item.count}${want !== undefined ? ` (expected ${want})` : ''}` };
    },
  },
];

function cliHas(command) {
  if (!fs.existsSync(heapscopeCli)) return 'dist/cli/main.js is missing (npm run build failed?)';
  const help = spawnSync(process.execPath, [heapscopeCli, command, '--help'], { encoding: 'utf8' });
  return help.status === 0 ? undefined : `\`heapscope ${command}\` is not available: ${tail(help.stderr || help.stdout, 2)}`;
}

// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {
    sizes: [300, 1000],
    runs: 1,
    only: [...CASES, ...SERIES_CASES].map((c) => c.tool).concat('ui', 'flaky'),
    repeatEach: 20,
    regen: false,
    generator: fs.existsSync(GENERATORS.items.file) ? 'items' : 'mixed',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--sizes') opts.sizes = value().split(',').map(Number);
    else if (a === '--runs') opts.runs = Number(value());
    else if (a === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--regen') opts.regen = true;
    else if (a === '--repeat-each') opts.repeatEach = Number(value());
    else if (a === '--generator') opts.generator = value();
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!opts.sizes.every((s) => s > 0)) usage('--sizes takes sizes in MB, e.g. 50,300');
  if (!(opts.runs >= 1)) usage('--runs must be ≥ 1');
  if (!(Number.isInteger(opts.repeatEach) && opts.repeatEach >= 2)) usage('--repeat-each (flaky) must be a whole number ≥ 2');
  if (!GENERATORS[opts.generator] || !fs.existsSync(GENERATORS[opts.generator].file)) usage(`--generator: ${opts.generator} is not available (items, mixed)`);
  const known = [...CASES, ...SERIES_CASES].map((c) => c.tool).concat('ui', 'flaky');
  const unknown = opts.only.filter((t) => !known.includes(t));
  if (unknown.length) usage(`--only: unknown tool(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return opts;
}

function usage(error) {
  if (error) console.error(`bench: ${error}`);
  console.error('usage: npm run bench -- [--sizes 300,1000] [--runs 1] [--only devtools,memlab,heapscope,load×2,diff,weak,load×3,leaks,ui,flaky] [--generator items|mixed] [--regen] [--repeat-each 20]');
  process.exit(error ? 2 : 0);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(benchDir, { recursive: true });
  const timer = timeTool();
  log(`bench: ${opts.generator} snapshots of ${opts.sizes.join(', ')} MB, ${opts.runs} run(s) each, tools ${opts.only.join(', ')}; RSS via ${timer.how}`);

  const cases = [];
  for (const c of CASES.filter((c) => opts.only.includes(c.tool))) {
    const skip = await c.prepare?.();
    if (typeof skip === 'string') log(`bench: ${c.tool}: skipped: ${skip}`);
    cases.push({ ...c, skip });
  }

  const rows = [];
  for (const sizeMb of cases.length ? opts.sizes : []) {
    const file = await ensureSnapshot(opts.generator, sizeMb, opts.regen);
    const fileLabel = `${path.basename(file)} (${Math.round(fs.statSync(file).size / 1e6)} MB)`;
    let ref = loadCachedReference(file);
    const fileRows = [];
    for (const c of cases) {
      if (c.skip) {
        fileRows.push({ tool: c.tool, file: fileLabel, skipped: c.skip });
        continue;
      }
      const runs = [];
      let verdict;
      let failure;
      for (let i = 0; i < opts.runs; i++) {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-'));
        const out = path.join(tmp, 'out.json');
        try {
          const [cmd, args] = c.command({ file, out });
          log(`bench: ${c.tool} on ${fileLabel}, run ${i + 1}/${opts.runs} …`);
          const m = await measure(timer, cmd, args, c.stdoutIsOutput ? out : null);
          if (m.code !== 0) {
            failure = `exit ${m.code}${m.signal ? ` (${m.signal})` : ''}: ${tail(m.stderr, 2)}`;
            break;
          }
          runs.push(m);
          if (i === 0) {
            verdict = c.check({ file, out, ref });
            if (c.tool === 'devtools' && verdict.result) {
              ref = verdict.result;
              saveReference(file, ref);
            }
          }
        } catch (e) {
          failure = String(e && e.message ? e.message : e);
          break;
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
      if (failure) {
        log(`bench: ${c.tool} on ${fileLabel}: skipped: ${failure}`);
        fileRows.push({ tool: c.tool, file: fileLabel, skipped: failure });
        continue;
      }
      fileRows.push({
        tool: c.tool,
        file: fileLabel,
        wallS: median(runs.map((r) => r.wallS)),
        rssMb: median(runs.map((r) => r.rssMb)),
        runs: runs.map(({ wallS, rssMb }) => ({ wallS, rssMb })),
        check: verdict,
      });
    }
    const dt = fileRows.find((r) => r.tool === 'devtools' && r.wallS !== undefined);
    for (const r of fileRows) {
      if (dt && r.wallS !== undefined) {
        r.wallRatio = r.wallS / dt.wallS;
        r.rssRatio = r.rssMb / dt.rssMb;
      }
    }
    rows.push(...fileRows);
  }

  if (rows.length) printTable(rows);
  const seriesRows = await runSeries(opts, timer);
  if (seriesRows.length) printSeriesTable(seriesRows);
  // The dashboard (test/bench/ui.mjs): the real page on the same files, figures against issue 4's targets.
  const uiRows = [];
  if (opts.only.includes('ui')) {
    for (const sizeMb of opts.sizes) {
      const file = await ensureSnapshot(opts.generator, sizeMb, opts.regen);
      try {
        const row = await runUiBench(file);
        uiRows.push({ ...row, check: { ok: uiWithinTargets(row) } });
      } catch (e) {
        log(`bench: ui on ${path.basename(file)}: skipped: ${e && e.message ? e.message : e}`);
        uiRows.push({ file: path.basename(file), skipped: String(e && e.message ? e.message : e) });
      }
    }
    printUiTable(uiRows.filter((r) => !r.skipped));
  }
  // The leak suite's flakiness (test/bench/flaky.mjs): the Playwright regression suite, --repeat-each, per build.
  const flakyRows = [];
  if (opts.only.includes('flaky')) {
    try {
      const rows = await runFlakyBench({ ...parseFlakyArgs([]), repeatEach: opts.repeatEach });
      printFlakyTable(rows);
      const ok = flakyWithinTargets(rows);
      for (const r of rows) flakyRows.push({ ...r, check: { ok } });
    } catch (e) {
      log(`bench: flaky: skipped: ${e && e.message ? e.message : e}`);
      flakyRows.push({ build: 'all', skipped: String(e && e.message ? e.message : e) });
    }
  }
  const resultsDir = path.join(benchDir, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultFile = path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(resultFile, JSON.stringify({ machine: machineInfo(), opts, rows: rows.map(stripResult), seriesRows, uiRows, flakyRows }, null, 2));
  log(`bench: results written to ${path.relative(repo, resultFile)}`);
  const failed = [...rows, ...seriesRows, ...uiRows, ...flakyRows].filter((r) => r.check && !r.check.ok);
  process.exitCode = failed.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Series rows: per size, the series is generated once, then each selected case runs --runs times.

async function runSeries(opts, timer) {
  const selected = SERIES_CASES.filter((c) => opts.only.includes(c.tool));
  if (selected.length === 0) return [];
  // A ratio needs its yardstick: run the reference of every selected case too.
  for (const c of [...selected]) {
    if (c.ref && !selected.some((s) => s.tool === c.ref)) selected.push(SERIES_CASES.find((s) => s.tool === c.ref));
  }
  selected.sort((a, b) => SERIES_CASES.indexOf(a) - SERIES_CASES.indexOf(b));
  const out = [];
  for (const sizeMb of opts.sizes) {
    let series;
    try {
      series = await ensureSeries(sizeMb, opts.regen);
    } catch (e) {
      log(`bench: series of ${sizeMb} MB: ${e.message}`);
      for (const c of selected) out.push({ tool: c.tool, file: `series ${sizeMb} MB`, skipped: `no series: ${e.message}` });
      continue;
    }
    const label = `${path.basename(series.files[0]).replace(/-1\.heapsnapshot$/, '')} ×${series.files.length} (${series.files.map((f) => Math.round(fs.statSync(f).size / 1e6)).join('/')} MB)`;
    const byTool = new Map();
    for (const c of selected) {
      const skip = c.prepare?.();
      if (typeof skip === 'string') {
        out.push({ tool: c.tool, file: label, skipped: skip });
        continue;
      }
      const runs = [];
      let verdict;
      let failure;
      for (let i = 0; i < opts.runs; i++) {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-'));
        const outFile = path.join(tmp, 'out.json');
        try {
          const [cmd, args] = c.command({ files: series.files, out: outFile });
          log(`bench: ${c.tool} on ${label}, run ${i + 1}/${opts.runs} …`);
          const m = await measure(timer, cmd, args, c.stdoutIsOutput ? outFile : null);
          if (m.code !== 0) {
            failure = `exit ${m.code}${m.signal ? ` (${m.signal})` : ''}: ${tail(m.stderr, 2)}`;
            break;
          }
          runs.push(m);
          if (i === 0) verdict = c.check({ files: series.files, out: outFile, meta: series.meta });
        } catch (e) {
          failure = String(e && e.message ? e.message : e);
          break;
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
      if (failure) {
        log(`bench: ${c.tool} on ${label}: failed: ${failure}`);
        out.push({ tool: c.tool, file: label, skipped: failure });
        continue;
      }
      const row = {
        tool: c.tool,
        file: label,
        ref: c.ref,
        wallS: median(runs.map((r) => r.wallS)),
        rssMb: median(runs.map((r) => r.rssMb)),
        runs: runs.map(({ wallS, rssMb }) => ({ wallS, rssMb })),
        check: verdict,
      };
      const ref = c.ref ? byTool.get(c.ref) : undefined;
      if (ref) {
        row.wallRatio = row.wallS / ref.wallS;
        row.rssRatio = row.rssMb / ref.rssMb;
        row.withinTarget = row.wallRatio <= TARGET_RATIO && row.rssRatio <= TARGET_RATIO;
      }
      byTool.set(c.tool, row);
      out.push(row);
    }
  }
  return out;
}

function printSeriesTable(rows) {
  const header = ['case', 'series', 'wall s', 'peak RSS MB', 'wall ×load', 'RSS ×load', `≤ ${TARGET_RATIO}×`, 'check'];
  const body = rows.map((r) =>
    r.skipped !== undefined
      ? [r.tool, r.file, '-', '-', '-', '-', '-', `skipped: ${r.skipped}`]
      : [
          r.tool,
          r.file,
          r.wallS.toFixed(2),
          Math.round(r.rssMb).toString(),
          r.wallRatio !== undefined ? r.wallRatio.toFixed(2) : '(ref)',
          r.rssRatio !== undefined ? r.rssRatio.toFixed(2) : '(ref)',
          r.withinTarget === undefined ? '' : r.withinTarget ? 'yes' : 'NO',
          `${r.check?.ok ? 'ok' : 'MISMATCH'}: ${r.check?.text ?? ''}`,
        ],
  );
  const last = header.length - 1;
  const widths = header.map((h, i) => (i === last ? h.length : Math.max(h.length, ...body.map((b) => b[i].length))));
  const fmt = (cells) => cells.map((c, i) => (i === last ? c : i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(fmt(widths.map((w) => '-'.repeat(w))));
  for (const b of body) console.log(fmt(b));
  console.log('');
}

/**
 * .bench/items-SIZEmb-{1,2,3}.heapsnapshot: phases 0, 1, 2 of ONE generator process, captured in
 * ONE inspector session (ids are comparable only within one). The expected diff and leak counts
 * follow from the generator's phases and are kept in the meta file for the checks.
 */
async function ensureSeries(sizeMb, regen) {
  const gen = GENERATORS.items;
  if (!fs.existsSync(gen.file)) throw new Error('fixtures/targets/generator.mjs is missing');
  const files = [1, 2, 3].map((n) => path.join(benchDir, `items-${sizeMb}mb-${n}.heapsnapshot`));
  const metaFile = `${files[0].replace(/-1\.heapsnapshot$/, '')}-series.meta.json`;
  if (!regen && files.every((f) => fs.existsSync(f) && looksComplete(f)) && fs.existsSync(metaFile)) return { files, meta: readJson(metaFile) };
  for (const f of files) fs.rmSync(f, { force: true });
  log(`bench: generating a series of 3 ~${sizeMb} MB snapshots (one session) with ${path.relative(repo, gen.file)} …`);
  const t0 = performance.now();
  const target = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--inspect=127.0.0.1:0', gen.file, ...gen.args(sizeMb)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = lineWatcher(target);
  const tmps = files.map((f) => `${f}.tmp`);
  try {
    const wsUrl = /ws:\/\/\S+/.exec(await lines.waitFor(/Debugger listening on (ws:\/\/\S+)/, 60_000, 'stderr'))[0];
    await lines.waitFor(/^heapscope-fixture phase 0\b/, 30 * 60_000, 'stdout');
    const next = async (phase) => {
      target.kill('SIGUSR2');
      await lines.waitFor(new RegExp(`^heapscope-fixture phase ${phase}\\b`), 30 * 60_000, 'stdout');
    };
    let how = await seriesWithCli(wsUrl, tmps, next);
    if (!how) {
      throw new Error('heapscope capture of the series failed (see above); a series cannot fall back once the target has moved on');
    }
    for (const [i, tmp] of tmps.entries()) {
      if (!looksComplete(tmp)) throw new Error(`captured file ${tmp} is incomplete`);
      fs.renameSync(tmp, files[i]);
    }
    const items = itemsOf(sizeMb);
    const grownArrays = Math.ceil(Math.round(items / 10) / 10_000);
    const meta = {
      generator: path.relative(repo, gen.file), sizeMb, capturedWith: how, phases: ['built', 'grown', 'trimmed'],
      bytes: files.map((f) => fs.statSync(f).size), seconds: (performance.now() - t0) / 1000, node: process.version, at: new Date().toISOString(),
      expect: expectedCounts(items, grownArrays),
    };
    fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    log(`bench: series of ${sizeMb} MB: ${meta.bytes.map((b) => Math.round(b / 1e6)).join('/')} MB in ${meta.seconds.toFixed(1)} s via ${how}`);
    return { files, meta };
  } finally {
    if (target.exitCode === null && target.signalCode === null) {
      const gone = new Promise((resolve) => target.once('exit', resolve));
      target.kill('SIGKILL');
      await gone;
    }
    for (const tmp of tmps) fs.rmSync(tmp, { force: true });
  }
}

/** The generator's item count for a size (its own model, evaluated in a child so the two never disagree). */
function itemsOf(sizeMb) {
  const code = `${fs.readFileSync(GENERATORS.items.file, 'utf8').match(/const BASELINE_BYTES[\s\S]*?\n}\n/)[0]}\nprocess.stdout.write(String(itemsFor(${sizeMb} * 1e6)));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** What phases built → grown → trimmed do to Items (generator.mjs): the diff A→B and the leaks of A, B, C. */
function expectedCounts(items, grownArrays) {
  const added = Math.round(items / 10);
  const sizes = [];
  for (let left = items; left > 0; left -= 10_000) sizes.push(Math.min(10_000, left));
  let dropped = 0;
  for (let i = 0; dropped < items / 20 && i < sizes.length; i++) dropped += sizes[i];
  const grownSizes = [];
  for (let left = added, i = 0; i < grownArrays; i++, left -= 10_000) grownSizes.push(Math.min(10_000, left));
  const kept = grownSizes.filter((_, i) => i % 2 === 0).reduce((s, n) => s + n, 0);
  return { grown: added, dropped, kept };
}

/** `heapscope capture WS -o A -o B -o C --stdin`: the first snapshot at once, each next one after the target moved on. */
async function seriesWithCli(wsUrl, outs, next) {
  if (!fs.existsSync(heapscopeCli) || process.env.HEAPSCOPE_BENCH_NO_CLI_CAPTURE) return captureSeriesWithCdp(wsUrl, outs, next);
  const child = spawn(process.execPath, [heapscopeCli, 'capture', wsUrl, ...outs.flatMap((o) => ['-o', o]), '--stdin', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const cap = lineWatcher(child);
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  try {
    for (let i = 0; i < outs.length; i++) {
      if (i > 0) {
        await next(i);
        child.stdin.write('\n');
      }
      await cap.waitFor(new RegExp(escapeRe(outs[i])), 30 * 60_000, 'stdout');
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0) throw new Error(`heapscope capture exited ${code}`);
    return 'heapscope capture -o A -o B -o C --stdin';
  } catch (e) {
    child.kill('SIGKILL');
    log(`bench: heapscope capture series failed: ${e.message}`);
    return null;
  }
}

/** Fallback independent of heapscope: one chrome-remote-interface session, three takeHeapSnapshot calls. */
async function captureSeriesWithCdp(wsUrl, outs, next) {
  const { default: CDP } = await import('chrome-remote-interface');
  const client = await CDP({ target: wsUrl, local: true });
  let fd;
  try {
    client.HeapProfiler.on('addHeapSnapshotChunk', ({ chunk }) => { fs.writeSync(fd, chunk); });
    for (let i = 0; i < outs.length; i++) {
      if (i > 0) await next(i);
      fd = fs.openSync(outs[i], 'w');
      await client.HeapProfiler.takeHeapSnapshot({ reportProgress: false });
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    return 'HeapProfiler.takeHeapSnapshot over CDP from the harness (one session)';
  } finally {
    await client.close().catch(() => {});
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Measuring one child: wall time from spawn to exit; peak RSS from GNU time's %M (the child's
// ru_maxrss, all its threads), else by polling /proc/PID/status VmHWM.

function timeTool() {
  for (const p of ['/usr/bin/time']) {
    const r = spawnSync(p, ['-f', '%M', 'true'], { encoding: 'utf8' });
    if (r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split('\n').pop() ?? '')) return { how: `${p} -f %M`, path: p };
  }
  return { how: '/proc/PID/status VmHWM polling (install GNU time: apt-get install -y time)', path: null };
}

async function measure(timer, cmd, args, stdoutFile) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-measure-'));
  const rssFile = path.join(tmp, 'rss');
  const [c, a] = timer.path ? [timer.path, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const stdoutFd = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
  const t0 = performance.now();
  const child = spawn(c, a, { stdio: ['ignore', stdoutFd, 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-16_384); });
  let hwmKb = 0;
  const poll = timer.path ? null : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
    } catch { /* exited */ }
  }, 25);
  const { code, signal } = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const wallS = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  if (typeof stdoutFd === 'number') fs.closeSync(stdoutFd);
  if (timer.path) {
    const text = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '';
    const m = /(\d+)\s*$/.exec(text.trim());
    if (m) hwmKb = Number(m[1]);
    // GNU time reports "Command exited with non-zero status N" and returns the child's status.
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return { code, signal, stderr, wallS, rssMb: hwmKb / 1024 };
}

// ---------------------------------------------------------------------------------------------
// Snapshots: .bench/gen-SIZEmb.heapsnapshot, generated once.

async function ensureSnapshot(generatorName, sizeMb, regen) {
  const file = path.join(benchDir, `${generatorName}-${sizeMb}mb.heapsnapshot`);
  if (!regen && fs.existsSync(file) && looksComplete(file)) return file;
  const gen = GENERATORS[generatorName];
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  log(`bench: generating ~${sizeMb} MB snapshot with ${path.relative(repo, gen.file)} …`);
  const t0 = performance.now();
  const target = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--inspect=127.0.0.1:0', gen.file, ...gen.args(sizeMb, tmp)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = lineWatcher(target);
  try {
    const wsLine = await lines.waitFor(/Debugger listening on (ws:\/\/\S+)/, 60_000, 'stderr');
    const wsUrl = /ws:\/\/\S+/.exec(wsLine)[0];
    // Fixture-target protocol (fixtures/targets/phases.mjs): "heapscope-fixture phase 0 built".
    await lines.waitFor(/^heapscope-fixture phase 0\b/, 30 * 60_000, 'stdout');
    log(`bench: target ready after ${((performance.now() - t0) / 1000).toFixed(1)} s; capturing …`);
    let how = await captureWithCli(wsUrl, tmp);
    if (!how) {
      fs.rmSync(tmp, { force: true });
      if (gen.writesItself) {
        target.kill('SIGUSR2');
        await lines.waitFor(/^heapscope-fixture phase 1\b/, 30 * 60_000, 'stdout');
        how = 'v8.writeHeapSnapshot in the target (phase 1, SIGUSR2)';
      } else {
        await captureWithCdp(wsUrl, tmp);
        how = 'HeapProfiler.takeHeapSnapshot over CDP from the harness';
      }
    }
    if (!looksComplete(tmp)) throw new Error(`captured file ${tmp} is incomplete`);
    fs.renameSync(tmp, file);
    const meta = { generator: path.relative(repo, gen.file), sizeMb, capturedWith: how, bytes: fs.statSync(file).size, seconds: (performance.now() - t0) / 1000, node: process.version, at: new Date().toISOString() };
    fs.writeFileSync(`${file}.meta.json`, JSON.stringify(meta, null, 2));
    log(`bench: ${path.basename(file)}: ${Math.round(meta.bytes / 1e6)} MB in ${meta.seconds.toFixed(1)} s via ${how}`);
    return file;
  } finally {
    // Wait for the target to be gone: its multi-GB heap must not overlap the first measurement.
    if (target.exitCode === null && target.signalCode === null) {
      const gone = new Promise((resolve) => target.once('exit', resolve));
      target.kill('SIGKILL');
      await gone;
    }
    fs.rmSync(tmp, { force: true });
  }
}

/** Fallback capture, independent of heapscope's own code: stream the chunks straight to disk. */
async function captureWithCdp(wsUrl, out) {
  const { default: CDP } = await import('chrome-remote-interface');
  const client = await CDP({ target: wsUrl, local: true });
  const fd = fs.openSync(out, 'w');
  try {
    client.HeapProfiler.on('addHeapSnapshotChunk', ({ chunk }) => { fs.writeSync(fd, chunk); });
    await client.HeapProfiler.takeHeapSnapshot({ reportProgress: false });
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
    await client.close().catch(() => {});
  }
}

async function captureWithCli(wsUrl, out) {
  // HEAPSCOPE_BENCH_NO_CLI_CAPTURE=1 exercises the fallbacks.
  if (!fs.existsSync(heapscopeCli) || process.env.HEAPSCOPE_BENCH_NO_CLI_CAPTURE) return null;
  const r = await new Promise((resolve) => {
    const child = spawn(process.execPath, [heapscopeCli, 'capture', wsUrl, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-4096); });
    child.on('error', () => resolve({ code: -1, err }));
    child.on('close', (code) => resolve({ code, err }));
  });
  if (r.code === 0 && fs.existsSync(out) && looksComplete(out)) return 'heapscope capture';
  log(`bench: heapscope capture unavailable or failed (exit ${r.code}: ${tail(r.err, 1)}); falling back`);
  return null;
}

/** A V8 snapshot starts with {"snapshot" and its last non-blank characters are ]}. */
function looksComplete(file) {
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(16, size));
    fs.readSync(fd, head, 0, head.length, 0);
    const tailBuf = Buffer.alloc(Math.min(64, size));
    fs.readSync(fd, tailBuf, 0, tailBuf.length, size - tailBuf.length);
    fs.closeSync(fd);
    return head.toString().replace(/\s/g, '').startsWith('{"snapshot"') && tailBuf.toString().trimEnd().endsWith(']}');
  } catch {
    return false;
  }
}

function lineWatcher(child) {
  const seen = { stdout: [], stderr: [] };
  const waiters = [];
  let exited = null;
  for (const name of ['stdout', 'stderr']) {
    let buf = '';
    child[name].setEncoding('utf8');
    child[name].on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        seen[name].push(line);
        for (const w of [...waiters]) if (w.stream === name && w.re.test(line)) w.done(line);
      }
    });
  }
  child.on('exit', (code, signal) => {
    exited = `target exited (${signal ?? code}): ${seen.stderr.slice(-3).join(' | ')}`;
    for (const w of [...waiters]) w.fail(new Error(exited));
  });
  return {
    waitFor(re, ms, stream) {
      const hit = seen[stream].find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      if (exited) return Promise.reject(new Error(exited));
      return new Promise((resolve, reject) => {
        const w = { re, stream };
        const timer = setTimeout(() => w.fail(new Error(`target: no ${re} within ${ms / 1000} s`)), ms);
        const remove = () => { clearTimeout(timer); waiters.splice(waiters.indexOf(w), 1); };
        w.done = (l) => { remove(); resolve(l); };
        w.fail = (e) => { remove(); reject(e); };
        waiters.push(w);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// DevTools' result per file is cached next to it (keyed by size and mtime) so checks still work in a
// run that leaves DevTools out (--only heapscope).

function referencePath(file) {
  return `${file}.devtools.json`;
}
function fileStamp(file) {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}
function loadCachedReference(file) {
  try {
    const cached = readJson(referencePath(file));
    return cached.stamp === fileStamp(file) ? cached.result : null;
  } catch {
    return null;
  }
}
function saveReference(file, result) {
  fs.writeFileSync(referencePath(file), JSON.stringify({ stamp: fileStamp(file), result }));
}

// ---------------------------------------------------------------------------------------------

async function ensureMemlab() {
  if (fs.existsSync(path.join(memlabCore, 'package.json'))) return undefined;
  log('bench: installing @memlab/core into .bench/memlab (not a project dependency) …');
  fs.mkdirSync(memlabDir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', memlabDir, '--no-audit', '--no-fund', '--loglevel', 'error', '@memlab/core'], {
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !fs.existsSync(path.join(memlabCore, 'package.json'))) return `npm install @memlab/core failed: ${tail(r.stderr, 2)}`;
  return undefined;
}

function printTable(rows) {
  const header = ['tool', 'file', 'wall s', 'peak RSS MB', 'wall ×DT', 'RSS ×DT', 'check'];
  const body = rows.map((r) =>
    r.skipped !== undefined
      ? [r.tool, r.file, '-', '-', '-', '-', `skipped: ${r.skipped}`]
      : [
          r.tool,
          r.file,
          r.wallS.toFixed(2),
          Math.round(r.rssMb).toString(),
          r.wallRatio !== undefined ? r.wallRatio.toFixed(2) : '-',
          r.rssRatio !== undefined ? r.rssRatio.toFixed(2) : '-',
          `${r.check?.ok ? 'ok' : 'MISMATCH'}: ${r.check?.text ?? ''}`,
        ],
  );
  const widths = header.map((h, i) => (i === 6 ? h.length : Math.max(h.length, ...body.map((b) => b[i].length))));
  const fmt = (cells) => cells.map((c, i) => (i === 6 ? c : i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log('');
  console.log(fmt(header));
  console.log(fmt(widths.map((w) => '-'.repeat(w))));
  for (const b of body) console.log(fmt(b));
  console.log('');
}

function stripResult(r) {
  if (!r.check) return r;
  const { result, ...check } = r.check;
  return { ...r, check };
}

function machineInfo() {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function readJson(p) {
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}

function tail(text, n) {
  return String(text ?? '').trim().split('\n').filter(Boolean).slice(-n).join(' | ');
}

function log(msg) {
  process.stderr.write(msg + '\n');
}

await main();
