import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FileIoError } from '../shared/errors.js';

/** Above this many queued bytes the writer asks its source to stop; below LOW_WATER to go on. */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/**
 * Writes a snapshot to `.NAME.RANDOM.tmp` beside its destination (mode 0600: snapshots hold the
 * target's strings and source, FACTS.md §5) and renames it into place only after fsync, so a
 * destination path either holds a whole snapshot or nothing: a crash, a full disk or a dead
 * target leave no partial file. Writes are queued and issued one at a time; `backlog` and the
 * `onPressure` callback let the caller stop reading from the network while the disk catches up.
 */
export class SnapshotFileSink {
  readonly file: string;
  readonly tempFile: string;
  /** The first write error; once set, nothing more is written. */
  error: FileIoError | undefined;
  bytesWritten = 0;

  private queue: Buffer[] = [];
  private queued = 0;
  private writing: Promise<void> | undefined;
  private pressured = false;
  private finished = false;
  private committed = false;

  private constructor(
    file: string,
    tempFile: string,
    private readonly fh: FileHandle,
    private readonly onPressure: (stop: boolean) => void,
    private readonly onError: (err: FileIoError) => void,
  ) {
    this.file = file;
    this.tempFile = tempFile;
  }

  static async create(file: string, hooks: { onPressure?: (stop: boolean) => void; onError?: (err: FileIoError) => void } = {}): Promise<SnapshotFileSink> {
    const tempFile = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    let fh: FileHandle;
    try {
      fh = await open(tempFile, 'wx', 0o600);
    } catch (err) {
      throw new FileIoError(tempFile, 'create', err);
    }
    return new SnapshotFileSink(file, tempFile, fh, hooks.onPressure ?? (() => {}), hooks.onError ?? (() => {}));
  }

  get backlog(): number {
    return this.queued;
  }

  write(chunk: string): void {
    if (this.error || this.finished) return;
    const buf = Buffer.from(chunk, 'utf8');
    this.queue.push(buf);
    this.queued += buf.length;
    if (!this.pressured && this.queued > HIGH_WATER) {
      this.pressured = true;
      this.onPressure(true);
    }
    this.writing ??= this.pump();
  }

  /** Flushes, fsyncs and renames into place. Throws FileIoError (exit 5) on any I/O failure, leaving nothing behind. */
  async commit(): Promise<void> {
    await this.writing;
    if (this.error) {
      await this.discard();
      throw this.error;
    }
    this.finished = true;
    try {
      await this.fh.sync();
      await this.fh.close();
    } catch (err) {
      await this.discard();
      throw new FileIoError(this.tempFile, 'write', err);
    }
    try {
      await rename(this.tempFile, this.file);
      this.committed = true;
    } catch (err) {
      await this.discard();
      throw new FileIoError(this.file, 'create', err);
    }
    await syncDir(path.dirname(this.file));
  }

  /** Stops writing and removes the temp file. Safe to call more than once, and after commit (then it does nothing). */
  async discard(): Promise<void> {
    this.finished = true;
    this.queue = [];
    this.queued = 0;
    await this.writing?.catch(() => {});
    if (this.committed) return;
    await this.fh.close().catch(() => {});
    await unlink(this.tempFile).catch(() => {});
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.error) {
        const batch = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
        this.queue = [];
        let offset = 0;
        try {
          // Writes to a regular file can be short (at the RLIMIT_FSIZE boundary, the next one fails
          // with EFBIG); loop until all is out or an error comes.
          while (offset < batch.length) {
            const { bytesWritten } = await this.fh.write(batch, offset, batch.length - offset, null);
            offset += bytesWritten;
          }
        } catch (err) {
          this.error = new FileIoError(this.file, 'write', err);
          this.onError(this.error);
          return;
        } finally {
          this.queued -= offset;
          this.bytesWritten += offset;
        }
        if (this.pressured && this.queued < LOW_WATER) {
          this.pressured = false;
          this.onPressure(false);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}

/** Makes the rename itself durable. Best effort: some file systems refuse fsync on a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  } catch { /* not supported here */ }
}
