import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadHeapGraph } from '../snapshot/load.js';
import { analyze, summarizeClasses, totalSize } from '../analysis/summary.js';
import { formatBytes, table } from './format.js';
import { ProgressReporter } from './progress.js';

const DEFAULT_TABLE_ROWS = 40;

interface SummaryOptions {
  json?: boolean;
  top?: number;
  quiet?: boolean;
  detached?: boolean;
}

/** `heapscope summary FILE [--json] [--top N] [--detached]`: objects grouped by class, with DevTools' numbers. */
export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('objects grouped by class: count, self size and retained size, as Chrome DevTools shows them')
    .argument('<file>', 'a .heapsnapshot file (or .heapsnapshot.gz)')
    .option('--json', 'print one JSON document (see CONTRACT.md)')
    .option('--top <n>', 'show only the N classes with the largest retained size (0: all; default: 40 in the table, all with --json)', (v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expects a whole number');
      return Number(v);
    })
    .option('--detached', 'only classes of detached DOM nodes (`Detached <div>`…: elements removed from the page and still alive; '
      + 'browser and Electron renderer snapshots)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, opts: SummaryOptions) => {
      const progress = new ProgressReporter(opts.quiet ? 'off' : 'auto', 'loading');
      const graph = await loadHeapGraph(file, { onProgress: (done, total) => progress.update(done, total, 'reading') });
      progress.stage('analysing');
      const analysed = analyze(graph);
      const all = summarizeClasses(analysed);
      // A filter only: the rows and their numbers are the full Summary's (DevTools' "Detached" rows).
      const classes = opts.detached ? all.filter((c) => c.detached) : all;
      progress.done();
      const top = opts.top ?? (opts.json ? 0 : DEFAULT_TABLE_ROWS);
      const shown = top > 0 ? classes.slice(0, top) : classes;
      if (opts.json) {
        const doc = {
          file,
          nodes: graph.nodeCount,
          edges: graph.edgeCount,
          totalSize: totalSize(graph),
          ...(opts.detached ? { detached: true } : {}),
          classes: shown.map((c) => ({ name: c.name, count: c.count, selfSize: c.selfSize, retainedSize: c.retainedSize, key: c.key })),
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      const total = totalSize(graph);
      const rows = shown.map((c) => [
        c.name,
        String(c.count),
        formatBytes(c.selfSize),
        pct(c.selfSize, total),
        formatBytes(c.retainedSize),
        pct(c.retainedSize, total),
      ]);
      process.stdout.write(`${path.basename(file)}: ${graph.nodeCount} nodes, ${graph.edgeCount} edges, ${formatBytes(total)} total\n\n`);
      if (opts.detached && classes.length === 0) {
        process.stdout.write(graph.nodeDetachedness
          ? 'no detached DOM nodes\n'
          : 'no detached DOM nodes (this snapshot has no DOM state: only browser and Electron renderer snapshots do)\n');
        return;
      }
      if (opts.detached) {
        const count = classes.reduce((n, c) => n + c.count, 0);
        process.stdout.write(`${count} detached DOM nodes in ${classes.length} classes\n\n`);
      }
      process.stdout.write(`${table(['Constructor', 'Count', 'Shallow', '%', 'Retained', '%'], rows, ['l', 'r', 'r', 'r', 'r', 'r'], 72)}\n`);
      if (shown.length < classes.length) process.stdout.write(`… ${classes.length - shown.length} more classes (--top 0 shows all)\n`);
    });
}

function pct(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(0)}%` : '0%';
}
