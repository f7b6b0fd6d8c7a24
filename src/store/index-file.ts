import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SnapshotMeta } from '../shared/dto.js';
import { writeFileAtomic } from './atomic.js';
import { StoreIndexError } from './errors.js';
import { ID_PATTERN } from './ids.js';

/** A stored snapshot as the index records it: its metadata and its file's name inside the store. */
export type IndexEntry = Omit<SnapshotMeta, 'loaded' | 'source'> & { source: 'capture' | 'import'; file: string };

/** Only `<id>.heapsnapshot[.gz]`: the index never names a path outside the store, whoever edited it. */
export const STORE_FILE_PATTERN = /^[A-Za-z0-9_-]{22}\.heapsnapshot(\.gz)?$/;

const count = z.number().int().nonnegative();
// Loose objects: fields a newer heapscope adds survive a rewrite by this one.
const entrySchema = z.looseObject({
  snapshotId: z.string().regex(ID_PATTERN),
  file: z.string().regex(STORE_FILE_PATTERN),
  name: z.string().min(1).max(200),
  createdAt: z.string().max(64),
  bytes: count,
  source: z.enum(['capture', 'import']),
  targetId: z.string().max(64).optional(),
  targetTitle: z.string().max(10_000).optional(),
  sessionId: z.string().max(64).optional(),
  nodes: count.optional(),
  edges: count.optional(),
  totalSize: count.optional(),
});
const indexSchema = z.looseObject({ version: z.literal(1), snapshots: z.array(entrySchema) });

/** The entries of `file`; [] when it does not exist yet. Throws StoreIndexError when it is not an index. */
export async function readIndex(file: string): Promise<IndexEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreIndexError(file, (err as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoreIndexError(file, (err as Error).message);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StoreIndexError(file, `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data.snapshots as IndexEntry[];
}

export async function writeIndex(file: string, entries: IndexEntry[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, snapshots: entries }, null, 1)}\n`);
}
