// Runs Chrome DevTools' own heap snapshot code on one file, the way DevTools does it, and prints the
// Summary view's numbers as JSON. Used by test/oracle/devtools.ts (tests) and test/bench/run.mjs
// (benchmark), always in a child process of its own so a big file never shares the caller's heap.
//
//   node test/oracle/runner.mjs FILE[.gz] [--out RESULT.json] [--ids 1,3,5] [--collisions]
//                              [--worker-heap-mb N] [--verbose]
//   node test/oracle/runner.mjs --build-only          (build the bundle, print its path)
//
// How DevTools does it (and so do we): the file is fed in 10 MB text chunks (HeapSnapshotView.ts:1947
// uses a ChunkedFileReader of 10,000,000 bytes) to HeapSnapshotLoader.write(); buildSnapshot(port)
// then runs JSHeapSnapshot.initialize(), which hands retainers, dominators and retained sizes to a
// second thread running SecondaryInitManager (HeapSnapshot.ts:827-898). The Summary grid asks for
// aggregatesWithFilter(new NodeFilter()) (HeapSnapshotDataGrids.ts:897-912) and shows, per class key,
// `name`, `count`, `self` and `maxRet` (HeapSnapshotGridNodes.ts:1122-1138).
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, isMainThread, workerData } from 'node:worker_threads';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import { ensureBundle } from './bundle.mjs';

const CHUNK_BYTES = 10_000_000;

if (!isMainThread && workerData?.role === 'heapscope-oracle-secondary') {
  // The second thread: exactly what DevTools' worker does on 'setupForSecondaryInit'
  // (HeapSnapshotWorkerDispatcher.ts). The port keeps this thread alive until the parent terminates it.
  const m = await import(pathToFileURL(workerData.bundle).href);
  new m.HeapSnapshot.SecondaryInitManager(workerData.port);
} else if (isMainThread) {
  await main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`heapscope-oracle: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
}

function parseArgs(argv) {
  const opts = { file: null, out: null, ids: [], collisions: false, verbose: false, buildOnly: false, workerHeapMb: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = argv[++i];
    else if (a === '--ids') opts.ids = argv[++i].split(',').filter(Boolean).map(Number);
    else if (a === '--collisions') opts.collisions = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--build-only') opts.buildOnly = true;
    else if (a === '--worker-heap-mb') opts.workerHeapMb = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (opts.file === null) opts.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.buildOnly && !opts.file) throw new Error('usage: runner.mjs FILE [--out JSON] [--ids 1,2] [--collisions] [--verbose]');
  return opts;
}

async function main(argv) {
  const opts = parseArgs(argv);
  const bundle = await ensureBundle();
  if (opts.buildOnly) {
    console.log(bundle);
    return;
  }
  const t0 = performance.now();
  const m = await import(pathToFileURL(bundle).href);
  const { HeapSnapshotLoader } = m.HeapSnapshotLoader;
  const { NodeFilter } = m.HeapSnapshotModel;

  const log = (msg) => { if (opts.verbose) process.stderr.write(`[oracle ${((performance.now() - t0) / 1000).toFixed(2)}s] ${msg}\n`); };
  let lastStatus = '';
  const dispatcher = {
    sendEvent(name, data) {
      if (!opts.verbose || typeof data !== 'string') return;
      let text = data;
      try { text = JSON.parse(data).string; } catch { /* not a serialized UI string */ }
      if (text !== lastStatus) { lastStatus = text; log(`${name}: ${text}`); }
    },
  };

  // The second thread gets as much heap as this one (its Lengauer-Tarjan buckets are JS Sets).
  const heapMb = opts.workerHeapMb || Math.ceil(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'heapscope-oracle-secondary', bundle, port: port2 },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  const workerFailed = new Promise((_, reject) => {
    worker.on('error', (e) => reject(new Error(`DevTools' second thread failed: ${e && e.stack ? e.stack : e}`)));
    worker.on('exit', (code) => reject(new Error(`DevTools' second thread exited early (code ${code})`)));
  });
  workerFailed.catch(() => {});

  const loader = new HeapSnapshotLoader(dispatcher);
  const parsed = loader.parsingComplete.then(() => performance.now());
  parsed.catch(() => {});
  const built = loader.buildSnapshot(port1);
  built.catch(() => {});

  // Feed the text in 10 MB chunks. Between 'data' events the loader's microtasks run, so it has
  // consumed a chunk before the next arrives and the buffer stays one chunk deep.
  const feed = (async () => {
    let stream = fs.createReadStream(opts.file, { highWaterMark: CHUNK_BYTES });
    if (opts.file.endsWith('.gz')) stream = stream.pipe(zlib.createGunzip({ chunkSize: CHUNK_BYTES }));
    stream.setEncoding('utf8');
    for await (const chunk of stream) loader.write(chunk);
    loader.close();
  })();
  // A parse error rejects parsingComplete while we may still be feeding: stop at the first failure.
  await Promise.race([feed, parsed.then(() => feed), workerFailed]);
  const tParsed = await Promise.race([parsed, workerFailed]);
  log('parsed');
  const snapshot = await Promise.race([built, workerFailed]);
  const tBuilt = performance.now();
  log('initialized');

  const aggregates = snapshot.aggregatesWithFilter(new NodeFilter());
  const classes = [];
  for (const key of Object.keys(aggregates)) {
    const a = aggregates[key];
    classes.push({ key, name: a.name, count: a.count, selfSize: a.self, retainedSize: a.maxRet, distance: a.distance });
  }
  classes.sort(byRetainedThenName);
  const tAggregated = performance.now();
  log('aggregated');

  const edgeCount = snapshot.containmentEdges.length / snapshot.edgeFieldsCount;
  const result = {
    file: opts.file,
    devtoolsVersion: JSON.parse(fs.readFileSync(new URL('../../node_modules/chrome-devtools-frontend/package.json', import.meta.url), 'utf8')).version,
    nodeCount: snapshot.nodeCount,
    edgeCount,
    totalSize: snapshot.totalSize,
    rootRetainedSize: snapshot.rootNode().retainedSize(),
    extraNativeBytes: snapshot.profile.snapshot.extra_native_bytes ?? 0,
    statistics: snapshot.getStatistics(),
    classes,
    nodes: opts.ids.map((id) => describeNode(snapshot, id)),
    overwritten: opts.collisions ? overwrittenAggregates(snapshot) : undefined,
    timings: {
      parseMs: Math.round(tParsed - t0),
      initMs: Math.round(tBuilt - tParsed),
      aggregateMs: Math.round(tAggregated - tBuilt),
      totalMs: Math.round(performance.now() - t0),
    },
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const json = JSON.stringify(result);
  if (opts.out) fs.writeFileSync(opts.out, json);
  else process.stdout.write(json + '\n');
  await worker.terminate();
  process.exit(0);
}

function byRetainedThenName(a, b) {
  return b.retainedSize - a.retainedSize || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** One node as DevTools sees it, by V8 object id; null when the id is not in the file. */
function describeNode(snapshot, id) {
  const nodeIndex = snapshot.nodeIndexForId(id);
  if (nodeIndex === undefined) return { id, found: false };
  const node = snapshot.createNode(nodeIndex);
  const dominator = snapshot.createNode(node.dominatorIndex());
  return {
    id,
    found: true,
    ordinal: nodeIndex / snapshot.nodeFieldCount,
    type: node.type(),
    name: node.name(),
    className: node.className(),
    classKey: snapshot.nodeClassKey(id),
    selfSize: node.selfSize(), // after DevTools' shallow-size redistribution (NOTES.md §2.1)
    retainedSize: node.retainedSize(),
    distance: node.distance(),
    dominatorId: dominator.id(),
  };
}

/**
 * Aggregates that DevTools computes and then drops because another internal class key maps to the
 * same public key (HeapSnapshot.ts:1749-1753, `aggregates[newKey] = aggregate`). Uses the worker's
 * (TypeScript-private, runtime-visible) helpers, so the numbers are DevTools' own.
 */
function overwrittenAggregates(snapshot) {
  const internal = snapshot.buildAggregates(undefined);
  snapshot.calculateClassesRetainedSize(internal, undefined);
  const byPublic = new Map();
  for (const [k, a] of internal) {
    const pub = typeof k === 'number' ? ',' + snapshot.strings[k] : k;
    const list = byPublic.get(pub) ?? [];
    list.push({ key: pub, internalKey: k, name: a.name, count: a.count, selfSize: a.self, retainedSize: a.maxRet, distance: a.distance });
    byPublic.set(pub, list);
  }
  const dropped = [];
  for (const list of byPublic.values()) dropped.push(...list.slice(0, -1));
  return dropped;
}
