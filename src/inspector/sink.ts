import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FileIoError } from '../shared/errors.js';

/** Size of each of the two write buffers. */
const BUFFER_BYTES = 1024 * 1024;
/** Queued bytes (beyond a full buffer) at which the writer asks its source to stop. */
const HIGH_WATER = 256 * 1024;

/**
 * Writes a snapshot to `.NAME.RANDOM.tmp` beside its destination (mode 0600: snapshots hold the
 * target's strings and source, FACTS.md §5) and renames it into place only after fsync, so a
 * destination path either holds a whole snapshot or nothing: a crash, a full disk or a dead
 * target leave no partial file.
 *
 * Chunks are copied at once into one of two fixed 1 MiB buffers while the other is being written,
 * so a chunk string dies young and no per-chunk Buffer is made. Both matter for the capturing
 * process's memory: a Buffer per chunk is an ArrayBuffer that V8 frees only when a GC gets round
 * to its wrapper, and chunk strings kept alive across scavenges make V8 grow the young generation
 * to its 16 MiB semi-space maximum; either way RSS grew by 40-80 MB on a 300 MB capture. When both
 * buffers are busy, chunks queue as strings and `onPressure(true)` asks the caller to stop reading
 * from the network until the queue is empty again.
 */
export class SnapshotFileSink {
  readonly file: string;
  readonly tempFile: string;
  /** The first write error; once set, nothing more is written. */
  error: FileIoError | undefined;
  bytesWritten = 0;

  private fill: Buffer = Buffer.allocUnsafeSlow(BUFFER_BYTES);
  private fillLength = 0;
  private spare: Buffer | undefined = Buffer.allocUnsafeSlow(BUFFER_BYTES);
  private queue: string[] = [];
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

  /** Bytes accepted but not yet written. */
  get backlog(): number {
    return this.fillLength + this.queued;
  }

  write(chunk: string): void {
    if (this.error || this.finished) return;
    if (this.queue.length === 0 && this.copyIn(chunk)) {
      // copied
    } else {
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (!this.pressured && this.queued > HIGH_WATER) {
        this.pressured = true;
        this.onPressure(true);
      }
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

  /** Copies the chunk into the fill buffer if it fits there whole. */
  private copyIn(chunk: string): boolean {
    const n = Buffer.byteLength(chunk, 'utf8');
    if (this.fillLength + n > this.fill.length) return false;
    this.fillLength += this.fill.write(chunk, this.fillLength, 'utf8');
    return true;
  }

  private async pump(): Promise<void> {
    try {
      while ((this.fillLength > 0 || this.queue.length > 0) && !this.error && !this.finished) {
        let out: Buffer = this.fill;
        let length = this.fillLength;
        this.fill = this.spare ?? Buffer.allocUnsafeSlow(BUFFER_BYTES);
        this.spare = undefined;
        this.fillLength = 0;
        if (length === 0) {
          // A single queued chunk larger than a buffer (V8 sends at most 100 KB; other writers may not).
          const big = this.queue.shift()!;
          this.queued -= big.length;
          this.spare = out;
          out = Buffer.from(big, 'utf8');
          length = out.length;
        }
        while (this.queue.length > 0 && this.copyIn(this.queue[0]!)) this.queued -= this.queue.shift()!.length;
        if (this.pressured && this.queue.length === 0) {
          this.pressured = false;
          this.onPressure(false);
        }
        try {
          // A write to a regular file can be short at the RLIMIT_FSIZE boundary (the next one then
          // fails with EFBIG): loop until all is out or an error comes.
          for (let offset = 0; offset < length;) {
            const { bytesWritten } = await this.fh.write(out, offset, length - offset, null);
            if (bytesWritten === 0) throw Object.assign(new Error('the file system accepted no more bytes'), { code: 'EIO' });
            offset += bytesWritten;
            this.bytesWritten += bytesWritten;
          }
        } catch (err) {
          this.error = new FileIoError(this.file, 'write', err);
          this.onError(this.error);
          return;
        }
        if (out.length === BUFFER_BYTES) this.spare = out;
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
