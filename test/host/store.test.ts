/**
 * The snapshot store on its own, on real directories: two processes' worth of stores sharing one
 * directory, what a crashed run leaves behind, permissions, and where the default store lives.
 */
import { chmod, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../src/store/dir.js';
import { SnapshotStore } from '../../src/store/store.js';
import { tempDir } from './harness.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await tempDir('heapscope-store-');
  dirs.push(d);
  return d;
}

/** A file a capture would have written at reserve()'s path. */
async function fakeCapture(store: SnapshotStore, name: string) {
  const { snapshotId, file } = store.reserve();
  await writeFile(file, `{"snapshot":"${name}"}`, { mode: 0o600 });
  return store.addCaptured(snapshotId, { name, sessionId: 'S'.repeat(22) });
}

describe('SnapshotStore', () => {
  it('two stores on one directory keep each other\'s entries (every change re-reads the index)', async () => {
    const d = await dir();
    const a = await SnapshotStore.open(d);
    const b = await SnapshotStore.open(d);
    const one = await fakeCapture(a, 'from a');
    const two = await fakeCapture(b, 'from b');
    await a.rename(one.meta.snapshotId, 'renamed by a');
    await b.refresh();
    expect(b.list().map((s) => s.meta.name)).toEqual(['renamed by a', 'from b']);
    const index = JSON.parse(await readFile(path.join(d, 'index.json'), 'utf8'));
    expect(index.version).toBe(1);
    expect(index.snapshots.map((e: { file: string }) => e.file)).toEqual([`${one.meta.snapshotId}.heapsnapshot`, `${two.meta.snapshotId}.heapsnapshot`]);
    expect(await b.remove(one.meta.snapshotId)).toBe(true);
    expect(await a.remove(one.meta.snapshotId)).toBe(false);
    expect((await SnapshotStore.open(d)).list().map((s) => s.meta.name)).toEqual(['from b']);
  });

  it('sweeps what a crashed run left (older than an hour), never a fresh temp file, and makes indexed files 0600', async () => {
    const d = await dir();
    const store = await SnapshotStore.open(d);
    const kept = await fakeCapture(store, 'kept');
    await chmod(kept.file, 0o644);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const staleTemp = path.join(d, '.upload-AAAAAAAAAAAAAAAAAAAAAA.tmp');
    const staleOrphan = path.join(d, 'BBBBBBBBBBBBBBBBBBBBBB.heapsnapshot');
    const freshTemp = path.join(d, '.CCCCCCCCCCCCCCCCCCCCCC.heapsnapshot.0123456789ab.tmp');
    const foreign = path.join(d, 'notes.txt');
    for (const f of [staleTemp, staleOrphan, freshTemp, foreign]) await writeFile(f, 'x');
    for (const f of [staleTemp, staleOrphan, foreign]) await utimes(f, old, old);
    await SnapshotStore.open(d);
    expect((await readdir(d)).sort()).toEqual([path.basename(freshTemp), `${kept.meta.snapshotId}.heapsnapshot`, 'index.json', 'notes.txt'].sort());
    expect((await stat(kept.file)).mode & 0o777).toBe(0o600);
  });

  it('creates its directory 0700 and receives uploads as 0600 files, streamed', async () => {
    const parent = await dir();
    const d = path.join(parent, 'deep', 'store');
    const store = await SnapshotStore.open(d);
    expect((await stat(d)).mode & 0o777).toBe(0o700);
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(i === 0 ? [0x1f, 0x8b, 1, 2] : [i]));
    const received = await store.receive(Readable.from(chunks));
    expect(received).toMatchObject({ bytes: 53, gzip: true });
    expect((await stat(received.tempFile)).mode & 0o777).toBe(0o600);
    const stored = await store.commitReceived(received, { name: 'x'.repeat(300) });
    expect(stored.meta.name).toHaveLength(200);
    expect(path.basename(stored.file)).toBe(`${received.snapshotId}.heapsnapshot.gz`);
    expect((await stat(stored.file)).mode & 0o777).toBe(0o600);
  });

  it('a body that fails midway leaves no temp file', async () => {
    const store = await SnapshotStore.open(await dir());
    async function* failing() {
      yield Buffer.from('{"snapshot":');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(store.receive(failing())).rejects.toThrow('aborted');
    expect(await readdir(store.dir)).toEqual([]);
  });

  it('refuses a directory it cannot create with a FileIoError (exit 5)', async () => {
    const parent = await dir();
    await writeFile(path.join(parent, 'file'), 'x');
    await expect(SnapshotStore.open(path.join(parent, 'file', 'store'))).rejects.toMatchObject({ name: 'FileIoError', exitCode: 5 });
  });

  it('lives in $XDG_DATA_HOME/heapscope/snapshots, else ~/.local/share/heapscope/snapshots', () => {
    expect(defaultStoreDir({ XDG_DATA_HOME: '/data' })).toBe('/data/heapscope/snapshots');
    expect(defaultStoreDir({})).toBe(path.join(os.homedir(), '.local/share/heapscope/snapshots'));
    // A relative XDG_DATA_HOME is invalid per the XDG spec.
    expect(defaultStoreDir({ XDG_DATA_HOME: 'rel' })).toBe(path.join(os.homedir(), '.local/share/heapscope/snapshots'));
  });
});
