import { InvalidArgumentError, type Command } from 'commander';
import { LoadedSnapshot } from '../analysis/snapshot.js';
import { weakReport } from '../analysis/weak.js';
import { ProgressReporter } from './progress.js';
import { renderWeakText } from './weak-text.js';

const DEFAULT_GROUPS = 10;

interface WeakOptions {
  json?: boolean;
  all?: boolean;
  top?: number;
  fullPaths?: boolean;
  quiet?: boolean;
}

/**
 * `heapscope weak SNAPSHOT [AFTER] [--json] [--all]`: what WeakRef, WeakMap, WeakSet and
 * FinalizationRegistry hold, whether each target is kept by something else (and by what), and with
 * AFTER what was released between two snapshots of one inspector session.
 */
export function registerWeak(program: Command): void {
  program
    .command('weak')
    .description('what weak references hold, and whether it is released or kept (and by what)')
    .argument('<snapshot>', 'a .heapsnapshot file (or .heapsnapshot.gz)')
    .argument('[after]', 'a later snapshot of the same process, taken in the same inspector session')
    .option('--json', 'print one JSON document (see CONTRACT.md)')
    .option('--all', "include Node's own weak references (diagnostics_channel, events, …) in the text output; --json always has them, marked \"internal\": true")
    .option('--top <n>', `groups shown per section (0: all; default ${DEFAULT_GROUPS})`, (v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expects a whole number');
      return Number(v);
    })
    .option('--full-paths', 'print whole retainer paths instead of their start and last hops')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, afterFile: string | undefined, opts: WeakOptions) => {
      const progress = new ProgressReporter(opts.quiet ? 'off' : 'auto', 'loading');
      const load = (f: string, what: string) => LoadedSnapshot.load(f, { onProgress: (done, total) => progress.update(done, total, `reading ${what}`) });
      const before = await load(file, afterFile ? 'snapshot' : 'it');
      const after = afterFile ? await load(afterFile, 'after') : undefined;
      progress.stage('analysing');
      const report = weakReport(before, after);
      progress.done();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(renderWeakText(report, {
        all: opts.all === true,
        top: opts.top ?? DEFAULT_GROUPS,
        fullPaths: opts.fullPaths === true,
        // Kept and new targets describe AFTER, released ones SNAPSHOT: look a value up in AFTER first.
        classOf: (id) => {
          for (const s of after ? [after, before] : [before]) {
            const o = s.ordinalOf(id);
            if (o >= 0) return s.className(o);
          }
          return undefined;
        },
      }));
    });
}
