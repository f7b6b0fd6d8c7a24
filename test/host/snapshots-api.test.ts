/**
 * The store through the web host, with real files: import (HTTP POST, streamed, validated by the
 * engine), export (identical bytes), rename, delete, engine channels on store ids, and a store that
 * survives a restart.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorDto, SnapshotMeta } from '../../src/shared/dto.js';
import { SnapshotStore } from '../../src/store/store.js';
import { fixturesDir } from '../helpers/target.js';
import { http, startHost, tempDir, type Host } from './harness.js';

const snapshots = path.join(fixturesDir, 'snapshots');
const baselineGz = path.join(snapshots, 'listener-leak-baseline.heapsnapshot.gz');
const targetGz = path.join(snapshots, 'listener-leak-target.heapsnapshot.gz');

const hosts: Host[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function storeDir(): Promise<string> {
  const d = await tempDir('heapscope-store-');
  dirs.push(d);
  return d;
}

async function host(dir?: string): Promise<Host> {
  const h = await startHost({ dir });
  hosts.push(h);
  return h;
}

function upload(h: Host, file: string | Buffer, name: string) {
  const body = typeof file === 'string' ? createReadStream(file) : file;
  return http(h.port, 'POST', `/api/snapshots?token=${h.token}&name=${encodeURIComponent(name)}`, { body, headers: { 'content-type': 'application/octet-stream' } });
}

/** Files in the store directory other than the index. */
async function storeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f !== 'index.json').sort();
}

describe('import', () => {
  it('stores a good .gz upload, loads it, and tells every dashboard', async () => {
    const h = await host();
    const c = await h.connect();
    const r = await upload(h, baselineGz, 'listener-leak-baseline.heapsnapshot.gz');
    expect(r.status).toBe(201);
    const meta = JSON.parse(r.body.toString()) as SnapshotMeta;
    expect(meta).toMatchObject({ name: 'listener-leak-baseline.heapsnapshot.gz', source: 'import', loaded: true, bytes: (await stat(baselineGz)).size });
    expect(meta.snapshotId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(meta.nodes).toBeGreaterThan(10_000);
    const changed = await c.waitFor('snapshots.changed', (d) => d.snapshots.some((s) => s.snapshotId === meta.snapshotId));
    expect(changed.snapshots).toHaveLength(1);
    expect(c.events.some((e) => e.event === 'snapshot.progress')).toBe(true);
    const files = await storeFiles(h.dir);
    expect(files).toEqual([`${meta.snapshotId}.heapsnapshot.gz`]);
    expect((await stat(path.join(h.dir, files[0]!))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(h.dir, 'index.json'))).mode & 0o777).toBe(0o600);

    // The engine channels take the store id.
    const summary = await c.call('summary.range', { snapshotId: meta.snapshotId, start: 0, end: 5 });
    expect(summary.rows).toHaveLength(5);
    expect(summary.total).toBeGreaterThan(5);
  });

  it('stores a plain (not gzipped) upload', async () => {
    const h = await host();
    const plain = path.join(await storeDir(), 'plain.heapsnapshot');
    await writeFile(plain, gunzipSync(await readFile(baselineGz)));
    const r = await upload(h, plain, 'plain.heapsnapshot');
    expect(r.status).toBe(201);
    const meta = JSON.parse(r.body.toString()) as SnapshotMeta;
    expect(await storeFiles(h.dir)).toEqual([`${meta.snapshotId}.heapsnapshot`]);
  });

  it.each([
    ['truncated gzip', async () => (await readFile(baselineGz)).subarray(0, 200_000)],
    ['truncated JSON', async () => gunzipSync(await readFile(baselineGz)).subarray(0, 1_000_000)],
    ['not a snapshot', async () => Buffer.from('{"hello": "world"}\n')],
    ['empty', async () => Buffer.alloc(0)],
  ])('refuses a %s upload with the format error, named after the upload, and leaves nothing behind', async (_what, make) => {
    const h = await host();
    const c = await h.connect();
    const r = await upload(h, await make(), 'broken <b>name</b>.heapsnapshot');
    expect(r.status).toBe(400);
    const { error } = JSON.parse(r.body.toString()) as { error: ErrorDto };
    expect(error.name).toBe('SnapshotFormatError');
    expect(error.file).toBe('broken <b>name</b>.heapsnapshot');
    expect(error.message).toContain('broken <b>name</b>.heapsnapshot');
    expect(error.message).not.toContain(h.dir);
    expect(typeof error.offset).toBe('number');
    expect(error.section).toBeTruthy();
    expect(error.message).toContain(`byte offset ${error.offset}`);
    expect(await storeFiles(h.dir)).toEqual([]);
    expect((await c.call('session.state', {})).snapshots).toEqual([]);
  });

  it('cleans up after an upload the client aborts', async () => {
    const h = await host();
    const { request } = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: h.port, method: 'POST', path: `/api/snapshots?token=${h.token}&name=x`, headers: { host: `127.0.0.1:${h.port}`, 'content-length': '10000000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000, 0x20));
      setTimeout(() => { req.destroy(); resolve(); }, 200);
    });
    // Give the server its moment to notice.
    for (let i = 0; i < 50 && (await storeFiles(h.dir)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await storeFiles(h.dir)).toEqual([]);
    const c = await h.connect();
    expect((await c.call('session.state', {})).snapshots).toEqual([]);
  });
});

describe('export, rename, delete', () => {
  it('exports the identical bytes as an attachment', async () => {
    const h = await host();
    const meta = JSON.parse((await upload(h, targetGz, 'target "quoted" ünï.heapsnapshot.gz')).body.toString()) as SnapshotMeta;
    const r = await http(h.port, 'GET', `/api/snapshots/${meta.snapshotId}/file?token=${h.token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="target _quoted_ _n_\.heapsnapshot\.gz"; filename\*=UTF-8''target%20_quoted_%20%C3%BCn%C3%AF\.heapsnapshot\.gz$/);
    expect(r.body.equals(await readFile(targetGz))).toBe(true);
    expect((await http(h.port, 'GET', `/api/snapshots/AAAAAAAAAAAAAAAAAAAAAA/file?token=${h.token}`)).status).toBe(404);
    expect((await http(h.port, 'GET', `/api/snapshots/..%2f..%2fetc%2fpasswd/file?token=${h.token}`)).status).toBe(400);
  });

  it('renames (1..200 characters) and deletes file, index entry and engine copy', async () => {
    const h = await host();
    const c = await h.connect();
    const meta = JSON.parse((await upload(h, baselineGz, 'a')).body.toString()) as SnapshotMeta;
    const renamed = await c.call('snapshot.rename', { snapshotId: meta.snapshotId, name: 'before the dialog' });
    expect(renamed).toMatchObject({ snapshotId: meta.snapshotId, name: 'before the dialog', loaded: true });
    expect((await c.raw('snapshot.rename', { snapshotId: meta.snapshotId, name: '' }))).toMatchObject({ ok: false, error: { field: 'name' } });
    expect((await c.raw('snapshot.rename', { snapshotId: meta.snapshotId, name: 'a\nb' }))).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(await c.call('snapshot.rename', { snapshotId: meta.snapshotId, name: 'y'.repeat(200) })).toMatchObject({ name: 'y'.repeat(200) });
    expect(JSON.parse(await readFile(path.join(h.dir, 'index.json'), 'utf8')).snapshots[0].name).toBe('y'.repeat(200));

    expect(await c.call('snapshot.delete', { snapshotId: meta.snapshotId })).toEqual({ deleted: true });
    expect(await storeFiles(h.dir)).toEqual([]);
    expect((await c.call('session.state', {})).snapshots).toEqual([]);
    expect(await c.raw('summary.range', { snapshotId: meta.snapshotId, start: 0, end: 1 })).toMatchObject({ ok: false, error: { name: 'UnknownSnapshotError', field: 'snapshotId' } });
    expect(await c.raw('snapshot.delete', { snapshotId: meta.snapshotId })).toMatchObject({ ok: false, error: { field: 'snapshotId' } });
  });
});

describe('the store', () => {
  it('survives a restart: index, names and counts; loads again on first use', async () => {
    const dir = await storeDir();
    let first = await host(dir);
    const a = JSON.parse((await upload(first, baselineGz, 'baseline')).body.toString()) as SnapshotMeta;
    const b = JSON.parse((await upload(first, targetGz, 'target')).body.toString()) as SnapshotMeta;
    await (await first.connect()).call('snapshot.rename', { snapshotId: b.snapshotId, name: 'after opening' });
    await first.close();
    hosts.splice(hosts.indexOf(first), 1);

    first = await host(dir);
    const c = await first.connect();
    const state = await c.call('session.state', {});
    expect(state.snapshots.map((s) => [s.snapshotId, s.name, s.loaded, s.nodes])).toEqual([
      [a.snapshotId, 'baseline', false, a.nodes],
      [b.snapshotId, 'after opening', false, b.nodes],
    ]);
    for (const f of await storeFiles(dir)) expect((await stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
    const opened = await c.call('snapshot.open', { snapshotId: a.snapshotId });
    expect(opened).toMatchObject({ loaded: true, nodes: a.nodes });
    const progress = await c.waitFor('snapshot.progress', (p) => p.snapshotId === a.snapshotId);
    expect(progress.phase).toBeTruthy();
    // Loaded on first use, by the engine channel itself.
    const diff = await c.call('diff.classes', { beforeId: a.snapshotId, afterId: b.snapshotId, start: 0, end: 50 });
    expect(diff.matched).toBeGreaterThan(1000);
    expect(diff.rows.find((r) => r.name === 'Widget')).toMatchObject({ added: 20, countDelta: 20 });
  });

  it('refuses a corrupt index with a clear error instead of overwriting it', async () => {
    const dir = await storeDir();
    await writeFile(path.join(dir, 'index.json'), '{"version":1,"snapshots":[{"snapshotId":"x","file":"../../etc/passwd"}]}');
    await expect(SnapshotStore.open(dir)).rejects.toMatchObject({ name: 'StoreIndexError', exitCode: 5 });
    expect(await readFile(path.join(dir, 'index.json'), 'utf8')).toContain('../../etc/passwd');
  });

  it('registers files by reference: never copied, never deleted', async () => {
    const h = await host();
    const meta = await h.session.addFile(baselineGz);
    expect(meta).toMatchObject({ source: 'file', name: 'listener-leak-baseline.heapsnapshot.gz', loaded: true });
    expect(await storeFiles(h.dir)).toEqual([]);
    const c = await h.connect();
    expect(await c.call('snapshot.delete', { snapshotId: meta.snapshotId })).toEqual({ deleted: true });
    expect((await stat(baselineGz)).isFile()).toBe(true);
  });
});
