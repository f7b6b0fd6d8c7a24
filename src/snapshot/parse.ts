import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { FileIoError } from '../shared/errors.js';
import { SnapshotFormatError } from './errors.js';
import { SnapshotScanner, type ScanResult, type ScannerHooks } from './scanner.js';
import { startEdgeWorker } from './edges-worker.js';

export interface ParseOptions {
  /** Bytes per read; tests force tiny chunks because streaming bugs hide at chunk boundaries. */
  chunkSize?: number;
  /** Called after each chunk with bytes read so far and the file's size (compressed size for .gz). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Read the edges section on a second thread: true, false, or 'auto' (the default: plain files
   * of 64 MiB and more). Gzipped files are always read on one thread.
   */
  parallel?: boolean | 'auto';
}

const PARALLEL_MIN_BYTES = 64 << 20;

/** Thrown inside the parallel path to say "read it again on one thread". */
class ParallelFallback extends Error {}

const DEFAULT_CHUNK = 4 << 20;

/** True when the file starts with the gzip magic; `.heapsnapshot.gz` files are read through zlib. */
async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Yields the file's (decompressed) bytes in chunks. */
async function* readChunks(file: string, gzip: boolean, chunkSize: number, onRead: (n: number) => void): AsyncGenerator<Uint8Array> {
  if (gzip) {
    const raw = createReadStream(file, { highWaterMark: Math.max(chunkSize, 64 << 10) });
    raw.on('data', (b) => onRead(b.length));
    const gunzip = raw.pipe(createGunzip({ chunkSize: Math.max(64, Math.min(chunkSize, 1 << 20)) }));
    raw.on('error', (err) => gunzip.destroy(err));
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += chunkSize) yield chunk.subarray(at, Math.min(chunk.length, at + chunkSize));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        throw new SnapshotFormatError(file, 'file', 0, `the gzip stream is corrupt (${(err as Error).message})`);
      }
      throw err;
    }
    return;
  }
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) return;
      onRead(bytesRead);
      // The scanner copies what it keeps, so the buffer can be reused for the next read.
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Streams a .heapsnapshot (or .heapsnapshot.gz) into flat arrays and validates it. Never holds the
 * file as one string: V8's string limit is ~512 MiB and real snapshots pass 1 GB (FACTS.md §4).
 */
export async function scanSnapshotFile(file: string, options: ParseOptions = {}): Promise<ScanResult> {
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  let size: number;
  let gzip: boolean;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.size;
    gzip = size >= 2 && (await isGzip(file));
  } catch (err) {
    throw new FileIoError(file, 'read', err);
  }
  const parallel = options.parallel ?? 'auto';
  if (!gzip && (parallel === true || (parallel === 'auto' && size >= PARALLEL_MIN_BYTES))) {
    try {
      return await scanParallel(file, size, chunkSize, options);
    } catch (err) {
      if (!(err instanceof ParallelFallback || err instanceof SnapshotFormatError || err instanceof StringIndexError)) throw err;
      // Any doubt or error: one thread, which gives the canonical error with its offset.
    }
  }
  return scanSequential(file, size, gzip, chunkSize, options);
}

async function scanSequential(file: string, size: number, gzip: boolean, chunkSize: number, options: ParseOptions): Promise<ScanResult> {
  const scanner = new SnapshotScanner(file, gzip ? undefined : size);
  await feedAll(scanner, file, size, gzip, chunkSize, options);
  try {
    const result = scanner.finish();
    validateStringIndexes(result);
    return result;
  } catch (err) {
    if (err instanceof StringIndexError) throw await locateValue(file, gzip, err);
    if (err instanceof SnapshotFormatError && gzip) throw decompressedNote(err);
    throw err;
  }
}

async function feedAll(scanner: SnapshotScanner, file: string, size: number, gzip: boolean, chunkSize: number, options: ParseOptions): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of readChunks(file, gzip, chunkSize, (n) => {
      read += n;
      options.onProgress?.(read, size);
    })) {
      scanner.feed(chunk);
    }
  } catch (err) {
    if (err instanceof SnapshotFormatError) throw gzip ? decompressedNote(err) : err;
    throw new FileIoError(file, 'read', err);
  }
}

/** Nodes, strings and the rest here; edges on a worker thread into shared columns (edges-worker.ts). */
async function scanParallel(file: string, size: number, chunkSize: number, options: ParseOptions): Promise<ScanResult> {
  let worker: ReturnType<typeof startEdgeWorker> | undefined;
  let opened = -1;
  let closed = -1;
  const hooks: ScannerHooks = {
    edgesElsewhere: {
      header: (columns, searchFrom) => { worker = startEdgeWorker(file, columns, searchFrom, Math.max(chunkSize, 1 << 20)); },
      opened: (offset) => { opened = offset; },
      closed: (offset) => { closed = offset; },
    },
  };
  try {
    const scanner = new SnapshotScanner(file, size, hooks);
    await feedAll(scanner, file, size, false, chunkSize, options);
    const result = scanner.finish();
    const edges = worker ? await worker.result : null;
    if (!edges || edges.open !== opened || edges.close !== closed) throw new ParallelFallback();
    validateStringIndexes(result);
    return result;
  } finally {
    worker?.terminate();
  }
}

function decompressedNote(err: SnapshotFormatError): SnapshotFormatError {
  return new SnapshotFormatError(err.file, err.section, err.offset, `${err.detail}; offsets count decompressed bytes`);
}

/** A name index past the string table, found after the fact (strings come last in the file). */
class StringIndexError extends Error {
  constructor(readonly section: 'nodes' | 'edges', readonly sectionOffset: number, readonly valueIndex: number, readonly detail: string) {
    super(detail);
  }
}

function validateStringIndexes(r: ScanResult): void {
  const count = r.strings.count;
  const { nodeCount, edgeCount, nodeFieldCount, nodeNameOffset, edgeFieldCount, edgeNameOffset, edgeTypes } = r.layout;
  for (let i = 0; i < nodeCount; i++) {
    if (r.nodeName[i]! >= count) {
      throw new StringIndexError('nodes', r.sectionOffsets.nodes ?? 0, i * nodeFieldCount + nodeNameOffset, `node ${i} (id ${r.nodeId[i]}): name index ${r.nodeName[i]} is past the string table (${count} strings)`);
    }
  }
  // element and hidden edges carry a number, every other type a string index (FACTS.md §3).
  const numeric = new Uint8Array(edgeTypes.length);
  edgeTypes.forEach((t, i) => { numeric[i] = t === 'element' || t === 'hidden' ? 1 : 0; });
  for (let e = 0; e < edgeCount; e++) {
    if (!numeric[r.edgeType[e]!] && r.edgeName[e]! >= count) {
      throw new StringIndexError('edges', r.sectionOffsets.edges ?? 0, e * edgeFieldCount + edgeNameOffset, `edge ${e} (${edgeTypes[r.edgeType[e]!]}): name index ${r.edgeName[e]} is past the string table (${count} strings)`);
    }
  }
}

/** Re-reads the file to turn "value #k of a section" into its exact byte offset; errors are rare, so a second pass is cheap. */
async function locateValue(file: string, gzip: boolean, err: StringIndexError): Promise<SnapshotFormatError> {
  let offset = err.sectionOffset;
  let base = 0;
  let values = 0;
  let inNumber = false;
  let inArray = false;
  outer: for await (const chunk of readChunks(file, gzip, 1 << 20, () => {})) {
    for (let i = Math.max(0, err.sectionOffset - base); i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!inArray) { inArray = b === 0x5b; continue; }
      const digit = b >= 0x30 && b <= 0x39;
      if (digit && !inNumber) {
        if (values === err.valueIndex) { offset = base + i; break outer; }
        inNumber = true;
      } else if (!digit && inNumber) {
        inNumber = false;
        values++;
      }
    }
    base += chunk.length;
  }
  return new SnapshotFormatError(file, err.section, offset, gzip ? `${err.detail}; offsets count decompressed bytes` : err.detail);
}
