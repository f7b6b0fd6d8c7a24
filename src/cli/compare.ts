import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { compareRuns, COMPARE_STATUSES, type CompareDocument, type CompareStatus, type ComparedCluster, type LeakReportInput } from '../analysis/compare-runs.js';
import { ExitCode, FileIoError, UsageError } from '../shared/errors.js';
import { LEAK_REPORT_FILE, looksLikeLeakReport, parseJsonText } from '../shared/report-json.js';
import { validateLeakReport } from '../shared/report-schema.js';
import { formatBytes, oneLine, table } from './format.js';

interface CompareFlags {
  json?: boolean;
  failOn?: CompareStatus[];
}

const FAIL_ON: readonly CompareStatus[] = ['new', 'persists'];

function parseFailOn(value: string): CompareStatus[] {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(FAIL_ON as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length > 0) throw new InvalidArgumentError(`expects new, persists or new,persists; got "${value}"`);
  return [...new Set(parts)] as CompareStatus[];
}

/** `heapscope compare RUN_A RUN_B [--json] [--fail-on new|persists]`: fix verification across runs. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare the leak reports of two runs: which clusters are fixed, which are new, which persist')
    .argument('<runA>', 'the run before (e.g. before the fix): a leak report JSON file, or a folder of them')
    .argument('<runB>', 'the run after: a leak report JSON file, or a folder of them')
    .option('--json', 'print one JSON document (see README "heapscope compare")')
    .option('--fail-on <statuses>', 'exit 1 when clusters of these statuses exist: new, persists or new,persists', parseFailOn)
    .addHelpText('after', `
A run is a leak report (\`heapscope leaks --json\` or \`check --json\` output, or the
${LEAK_REPORT_FILE} the heapscope Playwright fixture writes per test), or a folder
searched recursively for ${LEAK_REPORT_FILE} files and other JSON files that are
leak reports (other JSON is skipped). Clusters are matched by test, class name and
retainer path shape: fixed (in A, not in B), new (in B, not in A), persists (both).
Two single files are compared directly; folders are compared test by test, and a
test that ran in only one of the runs is listed, not compared. With --repeat-each or
retries, the last retry of each repeat counts; a cluster seen in any repeat is in
the run, with the largest size seen.

Exit codes: 0 done, 1 --fail-on statuses found, 2 usage (e.g. a folder without
reports), 5 unreadable or malformed report (bad JSON: its byte offset; bad shape:
the JSON path of the field).

Example (a Playwright suite before and after a fix):
  npx playwright test --output before/   # leaky build: the fixture fails the test
  npx playwright test --output after/    # fixed build
  heapscope compare before/ after/ --fail-on new,persists`)
    .action(async (runA: string, runB: string, flags: CompareFlags) => {
      const a = await readRun(runA);
      const b = await readRun(runB);
      const doc = compareRuns({ label: runA, reports: a }, { label: runB, reports: b });
      if (flags.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      else process.stdout.write(renderCompare(doc));
      const failing = (flags.failOn ?? []).filter((s) => doc.counts[s] > 0);
      if (failing.length > 0) {
        const said = failing.map((s) => `${doc.counts[s]} ${s === 'new' ? 'new' : 'persisting'} cluster${doc.counts[s] === 1 ? '' : 's'}`);
        process.stderr.write(`heapscope: --fail-on ${flags.failOn!.join(',')}: ${said.join(', ')}\n`);
        process.exitCode = ExitCode.overBudget;
      }
    });
}

// ---- Reading runs ----------------------------------------------------------------------------

/** A run's reports: one file, or every report in a folder (sorted by path, so the output is stable). */
export async function readRun(arg: string): Promise<LeakReportInput[]> {
  let info;
  try {
    info = await stat(arg);
  } catch (err) {
    throw new FileIoError(arg, 'read', err);
  }
  if (!info.isDirectory()) return [validateLeakReport(parseJsonText(await readText(arg), arg), arg)];

  const found = await findJsonFiles(arg);
  const reports: LeakReportInput[] = [];
  let skipped = 0;
  // Playwright copies every attachment into the test's attachments/ folder byte for byte: one
  // report, two files. The same text counts once.
  const seen = new Set<string>();
  for (const file of found.files) {
    const text = await readText(file);
    const digest = createHash('sha256').update(text).digest('hex');
    if (seen.has(digest)) continue;
    seen.add(digest);
    if (path.basename(file) === LEAK_REPORT_FILE) {
      // Named as a report: a broken one is an error, not something to skip.
      reports.push(validateLeakReport(parseJsonText(text, file), file));
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      skipped++;
      continue;
    }
    if (looksLikeLeakReport(doc)) reports.push(validateLeakReport(doc, file));
    else skipped++;
  }
  if (reports.length === 0) {
    const dirs = found.dirs.slice(0, 10).map((d) => `  ${oneLine(d)}`).join('\n');
    const more = found.dirs.length > 10 ? `\n  … and ${found.dirs.length - 10} more folders` : '';
    throw new UsageError(`${arg}: no leak reports found: looked for ${LEAK_REPORT_FILE} and other leak-report JSON files in `
      + `${found.dirs.length} folder${found.dirs.length === 1 ? '' : 's'}`
      + `${skipped > 0 ? ` (${skipped} other JSON file${skipped === 1 ? '' : 's'} skipped)` : ''}:\n${dirs}${more}\n`
      + 'Write reports with `heapscope check --json > report.json`, or run a Playwright suite that uses heapscope/playwright.');
  }
  return reports;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FileIoError(file, 'read', err);
  }
}

/** Every *.json file under `root` and the folders searched. Symbolic links to folders are not followed (no loops). */
async function findJsonFiles(root: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    dirs.push(dir);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new FileIoError(dir, 'read', err);
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) pending.push(full);
      else if (e.name.toLowerCase().endsWith('.json') && (e.isFile() || (e.isSymbolicLink() && (await isFile(full))))) files.push(full);
    }
  }
  return { files: files.sort(), dirs: dirs.sort() };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

// ---- Human output ----------------------------------------------------------------------------

const HEADINGS: Record<CompareStatus, string> = {
  new: 'new (in B, not in A)',
  persists: 'persist (in both)',
  fixed: 'fixed (in A, not in B)',
};

export function renderCompare(doc: CompareDocument): string {
  const perTest = doc.clusters.some((c) => c.test !== null);
  let out = `A: ${oneLine(doc.a)} (${countWord(doc.reports.a, 'report')})\n`;
  out += `B: ${oneLine(doc.b)} (${countWord(doc.reports.b, 'report')})\n`;
  for (const status of COMPARE_STATUSES) {
    const rows = doc.clusters.filter((c) => c.status === status);
    if (rows.length === 0) continue;
    out += `\n${HEADINGS[status]}: ${rows.length}\n`;
    const header = [...(perTest ? ['test'] : []), 'class', 'count', 'retained A', 'retained B', 'change', 'path'];
    const align: Array<'l' | 'r'> = [...(perTest ? ['l' as const] : []), 'l', 'r', 'r', 'r', 'r', 'l'];
    // Paths are what a reader acts on: only the test and class columns are cut short.
    out += `${indent(table(header, rows.map((c) => row(c, perTest)), align, 400))}\n`;
  }
  for (const [side, list] of [['A', doc.tests.onlyInA], ['B', doc.tests.onlyInB]] as const) {
    if (list.length === 0) continue;
    out += `\ntests only in ${side} (not compared: ${side === 'A' ? 'they did not run in B' : 'they did not run in A'}):\n`;
    for (const t of list) {
      out += `  ${oneLine(t.test ?? '(reports without a test)')}: ${countWord(t.clusters, 'cluster')}, ${formatBytes(t.retainedSize)}\n`;
    }
  }
  const total = doc.totalRetainedSize;
  out += `\n${verdictLine(doc)}; retained ${formatBytes(total.before)} → ${formatBytes(total.after)} (${signedBytes(total.delta)})\n`;
  return out;
}

/** `1 fixed, 0 new, 3 persist`. */
export function verdictLine(doc: CompareDocument): string {
  return `${doc.counts.fixed} fixed, ${doc.counts.new} new, ${doc.counts.persists} persist`;
}

function row(c: ComparedCluster, perTest: boolean): string[] {
  const count = `${c.before?.count ?? '–'} → ${c.after?.count ?? '–'}`;
  return [
    ...(perTest ? [clip(c.test ?? '(no test)', 80)] : []),
    clip(c.name, 50),
    count,
    c.before ? formatBytes(c.before.retainedSize) : '–',
    c.after ? formatBytes(c.after.retainedSize) : '–',
    signedBytes(c.retainedSizeDelta),
    c.path,
  ];
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function signedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

function countWord(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
