// MemLab's full load of one snapshot, for the benchmark: parse (getSnapshotFromFile with the node-id
// index) + shortest paths + dominators and retained sizes (analysis.preparePathFinder). This is what
// @memlab/core's own getFullHeapFromFile does (dist/__tests__/lib/TestUtils.js).
//
//   node memlab-load.cjs MEMLAB_CORE_DIR FILE OUT.json
'use strict';
const fs = require('node:fs');

async function main() {
  const [coreDir, file, out] = process.argv.slice(2);
  if (!coreDir || !file || !out) throw new Error('usage: memlab-load.cjs MEMLAB_CORE_DIR FILE OUT.json');
  const core = require(coreDir);
  core.config.muteConsole = true;
  const t0 = performance.now();
  const snapshot = await core.utils.getSnapshotFromFile(file, { buildNodeIdIndex: true, verbose: false });
  if (!snapshot) throw new Error(`MemLab could not parse ${file}`);
  const tParsed = performance.now();
  core.analysis.preparePathFinder(snapshot);
  const tDone = performance.now();
  const root = snapshot.nodes.get(0);
  fs.writeFileSync(out, JSON.stringify({
    nodeCount: snapshot.nodes.length,
    edgeCount: snapshot.edges.length,
    totalRetainedSize: root.retainedSize,
    timings: { parseMs: Math.round(tParsed - t0), analyseMs: Math.round(tDone - tParsed) },
  }));
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`memlab-load: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
