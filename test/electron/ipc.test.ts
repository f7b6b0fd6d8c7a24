/**
 * The desktop app's IPC handlers (src/host/electron/ipc.ts) on the real HostSession and engine,
 * with the committed listener-leak snapshots registered: one refusal per rule (sender window,
 * frame, origin, file://, channel, fields, every snapshot id field, size, argument count), and
 * the calls a dashboard makes answered as the web host answers them.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSender, MAX_REQUEST_BYTES, SenderError, type IpcSender } from '../../src/host/electron/ipc.js';
import { SNAPSHOT_ID_FIELDS } from '../../src/host/session/id-fields.js';
import type { BridgeResult } from '../../src/shared/bridge.js';
import type { EngineUiChannel, UiRequest } from '../../src/shared/contract.js';
import type { ErrorDto } from '../../src/shared/dto.js';
import { fixtureSnapshot, OUR_SENDER, startAppSide, WINDOW_ID, type AppSide } from './harness.js';

let side: AppSide;

beforeAll(async () => {
  side = await startAppSide();
});

afterAll(async () => {
  await side?.close();
});

function refused<T>(result: BridgeResult<T>): ErrorDto {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.response).slice(0, 200)}`);
  return result.error;
}

function answered<T>(result: BridgeResult<T>): T {
  if (!result.ok) throw new Error(`expected an answer, got ${result.error.name}: ${result.error.message}`);
  return result.response;
}

/** A valid request for every engine channel, on the listener-leak snapshots. */
function engineRequests(classKey = ',Object', id = 1): { [C in EngineUiChannel]: UiRequest<C> } {
  const { baseline, target, final } = side.snapshots;
  return {
    'summary.range': { snapshotId: target.snapshotId, start: 0, end: 5 },
    'class.instances': { snapshotId: target.snapshotId, classKey, start: 0, end: 5 },
    'node.retainers': { snapshotId: target.snapshotId, id, depth: 1, limit: 5 },
    'node.path': { snapshotId: target.snapshotId, id },
    'graph.subgraph': { snapshotId: target.snapshotId, id, depth: 1, maxNodes: 10, baseId: baseline.snapshotId },
    'dominators.tree': { snapshotId: target.snapshotId, start: 0, end: 5 },
    'diff.instances': { beforeId: baseline.snapshotId, afterId: target.snapshotId, classKey, kind: 'added', start: 0, end: 5 },
    'leaks.report': { baselineId: baseline.snapshotId, targetId: target.snapshotId, finalId: final.snapshotId, start: 0, end: 5 },
    'diff.classes': { beforeId: baseline.snapshotId, afterId: target.snapshotId, start: 0, end: 5 },
    'weak.report': { snapshotId: target.snapshotId, afterId: final.snapshotId, start: 0, end: 5 },
  };
}

describe('the sender check', () => {
  const call = (sender: IpcSender) => side.handlers.call(sender, 'session.state', {});

  it('answers our window top frame at heapscope://app', async () => {
    const state = answered(await call(OUR_SENDER)) as { snapshots: unknown[] };
    expect(state.snapshots).toHaveLength(3);
  });

  it('refuses another window (a web contents that is not ours)', async () => {
    const e = refused(await call({ ...OUR_SENDER, webContentsId: WINDOW_ID + 1 }));
    expect(e).toMatchObject({ name: 'SenderError', field: 'sender' });
    expect(e.message).toMatch(/not the heapscope dashboard/);
  });

  it('refuses everyone while there is no window', async () => {
    expect(() => checkSender(OUR_SENDER, undefined)).toThrow(SenderError);
  });

  it('refuses a frame whose URL is unknown (the frame is gone)', async () => {
    expect(refused(await call({ ...OUR_SENDER, frameUrl: undefined }))).toMatchObject({ name: 'SenderError' });
    expect(refused(await call({ ...OUR_SENDER, frameUrl: '' }))).toMatchObject({ name: 'SenderError' });
    expect(refused(await call({ ...OUR_SENDER, frameUrl: 'not a url' }))).toMatchObject({ name: 'SenderError' });
  });

  it('refuses our window after it navigated to another origin', async () => {
    for (const frameUrl of [
      'https://evil.example/', 'http://127.0.0.1:5173/index.html', 'heapscope://evil/index.html', 'heapscope://app.evil/index.html',
      'heapscope://app@evil/index.html', 'heapscope://app:8080/index.html', 'heapscope-app://app/index.html', 'about:blank', 'data:text/html,x',
    ]) {
      const e = refused(await call({ ...OUR_SENDER, frameUrl }));
      expect(e, frameUrl).toMatchObject({ name: 'SenderError', field: 'sender' });
      expect(e.message).toContain('outside heapscope://app/');
    }
  });

  it('refuses a file:// page, even the built renderer itself', async () => {
    const frameUrl = `file://${path.resolve('dist/electron/renderer/index.html')}`;
    expect(refused(await call({ ...OUR_SENDER, frameUrl }))).toMatchObject({ name: 'SenderError' });
  });

  it('refuses a subframe of our page', async () => {
    expect(refused(await call({ ...OUR_SENDER, topFrame: false }))).toMatchObject({ name: 'SenderError', message: 'IPC from a subframe' });
  });

  it('checks the sender before opening a dialog or touching the store', async () => {
    const foreign = { ...OUR_SENDER, frameUrl: 'https://evil.example/' };
    const opened = side.dialogs.opened;
    side.dialogs.openAnswers.push([fixtureSnapshot('baseline')]);
    expect(refused(await side.handlers.importSnapshots(foreign))).toMatchObject({ name: 'SenderError' });
    expect(side.dialogs.opened).toBe(opened);
    side.dialogs.openAnswers.length = 0;
    const asked = side.dialogs.saved.length;
    expect(refused(await side.handlers.exportSnapshot(foreign, side.snapshots.target.snapshotId))).toMatchObject({ name: 'SenderError' });
    expect(side.dialogs.saved).toHaveLength(asked);
    expect(refused(await side.handlers.call(foreign, 'snapshot.delete', { snapshotId: side.snapshots.final.snapshotId }))).toMatchObject({ name: 'SenderError' });
    expect(side.store.get(side.snapshots.final.snapshotId)).toBeDefined();
  });
});

describe('the input check', () => {
  it('refuses unknown channels and the host-only ones', async () => {
    for (const channel of ['nope', 'snapshot.load', 'snapshot.close', '__proto__', 'constructor', '', 42, null, { channel: 'session.state' }]) {
      const e = refused(await side.handlers.call(OUR_SENDER, channel, { path: '/etc/passwd' }));
      expect(e, String(channel)).toMatchObject({ name: 'RequestError', field: 'channel' });
    }
  });

  it('refuses bad request fields, naming the field', async () => {
    const id = side.snapshots.target.snapshotId;
    const cases: [string, unknown, string][] = [
      ['summary.range', { snapshotId: id, start: -1, end: 5 }, 'start'],
      ['summary.range', { snapshotId: id, start: 5, end: 1 }, 'end'],
      ['summary.range', { snapshotId: id, start: 0, end: '5' }, 'end'],
      ['summary.range', { snapshotId: id, start: 0, end: 5, extra: true }, 'extra'],
      ['summary.range', { start: 0, end: 5 }, 'snapshotId'],
      ['node.retainers', { snapshotId: id, id: 1, depth: 99, limit: 5 }, 'depth'],
      ['leaks.report', { baselineId: id, targetId: id, finalId: id, start: 0, end: 5, budgets: { ignoreClass: ['('] } }, 'budgets.ignoreClass.0'],
      ['snapshot.rename', { snapshotId: id, name: 'two\nlines' }, 'name'],
      ['target.attach', { address: 'pid:1' }, 'address'],
      ['session.state', { sneaky: 1 }, 'sneaky'],
    ];
    for (const [channel, request, field] of cases) {
      const e = refused(await side.handlers.call(OUR_SENDER, channel, request));
      expect(e, `${channel} ${JSON.stringify(request)}`).toMatchObject({ name: 'RequestError', field });
    }
    for (const request of [null, 'summary', [], 42]) {
      expect(refused(await side.handlers.call(OUR_SENDER, 'summary.range', request)).name).toBe('RequestError');
    }
  });

  const TRAVERSALS = [
    '../../etc/passwd',
    '/etc/passwd',
    // 22 characters, the length of a real id.
    '../../../../etc/passwd',
    '..%2F..%2F..%2Fetc%2Fpasswd',
    'C:\\Windows\\win.ini',
    `${'A'.repeat(21)}/`,
    `${'A'.repeat(21)}.`,
    `${'A'.repeat(21)}\0`,
    'A'.repeat(23),
  ];

  it('refuses a path in every snapshot id field of every engine channel, before the engine is asked', async () => {
    const eventsBefore = side.events.length;
    const requests = engineRequests() as Record<EngineUiChannel, Record<string, unknown>>;
    let checked = 0;
    for (const channel of Object.keys(SNAPSHOT_ID_FIELDS) as EngineUiChannel[]) {
      for (const field of SNAPSHOT_ID_FIELDS[channel]) {
        for (const bad of TRAVERSALS) {
          const e = refused(await side.handlers.call(OUR_SENDER, channel, { ...requests[channel], [field]: bad }));
          expect(e, `${channel}.${field} = ${JSON.stringify(bad)}`).toMatchObject({ name: 'RequestError', field });
          checked++;
        }
      }
    }
    expect(checked).toBe(16 * TRAVERSALS.length);
    // Nothing was loaded or changed by any of that.
    expect(side.events.slice(eventsBefore)).toEqual([]);
  });

  it('refuses a path in every id field of the session channels and in export', async () => {
    for (const bad of TRAVERSALS) {
      const cases: [string, Record<string, unknown>, string][] = [
        ['snapshot.open', { snapshotId: bad }, 'snapshotId'],
        ['snapshot.rename', { snapshotId: bad, name: 'x' }, 'snapshotId'],
        ['snapshot.delete', { snapshotId: bad }, 'snapshotId'],
        ['target.detach', { targetId: bad }, 'targetId'],
        ['capture.start', { targetId: bad }, 'targetId'],
        ['capture.cancel', { captureId: bad }, 'captureId'],
      ];
      for (const [channel, request, field] of cases) {
        expect(refused(await side.handlers.call(OUR_SENDER, channel, request)), `${channel} ${bad}`).toMatchObject({ name: 'RequestError', field });
      }
      const asked = side.dialogs.saved.length;
      expect(refused(await side.handlers.exportSnapshot(OUR_SENDER, bad))).toMatchObject({ name: 'RequestError', field: 'snapshotId' });
      expect(side.dialogs.saved, 'no save dialog for a bad id').toHaveLength(asked);
    }
    expect(refused(await side.handlers.exportSnapshot(OUR_SENDER, { snapshotId: side.snapshots.target.snapshotId }))).toMatchObject({ field: 'snapshotId' });
  });

  it('refuses oversize input (the web host frame limit) and what cannot be JSON', async () => {
    const big = 'x'.repeat(MAX_REQUEST_BYTES);
    const e = refused(await side.handlers.call(OUR_SENDER, 'summary.range', { snapshotId: side.snapshots.target.snapshotId, start: 0, end: 5, filter: big }));
    expect(e).toMatchObject({ name: 'RequestError', field: 'request' });
    expect(e.message).toContain(`larger than ${MAX_REQUEST_BYTES} bytes`);
    // Just under the limit, the schema decides (filter is at most 1000 characters).
    const under = refused(await side.handlers.call(OUR_SENDER, 'summary.range', { snapshotId: side.snapshots.target.snapshotId, start: 0, end: 5, filter: 'x'.repeat(2000) }));
    expect(under).toMatchObject({ name: 'RequestError', field: 'filter' });
    expect(refused(await side.handlers.call(OUR_SENDER, 'summary.range', { snapshotId: side.snapshots.target.snapshotId, start: 0, end: 10n }))).toMatchObject({ field: 'request' });
  });

  it('refuses a wrong number of arguments', async () => {
    expect(refused(await side.handlers.call(OUR_SENDER, 'session.state'))).toMatchObject({ name: 'RequestError', field: 'arguments' });
    expect(refused(await side.handlers.call(OUR_SENDER, 'session.state', {}, 'extra'))).toMatchObject({ field: 'arguments' });
    expect(refused(await side.handlers.importSnapshots(OUR_SENDER, '/etc/passwd'))).toMatchObject({ field: 'arguments' });
    expect(refused(await side.handlers.exportSnapshot(OUR_SENDER))).toMatchObject({ field: 'arguments' });
    expect(refused(await side.handlers.exportSnapshot(OUR_SENDER, side.snapshots.target.snapshotId, '/tmp/x'))).toMatchObject({ field: 'arguments' });
  });
});

describe('answers', () => {
  it('answers every engine channel on store ids, as the engine computes them', async () => {
    const objects = answered(await side.handlers.call(OUR_SENDER, 'class.instances', { snapshotId: side.snapshots.target.snapshotId, classKey: ',Object', start: 0, end: 1 })) as { rows: { id: number }[] };
    const requests = engineRequests(',Object', objects.rows[0].id);
    for (const channel of Object.keys(requests) as EngineUiChannel[]) {
      answered(await side.handlers.call(OUR_SENDER, channel, requests[channel]));
    }
    const summary = answered(await side.handlers.call(OUR_SENDER, 'summary.range', requests['summary.range'])) as { rows: { name: string; count: number }[]; total: number };
    expect(summary.total).toBeGreaterThan(10);
    expect(summary.rows).toHaveLength(5);
    const leaks = answered(await side.handlers.call(OUR_SENDER, 'leaks.report', requests['leaks.report'])) as { total: number; verdict: unknown };
    expect(leaks.total).toBeGreaterThan(0);
  });

  it('names snapshots by their store names in engine errors, not by file', async () => {
    const { target } = side.snapshots;
    const other = await side.session.addFile(path.resolve('fixtures/snapshots/finalization-tempdir.heapsnapshot.gz'));
    try {
      const e = refused(await side.handlers.call(OUR_SENDER, 'diff.classes', { beforeId: other.snapshotId, afterId: target.snapshotId, start: 0, end: 5 }));
      expect(e.name).toBe('SnapshotMismatchError');
      expect(e.message).toContain('"finalization-tempdir.heapsnapshot.gz" and "listener-leak-target.heapsnapshot.gz" are not snapshots of one process');
      expect(e.message).not.toContain(path.resolve('fixtures'));
    } finally {
      answered(await side.handlers.call(OUR_SENDER, 'snapshot.delete', { snapshotId: other.snapshotId }));
    }
  });

  it('imports the files chosen in the open dialog, refusing a bad file and a non-snapshot by name', async () => {
    const bad = path.join(side.dir, 'broken.heapsnapshot');
    await writeFile(bad, '{"snapshot":{"meta":');
    const text = path.join(side.dir, 'notes.txt');
    await writeFile(text, 'hello');
    side.dialogs.openAnswers.push([fixtureSnapshot('baseline'), bad, text]);
    const r = answered(await side.handlers.importSnapshots(OUR_SENDER));
    expect(r.imported).toHaveLength(1);
    expect(r.imported[0]).toMatchObject({ name: 'listener-leak-baseline.heapsnapshot.gz', source: 'import', loaded: true });
    expect(r.failed.map((f) => f.name)).toEqual(['broken.heapsnapshot', 'notes.txt']);
    expect(r.failed[0].error.name).toBe('SnapshotFormatError');
    expect(r.failed[0].error.message).toContain('broken.heapsnapshot');
    expect(r.failed[1].error.message).toMatch(/not a heap snapshot/);
    // In the store, 0600, and announced.
    const stored = side.store.get(r.imported[0].snapshotId)!;
    expect(path.dirname(stored.file)).toBe(side.store.dir);
    expect((await stat(stored.file)).mode & 0o777).toBe(0o600);
    expect(side.events.some((e) => e.event === 'snapshots.changed')).toBe(true);
    // Cancelled: nothing.
    expect(answered(await side.handlers.importSnapshots(OUR_SENDER))).toEqual({ imported: [], failed: [] });
  });

  it('exports a stored snapshot byte for byte to the path chosen in the save dialog, 0600', async () => {
    const { target } = side.snapshots;
    const dest = path.join(side.dir, 'exported.heapsnapshot.gz');
    side.dialogs.saveAnswers.push(dest);
    expect(answered(await side.handlers.exportSnapshot(OUR_SENDER, target.snapshotId))).toEqual({ saved: true });
    expect(side.dialogs.saved.at(-1)).toBe('listener-leak-target.heapsnapshot.gz');
    const [copy, original] = [await readFile(dest), await readFile(fixtureSnapshot('target'))];
    expect(copy.length).toBe(original.length);
    // Buffer.equals: vitest's deep equality walks a 900 KB buffer byte by byte for seconds.
    expect(copy.equals(original)).toBe(true);
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
    // Cancelled dialog: nothing written.
    expect(answered(await side.handlers.exportSnapshot(OUR_SENDER, target.snapshotId))).toEqual({ saved: false });
    // An id that is well formed but unknown.
    expect(refused(await side.handlers.exportSnapshot(OUR_SENDER, 'A'.repeat(22))).name).toBe('UnknownSnapshotError');
  });

  it('renames and deletes through call, as the sidebar does', async () => {
    side.dialogs.openAnswers.push([fixtureSnapshot('final')]);
    const [meta] = answered(await side.handlers.importSnapshots(OUR_SENDER)).imported;
    const renamed = answered(await side.handlers.call(OUR_SENDER, 'snapshot.rename', { snapshotId: meta.snapshotId, name: 'after the leak' })) as { name: string };
    expect(renamed.name).toBe('after the leak');
    const file = side.store.get(meta.snapshotId)!.file;
    expect(answered(await side.handlers.call(OUR_SENDER, 'snapshot.delete', { snapshotId: meta.snapshotId }))).toEqual({ deleted: true });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
