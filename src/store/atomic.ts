import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { FileIoError } from '../shared/errors.js';

/**
 * Writes `data` to `file` so that a crash or a full disk leaves either the old file or the new one,
 * never half of either: a 0600 temp file beside it, fsync, rename, then fsync of the directory.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(temp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw new FileIoError(file, 'write', err);
  }
  await syncDir(path.dirname(file));
}

/** Makes a rename durable. Best effort: some file systems refuse fsync on a directory. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  } catch { /* not supported here */ }
}
