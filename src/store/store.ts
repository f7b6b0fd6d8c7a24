import { chmod, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SnapshotMeta } from '../shared/dto.js';
import { FileIoError } from '../shared/errors.js';
import { syncDir } from './atomic.js';
import { UnknownSnapshotError } from './errors.js';
import { newId } from './ids.js';
import { readIndex, STORE_FILE_PATTERN, writeIndex, type IndexEntry } from './index-file.js';

/** A snapshot the store knows: its metadata (without `loaded`, which is the engine's business) and its file. */
export interface StoredSnapshot {
  meta: Omit<SnapshotMeta, 'loaded'>;
  /** Absolute path of the file. Never leaves the host. */
  file: string;
}

/** A file received into the store but not yet validated or indexed (an upload). */
export interface ReceivedFile {
  snapshotId: string;
  /** The temp file holding it; `commitReceived` moves it into place, `discard` deletes it. */
  tempFile: string;
  bytes: number;
  gzip: boolean;
}

export const MAX_NAME = 200;
const INDEX = 'index.json';
/** Left-over temp files and unindexed snapshot files older than this are from a crashed run. */
const STALE_MS = 60 * 60 * 1000;

/**
 * The snapshot store: a directory of snapshot files (mode 0600, written via temp file + fsync +
 * rename) and `index.json` with their metadata, rewritten atomically. Ids are opaque; the UI names
 * snapshots only by id, and the index never names a path outside the directory.
 *
 * Two heapscope processes may share a directory (a `demo` and a `serve`, say): every change
 * re-reads the index and applies itself to what is on disk, so neither loses the other's entries.
 * Files given on the command line (`serve FILE…`) are registered by reference, in memory only:
 * the store never copies, moves or deletes them.
 */
export class SnapshotStore {
  readonly dir: string;
  private readonly indexFile: string;
  private persistent: IndexEntry[] = [];
  private readonly references = new Map<string, StoredSnapshot>();
  /** Changes run one at a time (each is read index, change, write index). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
    this.indexFile = path.join(dir, INDEX);
  }

  /** Opens (creating it 0700 when missing) the store in `dir`; removes what a crashed run left. */
  static async open(dir: string): Promise<SnapshotStore> {
    const abs = path.resolve(dir);
    try {
      await mkdir(abs, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new FileIoError(abs, 'create the snapshot directory', err);
    }
    const store = new SnapshotStore(abs);
    store.persistent = await readIndex(store.indexFile);
    await store.sweep();
    return store;
  }

  /** Every snapshot, oldest first. */
  list(): StoredSnapshot[] {
    const all = [...this.persistent.map((e) => this.toStored(e)), ...this.references.values()];
    return all.sort((a, b) => (a.meta.createdAt < b.meta.createdAt ? -1 : a.meta.createdAt > b.meta.createdAt ? 1 : 0));
  }

  get(id: string): StoredSnapshot | undefined {
    const ref = this.references.get(id);
    if (ref) return ref;
    const e = this.persistent.find((x) => x.snapshotId === id);
    return e && this.toStored(e);
  }

  /** The snapshot, or UnknownSnapshotError naming `field`. */
  require(id: string, field = 'snapshotId'): StoredSnapshot {
    const s = this.get(id);
    if (!s) throw new UnknownSnapshotError(field);
    return s;
  }

  /** Re-reads the index (another process may have changed it). */
  async refresh(): Promise<void> {
    await this.change(() => false);
  }

  /** A fresh id and the file a capture of it is written to (the capture writes temp + rename itself). */
  reserve(): { snapshotId: string; file: string } {
    const snapshotId = newId();
    return { snapshotId, file: path.join(this.dir, `${snapshotId}.heapsnapshot`) };
  }

  /** Indexes a captured file written at `reserve()`'s path. */
  async addCaptured(snapshotId: string, meta: Omit<IndexEntry, 'snapshotId' | 'file' | 'source' | 'bytes' | 'createdAt'>): Promise<StoredSnapshot> {
    const file = `${snapshotId}.heapsnapshot`;
    const { size } = await stat(path.join(this.dir, file));
    const entry: IndexEntry = { snapshotId, file, source: 'capture', bytes: size, createdAt: new Date().toISOString(), ...meta, name: cutName(meta.name) };
    await this.change((list) => { list.push(entry); return true; });
    return this.toStored(entry);
  }

  /** Registers a file outside the store by reference (`serve FILE…`); never copied, never deleted. */
  async addReference(file: string): Promise<StoredSnapshot> {
    const abs = path.resolve(file);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      throw new FileIoError(abs, 'read', err);
    }
    if (!st.isFile()) throw new FileIoError(abs, 'read', Object.assign(new Error('not a regular file'), { code: 'EISDIR' }));
    const snapshotId = newId();
    const stored: StoredSnapshot = {
      meta: { snapshotId, name: cutName(path.basename(abs)), createdAt: st.mtime.toISOString(), bytes: st.size, source: 'file' },
      file: abs,
    };
    this.references.set(snapshotId, stored);
    return stored;
  }

  /**
   * Streams an upload into a 0600 temp file in the store (nothing held in memory) and fsyncs it.
   * The caller validates it, then `commitReceived` or `discard`. On a read or write error the
   * temp file is removed and the error thrown.
   */
  async receive(body: AsyncIterable<Buffer | Uint8Array> & Partial<Pick<Readable, 'destroy'>>): Promise<ReceivedFile> {
    const snapshotId = newId();
    const tempFile = path.join(this.dir, `.upload-${snapshotId}.tmp`);
    let bytes = 0;
    let head: number[] = [];
    let writing = false;
    let fh: FileHandle;
    try {
      fh = await open(tempFile, 'wx', 0o600);
    } catch (err) {
      throw new FileIoError(tempFile, 'create', err);
    }
    try {
      try {
        for await (const chunk of body) {
          if (head.length < 2) head = [...head, ...chunk.subarray(0, 2 - head.length)];
          bytes += chunk.length;
          writing = true;
          // Awaiting each write is the backpressure: the socket is not read faster than the disk takes it.
          for (let offset = 0; offset < chunk.length;) offset += (await fh.write(chunk, offset, chunk.length - offset)).bytesWritten;
          writing = false;
        }
        writing = true;
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      await unlink(tempFile).catch(() => {});
      // A write error is the disk's (full, quota): exit-5 kind. Anything else is the sender's (aborted upload).
      if (writing) throw new FileIoError(tempFile, 'write', err);
      throw err;
    }
    return { snapshotId, tempFile, bytes, gzip: head[0] === 0x1f && head[1] === 0x8b };
  }

  /** Moves a validated upload into place and indexes it. */
  async commitReceived(r: ReceivedFile, meta: { name: string; nodes?: number; edges?: number; totalSize?: number }): Promise<StoredSnapshot> {
    const file = `${r.snapshotId}.heapsnapshot${r.gzip ? '.gz' : ''}`;
    try {
      await rename(r.tempFile, path.join(this.dir, file));
    } catch (err) {
      await unlink(r.tempFile).catch(() => {});
      throw new FileIoError(path.join(this.dir, file), 'create', err);
    }
    await syncDir(this.dir);
    const entry: IndexEntry = {
      snapshotId: r.snapshotId, file, source: 'import', bytes: r.bytes, createdAt: new Date().toISOString(),
      ...meta, name: cutName(meta.name),
    };
    await this.change((list) => { list.push(entry); return true; });
    return this.toStored(entry);
  }

  /** Deletes a received file that failed validation. */
  async discard(r: ReceivedFile): Promise<void> {
    await unlink(r.tempFile).catch(() => {});
  }

  /** Records what the engine found when it loaded the snapshot (counts survive a restart). */
  async setCounts(id: string, counts: { nodes: number; edges: number; totalSize: number }): Promise<void> {
    const ref = this.references.get(id);
    if (ref) { Object.assign(ref.meta, counts); return; }
    await this.change((list) => {
      const e = list.find((x) => x.snapshotId === id);
      if (!e) return false;
      Object.assign(e, counts);
      return true;
    });
  }

  /** Renames (display name only; 1..200 characters, checked by the request schema). */
  async rename(id: string, name: string, field = 'snapshotId'): Promise<StoredSnapshot> {
    const ref = this.references.get(id);
    if (ref) {
      ref.meta.name = cutName(name);
      return ref;
    }
    let found = false;
    await this.change((list) => {
      const e = list.find((x) => x.snapshotId === id);
      if (!e) return false;
      e.name = cutName(name);
      found = true;
      return true;
    });
    if (!found) throw new UnknownSnapshotError(field);
    return this.require(id, field);
  }

  /** Removes the entry and its file (a referenced file is only forgotten). False when there was no such snapshot. */
  async remove(id: string): Promise<boolean> {
    if (this.references.delete(id)) return true;
    let removed: IndexEntry | undefined;
    await this.change((list) => {
      const i = list.findIndex((x) => x.snapshotId === id);
      if (i < 0) return false;
      removed = list.splice(i, 1)[0];
      return true;
    });
    if (!removed) return false;
    const file = path.join(this.dir, removed.file);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new FileIoError(file, 'delete', err);
    }
    return true;
  }

  /** Applies `fn` to the index as it is on disk now; writes it back when `fn` says it changed it. */
  private change(fn: (list: IndexEntry[]) => boolean): Promise<void> {
    const run = this.queue.then(async () => {
      const list = await readIndex(this.indexFile);
      if (fn(list)) await writeIndex(this.indexFile, list);
      this.persistent = list;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private toStored(e: IndexEntry): StoredSnapshot {
    const { file, ...meta } = e;
    return { meta: { ...meta }, file: path.join(this.dir, file) };
  }

  /**
   * Removes temp files and unindexed snapshot files a crashed run left (older than an hour, so
   * another process's upload or capture in progress is never touched), and makes sure every
   * snapshot file is 0600 (a copy dropped in by hand may not be).
   */
  private async sweep(): Promise<void> {
    const indexed = new Set(this.persistent.map((e) => e.file));
    const now = Date.now();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const file = path.join(this.dir, name);
      const isTemp = name.startsWith('.') && name.endsWith('.tmp');
      const isSnapshot = STORE_FILE_PATTERN.test(name);
      if (!isTemp && !isSnapshot) continue;
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) continue;
      if (isSnapshot && indexed.has(name)) {
        if ((st.mode & 0o077) !== 0) await chmod(file, 0o600).catch(() => {});
        continue;
      }
      if (now - st.mtimeMs > STALE_MS) await unlink(file).catch(() => {});
    }
  }
}

/** Display names are cut, never refused, when they come from a file name or a capture. */
function cutName(name: string): string {
  const n = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  return n.length > 0 ? n : 'snapshot';
}
