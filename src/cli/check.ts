import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode } from '../shared/errors.js';
import { formatBytes } from './format.js';
import { junitXml, writeFileAtomic } from './junit.js';
import { addLeakOptions, leakDocument, leakSummaryLine, renderClusters, runLeakAnalysis, type LeakFlags } from './leak-run.js';

interface CheckFlags extends LeakFlags {
  maxLeakedBytes?: number;
  maxLeakedObjects?: number;
  junit?: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/**
 * A byte budget: a whole number of bytes, or a number with a unit. KB/MB/GB are powers of 1000, as
 * heapscope and DevTools print sizes (`1.1 kB`); KiB/MiB/GiB are powers of 1024. Case-insensitive.
 */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`expects bytes, e.g. 500000, 10KB, 2MB or 1.5MiB; got "${value}"`);
  return Math.floor(Number(m[1]) * unit);
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expects a whole number, got "${value}"`);
  return Number(value);
}

/** `heapscope check --baseline A --target B --final C [budgets] [--junit FILE] [--json]`: `leaks` as a CI gate. */
export function registerCheck(program: Command): void {
  addLeakOptions(program
    .command('check')
    .description('`leaks` as a CI gate: exit 1 when leaked objects or bytes are over budget'))
    .option('--max-leaked-bytes <n>', 'bytes the leaked objects may retain in all (suffixes KB, MB, GB = 1000^n; KiB, MiB, GiB = 1024^n); default 0', parseBytes)
    .option('--max-leaked-objects <n>', 'leaked objects allowed in all; default 0', parseCount)
    .option('--junit <file>', 'also write a JUnit XML report there (one test case per cluster), atomically')
    .addHelpText('after', `
Same analysis as \`heapscope leaks\` (see its --help). Passes when the leaked objects
number at most --max-leaked-objects and retain at most --max-leaked-bytes; both default
to 0, so any leak fails. --ignore-class REGEX (repeatable) leaves out objects of the
classes you expect to stay, with what only they keep alive.

Exit codes: 0 within budget, 1 over budget, 2 usage or snapshots not comparable,
5 bad or unreadable file, or the JUnit file cannot be written.

Example (GitHub Actions step):
  heapscope check --baseline a.heapsnapshot --target b.heapsnapshot --final c.heapsnapshot \\
    --max-leaked-bytes 50KB --ignore-class '^LRUCache$' --junit heapscope.xml`)
    .action(async (flags: CheckFlags) => {
      const started = Date.now();
      const analysis = await runLeakAnalysis(flags);
      const budgets = {
        maxLeakedBytes: flags.maxLeakedBytes ?? 0,
        maxLeakedObjects: flags.maxLeakedObjects ?? 0,
        ignoreClass: (flags.ignoreClass ?? []).map((re) => re.source),
      };
      const overBytes = analysis.totalRetainedSize > budgets.maxLeakedBytes;
      const overObjects = analysis.totalCount > budgets.maxLeakedObjects;
      const pass = !overBytes && !overObjects;
      if (flags.junit) {
        writeFileAtomic(flags.junit, junitXml({
          analysis, pass, budgets, seconds: (Date.now() - started) / 1000,
          files: { baseline: flags.baseline, target: flags.target, final: flags.final },
        }));
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...leakDocument(flags, analysis), pass, budgets }, null, 2)}\n`);
      } else {
        process.stdout.write(renderClusters(flags, analysis));
        const over = [
          overObjects ? `${analysis.totalCount} objects > ${budgets.maxLeakedObjects} allowed` : '',
          overBytes ? `${formatBytes(analysis.totalRetainedSize)} > ${formatBytes(budgets.maxLeakedBytes)} allowed` : '',
        ].filter(Boolean).join(', ');
        process.stdout.write(pass
          ? `\nPASS: ${leakSummaryLine(analysis)} (budget ${budgets.maxLeakedObjects} objects, ${formatBytes(budgets.maxLeakedBytes)})\n`
          : `\nFAIL: ${leakSummaryLine(analysis)}: over budget (${over})\n`);
      }
      if (!pass) process.exitCode = ExitCode.overBudget;
    });
}
