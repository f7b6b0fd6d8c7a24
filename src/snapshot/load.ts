import { HeapGraph, type GraphOptions } from './graph.js';
import { scanSnapshotFile, type ParseOptions } from './parse.js';

/** Reads and validates a .heapsnapshot(.gz) and builds its graph with edge and retainer indexes. */
export async function loadHeapGraph(file: string, options: ParseOptions & GraphOptions = {}): Promise<HeapGraph> {
  const scan = await scanSnapshotFile(file, options);
  return new HeapGraph(file, scan, { harness: options.harness });
}
