import { HeapGraph } from './graph.js';
import { scanSnapshotFile, type ParseOptions } from './parse.js';

/** Reads and validates a .heapsnapshot(.gz) and builds its graph with edge and retainer indexes. */
export async function loadHeapGraph(file: string, options: ParseOptions = {}): Promise<HeapGraph> {
  const scan = await scanSnapshotFile(file, options);
  return new HeapGraph(file, scan);
}
