import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { diffSnapshots } from '../analysis/diff.js';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { formatBytes, table } from './format.js';
import { ProgressReporter } from './progress.js';

const DEFAULT_TABLE_ROWS = 40;

interface DiffOptions {
  json?: boolean;
  top?: number;
  quiet?: boolean;
}

/** `heapscope diff BEFORE AFTER [--json] [--top N]`: per-class change between two snapshots of one process. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('per-class change between two snapshots of the same process (objects matched by id, as DevTools\' Comparison view)')
    .argument('<before>', 'the earlier .heapsnapshot (or .heapsnapshot.gz)')
    .argument('<after>', 'a later snapshot of the same process, taken in the same inspector session')
    .option('--json', 'print one JSON document (see CONTRACT.md)')
    .option('--top <n>', `rows in the table (0: all; default ${DEFAULT_TABLE_ROWS}; --json always has all)`, (v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expects a whole number');
      return Number(v);
    })
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', `
Objects are the same when their V8 ids are: ids survive garbage collection in one
process, but V8 renumbers everything in a new process and whenever an inspector session
closes, so take both snapshots in one session (heapscope capture TARGET -o a -o b).
Pairs that cannot be compared are refused (exit 2). Sizes are self sizes as DevTools
shows them (owned internal arrays charged to their owner); classes with no change are
left out; rows are sorted by size delta, largest first.

Exit codes: 0 done, 2 usage or snapshots not comparable, 5 bad or unreadable file.`)
    .action(async (beforeFile: string, afterFile: string, opts: DiffOptions) => {
      const progress = new ProgressReporter(opts.quiet ? 'off' : 'auto', 'loading');
      const before = await LoadedSnapshot.load(beforeFile, { onProgress: (d, t) => progress.update(d, t, 'reading before') });
      const after = await LoadedSnapshot.load(afterFile, { onProgress: (d, t) => progress.update(d, t, 'reading after') });
      progress.stage('comparing');
      const diff = diffSnapshots(before, after);
      progress.done();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ before: beforeFile, after: afterFile, classes: diff.classes, matched: diff.match.matched }, null, 2)}\n`);
        return;
      }
      const top = opts.top ?? DEFAULT_TABLE_ROWS;
      const shown = top > 0 ? diff.classes.slice(0, top) : diff.classes;
      const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
      const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));
      const added = diff.classes.reduce((s, c) => s + c.added, 0);
      const removed = diff.classes.reduce((s, c) => s + c.removed, 0);
      const delta = diff.classes.reduce((s, c) => s + c.sizeDelta, 0);
      process.stdout.write(`${path.basename(beforeFile)} → ${path.basename(afterFile)}: ${diff.match.matched} objects in both, `
        + `${added} new, ${removed} deleted, ${signedBytes(delta)}\n\n`);
      if (shown.length === 0) {
        process.stdout.write('no class changed\n');
        return;
      }
      const rows = shown.map((c) => [c.name, String(c.added), String(c.removed), signed(c.countDelta),
        formatBytes(c.addedSize), formatBytes(c.removedSize), signedBytes(c.sizeDelta)]);
      process.stdout.write(`${table(['Constructor', '# New', '# Deleted', '# Delta', 'Alloc. Size', 'Freed Size', 'Size Delta'], rows,
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'], 60)}\n`);
      if (shown.length < diff.classes.length) process.stdout.write(`… ${diff.classes.length - shown.length} more classes (--top 0 shows all)\n`);
    });
}
