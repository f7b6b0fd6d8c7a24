// Chrome DevTools' Comparison view on two files, with DevTools' own code (the bundle of
// ./bundle.mjs), printed as JSON rows: { key, name, added, removed, addedSize, removedSize }.
//
//   node test/oracle/diff-runner.mjs BEFORE[.gz] AFTER[.gz]
//
// What the Comparison grid does (HeapSnapshotDataGrids.ts:1006-1008): it asks the *after* snapshot
// for its interface definitions, the *base* snapshot for aggregatesForDiff(those definitions), and
// the after snapshot for calculateSnapshotDiff(baseUid, aggregates). Loading follows ./runner.mjs
// (10 MB text chunks into HeapSnapshotLoader, SecondaryInitManager on a second thread).
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, isMainThread, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';
import { ensureBundle } from './bundle.mjs';

if (!isMainThread && workerData?.role === 'heapscope-oracle-secondary') {
  const m = await import(pathToFileURL(workerData.bundle).href);
  new m.HeapSnapshot.SecondaryInitManager(workerData.port);
} else if (isMainThread) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) {
    process.stderr.write('usage: diff-runner.mjs BEFORE AFTER\n');
    process.exit(2);
  }
  try {
    const bundle = await ensureBundle();
    const m = await import(pathToFileURL(bundle).href);
    const base = await load(m, bundle, before);
    const snap = await load(m, bundle, after);
    const aggregates = base.snapshot.aggregatesForDiff(snap.snapshot.interfaceDefinitions());
    const diff = snap.snapshot.calculateSnapshotDiff(1, aggregates);
    const rows = Object.entries(diff).map(([key, d]) => ({
      key, name: d.name, added: d.addedCount, removed: d.removedCount, addedSize: d.addedSize, removedSize: d.removedSize,
    }));
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    await base.worker.terminate();
    await snap.worker.terminate();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`heapscope-oracle: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  }
}

async function load(m, bundle, file) {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'heapscope-oracle-secondary', bundle, port: port2 },
    transferList: [port2],
  });
  const failed = new Promise((_, reject) => worker.on('error', reject));
  failed.catch(() => {});
  const loader = new m.HeapSnapshotLoader.HeapSnapshotLoader({ sendEvent() {} });
  const built = loader.buildSnapshot(port1);
  built.catch(() => {});
  let stream = fs.createReadStream(file, { highWaterMark: 10_000_000 });
  if (file.endsWith('.gz')) stream = stream.pipe(zlib.createGunzip());
  stream.setEncoding('utf8');
  for await (const chunk of stream) loader.write(chunk);
  loader.close();
  const snapshot = await Promise.race([built, failed]);
  return { snapshot, worker };
}
