/**
 * The preload's exposure (src/host/electron/preload-bridge.ts): exactly the HeapscopeBridge keys on
 * `window.heapscope`, nothing of ipcRenderer. Then the whole desktop path without Electron: the
 * renderer's IpcApi (renderer/lib/ipc-api.ts) over the exposed bridge, through registerIpc's
 * handlers, to the real HostSession and engine. At the Electron boundary only: a recording
 * contextBridge, and an in-process IPC pipe that structured-clones every message as Electron does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIpc, type IpcMainLike, type InvokeEventLike } from '../../src/host/electron/ipc.js';
import { exposeBridge, type ContextBridgeLike, type IpcRendererLike } from '../../src/host/electron/preload-bridge.js';
import { APP_URL } from '../../src/host/electron/protocol.js';
import { BRIDGE_GLOBAL, BRIDGE_KEYS, IPC, type BridgeEventMessage, type HeapscopeBridge } from '../../src/shared/bridge.js';
import type { SnapshotMeta } from '../../src/shared/dto.js';
import { ApiError } from '../../renderer/lib/errors.js';
import { IpcApi } from '../../renderer/lib/ipc-api.js';
import { fixtureSnapshot, startAppSide, WINDOW_ID, type AppSide } from './harness.js';

/** contextBridge as the preload sees it: records what is exposed. */
class RecordingContextBridge implements ContextBridgeLike {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed.set(key, api);
  }
}

/** Electron's IPC between one page and main, in process: values cross as structured clones. */
class IpcPipe implements IpcMainLike, IpcRendererLike {
  private readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  private readonly listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();

  constructor(private readonly frame: { webContentsId: number; url: string }) {}

  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event: InvokeEventLike = { sender: { id: this.frame.webContentsId }, senderFrame: { url: this.frame.url, parent: null } };
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  /** webContents.send: the listener's first argument is an IpcRendererEvent, whose `sender` is ipcRenderer itself. */
  send(channel: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: this, senderId: 0 }, ...structuredClone(args));
  }
}

let side: AppSide;
let pipe: IpcPipe;
let bridge: HeapscopeBridge;
let contextBridge: RecordingContextBridge;

function open(frame: { webContentsId: number; url: string }) {
  const p = new IpcPipe(frame);
  registerIpc(p, side.handlers);
  // main.ts forwards every session event to the window the same way.
  side.session.onEvent((m) => p.send(IPC.event, m));
  const cb = new RecordingContextBridge();
  exposeBridge(cb, p);
  return { pipe: p, contextBridge: cb, bridge: cb.exposed.get(BRIDGE_GLOBAL) as HeapscopeBridge };
}

beforeAll(async () => {
  side = await startAppSide();
  ({ pipe, contextBridge, bridge } = open({ webContentsId: WINDOW_ID, url: APP_URL }));
});

afterAll(async () => {
  await side?.close();
});

describe('preload exposure', () => {
  it('exposes one global, window.heapscope, with exactly the documented keys, all functions, frozen', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['heapscope']);
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS].sort());
    expect(Object.keys(bridge).sort()).toEqual(['call', 'exportSnapshot', 'importSnapshots', 'on']);
    for (const key of BRIDGE_KEYS) expect(typeof bridge[key], key).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.getPrototypeOf(bridge)).toBe(Object.prototype);
  });

  it('hands no ipcRenderer to the page, neither as a value nor through an event', async () => {
    for (const value of Object.values(bridge)) expect(value).not.toBe(pipe);
    const seen: unknown[][] = [];
    const off = bridge.on('snapshots.changed', (...args: unknown[]) => seen.push(args));
    pipe.send(IPC.event, { type: 'event', event: 'snapshots.changed', data: { snapshots: [] } } satisfies BridgeEventMessage);
    off();
    expect(seen).toEqual([[{ snapshots: [] }]]);
    pipe.send(IPC.event, { type: 'event', event: 'snapshots.changed', data: { snapshots: [] } } satisfies BridgeEventMessage);
    expect(seen).toHaveLength(1);
  });

  it('drops malformed event messages and keeps serving the other subscribers when one throws', () => {
    const got: unknown[] = [];
    const offs = [
      bridge.on('menu.command', () => { throw new Error('a broken view'); }),
      bridge.on('menu.command', (c) => got.push(c)),
    ];
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (e: unknown) => errors.push(e);
    try {
      for (const junk of [null, 'menu.command', { event: 'menu.command' }, { type: 'result', event: 'menu.command', data: 1 }]) pipe.send(IPC.event, junk);
      pipe.send(IPC.event, { type: 'event', event: 'menu.command', data: { command: 'view', view: 'leaks' } } satisfies BridgeEventMessage);
    } finally {
      console.error = original;
      for (const off of offs) off();
    }
    expect(got).toEqual([{ command: 'view', view: 'leaks' }]);
    expect(errors).toHaveLength(1);
  });

  it('refuses a listener that is not a function', () => {
    expect(() => bridge.on('target.state', 'alert(1)' as never)).toThrow(TypeError);
  });
});

describe('renderer IpcApi over the bridge, to the real session', () => {
  it('answers calls and rejects with the host error, context fields kept', async () => {
    const api = new IpcApi(bridge);
    const state = await api.call('session.state', {});
    // Sorted here: the store orders by creation time, and a fresh checkout gives the three files one mtime.
    expect(state.snapshots.map((s) => s.name).sort()).toEqual([
      'listener-leak-baseline.heapsnapshot.gz', 'listener-leak-final.heapsnapshot.gz', 'listener-leak-target.heapsnapshot.gz',
    ]);
    const page = await api.call('summary.range', { snapshotId: side.snapshots.target.snapshotId, start: 0, end: 3 });
    expect(page.rows).toHaveLength(3);
    const err = await api.call('summary.range', { snapshotId: '../../etc/passwd', start: 0, end: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).dto).toMatchObject({ name: 'RequestError', field: 'snapshotId' });
  });

  it('delivers host events to api.on subscribers', async () => {
    const api = new IpcApi(bridge);
    const changed = new Promise<SnapshotMeta[]>((resolve) => {
      const off = api.on('snapshots.changed', ({ snapshots }) => {
        off();
        resolve(snapshots);
      });
    });
    await api.call('snapshot.rename', { snapshotId: side.snapshots.final.snapshotId, name: 'final, renamed' });
    expect((await changed).find((s) => s.snapshotId === side.snapshots.final.snapshotId)?.name).toBe('final, renamed');
  });

  it('imports and exports through the dialogs', async () => {
    const api = new IpcApi(bridge);
    side.dialogs.openAnswers.push([fixtureSnapshot('target')]);
    const { imported, failed } = await api.importWithDialog();
    expect(failed).toEqual([]);
    expect(imported.map((m) => m.name)).toEqual(['listener-leak-target.heapsnapshot.gz']);
    expect(await api.exportWithDialog(imported[0].snapshotId)).toBe(false);
    expect(side.dialogs.saved.at(-1)).toBe('listener-leak-target.heapsnapshot.gz');
    await expect(api.importSnapshot({ name: 'dropped.heapsnapshot' } as File)).rejects.toMatchObject({ name: 'UnsupportedError' });
    expect(api.exportUrl(imported[0].snapshotId)).toBe('');
  });

  it('reports the connection open at once and follows the menu', () => {
    const api = new IpcApi(bridge);
    const states: string[] = [];
    api.onConnection((s) => states.push(s))();
    expect(states).toEqual(['open']);
    const commands: unknown[] = [];
    const off = api.onMenu((c) => commands.push(c));
    pipe.send(IPC.event, { type: 'event', event: 'menu.command', data: { command: 'capture' } } satisfies BridgeEventMessage);
    off();
    expect(commands).toEqual([{ command: 'capture' }]);
  });

  it('is refused as a whole when the page is not ours (the bridge in a foreign frame)', async () => {
    const foreign = open({ webContentsId: WINDOW_ID, url: 'https://evil.example/' });
    const err = await new IpcApi(foreign.bridge).call('session.state', {}).catch((e: unknown) => e);
    expect((err as ApiError).dto).toMatchObject({ name: 'SenderError', field: 'sender' });
    const other = open({ webContentsId: WINDOW_ID + 1, url: APP_URL });
    const err2 = await new IpcApi(other.bridge).importWithDialog().catch((e: unknown) => e);
    expect((err2 as ApiError).dto).toMatchObject({ name: 'SenderError' });
  });

  it('turns a failed IPC (no handler, main gone) into a ConnectionError', async () => {
    const cb = new RecordingContextBridge();
    exposeBridge(cb, new IpcPipe({ webContentsId: WINDOW_ID, url: APP_URL }));
    const err = await new IpcApi(cb.exposed.get(BRIDGE_GLOBAL) as HeapscopeBridge).call('session.state', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).dto.name).toBe('ConnectionError');
    expect((err as ApiError).message).toContain('No handler registered');
  });
});
