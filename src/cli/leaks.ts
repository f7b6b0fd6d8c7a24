import type { Command } from 'commander';
import { addLeakOptions, leakDocument, leakSummaryLine, renderClusters, runLeakAnalysis, type LeakFlags } from './leak-run.js';

/** `heapscope leaks --baseline A --target B --final C [--json]`: what an action allocated and never released. */
export function registerLeaks(program: Command): void {
  addLeakOptions(program
    .command('leaks')
    .description('objects allocated between baseline and target that are still alive in final, clustered by retainer path'))
    .addHelpText('after', `
Take three snapshots in ONE inspector session (V8 renumbers objects when a session
closes): A before an action, B after it, C after undoing it (or repeating it), e.g.
  heapscope capture TARGET -o a.heapsnapshot -o b.heapsnapshot -o c.heapsnapshot
Objects new in B (not in A) that are still strongly reachable in C are candidates. V8's
own bookkeeping (code, shapes, feedback, internal arrays, constants) is left out, and a
string or array owned by a reported object counts toward that object's size. Objects
are grouped by the shape of their retainer path in C (array indexes ignored); clusters
are ranked by retained size, and no byte is counted in two clusters.

Exit codes: 0 done (leaks or not: use \`heapscope check\` as a gate), 2 usage or snapshots
not comparable, 5 bad or unreadable file.`)
    .action(async (flags: LeakFlags) => {
      const analysis = await runLeakAnalysis(flags);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(leakDocument(flags, analysis), null, 2)}\n`);
        return;
      }
      process.stdout.write(renderClusters(flags, analysis));
      process.stdout.write(`\n${analysis.totalCount > 0 ? leakSummaryLine(analysis) : 'no leaks'}\n`);
    });
}
