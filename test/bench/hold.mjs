// The reference for commands that read several snapshots (diff, weak, leaks): heapscope's own full
// load, exactly what `heapscope summary` does per file (parse, retainers, adjusted sizes, dominators,
// classes, the class summary), for every file given, all held in memory at once. Its wall time is
// "N full loads" and its peak RSS is "holding those N graphs".
//
//   node test/bench/hold.mjs FILE...        prints {"files":N,"nodes":[…],"classes":[…]} on stdout
import { loadHeapGraph } from '../../dist/snapshot/load.js';
import { analyze, summarizeClasses } from '../../dist/analysis/summary.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: hold.mjs FILE...\n');
  process.exit(2);
}
const held = [];
for (const file of files) {
  const a = analyze(await loadHeapGraph(file));
  held.push({ a, classes: summarizeClasses(a).length });
}
process.stdout.write(`${JSON.stringify({ files: held.length, nodes: held.map((h) => h.a.graph.nodeCount), classes: held.map((h) => h.classes) })}\n`);
