import { Worker } from 'node:worker_threads';
import { AFTER_COMMA, AFTER_NUMBER, IN_NUMBER, K_NAME, K_TO, K_TYPE, newCursor, scanEdgeValues, type EdgeColumns } from './numbers.js';

/**
 * Reads the `edges` section (two thirds of a snapshot's bytes, FACTS.md §3) on a second thread
 * while the main thread reads nodes and strings: the file is read twice (from the page cache), the
 * columns are SharedArrayBuffers, and the heavy loop is the very `scanEdgeValues` the sequential
 * path uses (its source is handed to an eval'd worker, so the worker needs no separate build
 * output and runs the same code under tests and from dist/). The worker only says "done" with the
 * section's offsets, or "failed": on any failure parse.ts reads the file again sequentially, which
 * produces the canonical error with its section and byte offset.
 */
export interface EdgeWorkerResult {
  /** Offsets of the array's '[' and ']' as the worker found them. */
  open: number;
  close: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const K_TO = ${K_TO}, K_TYPE = ${K_TYPE}, K_NAME = ${K_NAME}, MAX_U32 = 0xffffffff;
const IN_NUMBER = ${IN_NUMBER}, AFTER_NUMBER = ${AFTER_NUMBER}, AFTER_COMMA = ${AFTER_COMMA};
const scanEdgeValues = ${scanEdgeValues.toString()};
const MARKER = Buffer.from('"edges"');
function run() {
  const { file, searchFrom, chunkSize, columns, cursor } = workerData;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize + MARKER.length);
    let pos = searchFrom;
    let carry = 0;
    let open = -1;
    let state = 0; // 0 looking for "edges", 1 looking for ':', 2 looking for '[', 3 numbers
    for (;;) {
      const n = fs.readSync(fd, buf, carry, chunkSize, pos);
      if (n === 0) return null;
      const len = carry + n;
      const base = pos - carry;
      let i = 0;
      if (state === 0) {
        const at = buf.subarray(0, len).indexOf(MARKER);
        if (at < 0) {
          carry = Math.min(MARKER.length - 1, len);
          buf.copy(buf, 0, len - carry, len);
          pos += n;
          continue;
        }
        i = at + MARKER.length;
        state = 1;
      }
      carry = 0;
      while (state < 3 && i < len) {
        const b = buf[i];
        if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) { i++; continue; }
        if (state === 1 && b === 0x3a) { state = 2; i++; continue; }
        if (state === 2 && b === 0x5b) { state = 3; open = base + i; i++; continue; }
        return null;
      }
      if (state === 3) {
        const stop = scanEdgeValues(buf, i, len, base, cursor, columns);
        if (cursor.error !== null) return null;
        if (stop < len) {
          if (buf[stop] !== 0x5d || (cursor.flags & AFTER_COMMA) || cursor.ordinal !== columns.count || cursor.field !== 0) return null;
          return { open, close: base + stop };
        }
      }
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
let result = null;
try { result = run(); } catch { result = null; }
parentPort.postMessage(result);
`;

export function startEdgeWorker(file: string, columns: EdgeColumns, searchFrom: number, chunkSize: number): { result: Promise<EdgeWorkerResult | null>; terminate(): void } {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, searchFrom, chunkSize: Math.max(64, chunkSize), columns, cursor: newCursor() },
  });
  const result = new Promise<EdgeWorkerResult | null>((resolve) => {
    worker.once('message', (m: EdgeWorkerResult | null) => resolve(m));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  return { result, terminate: () => void worker.terminate() };
}
