/**
 * What the preload script puts in the page: exactly the HeapscopeBridge (src/shared/bridge.ts),
 * built over ipcRenderer. The page never gets ipcRenderer, an IpcRendererEvent (its `sender` is
 * ipcRenderer) or any channel name of its choosing: each function invokes one fixed channel.
 * Imports only types and constants, no Node modules, so the bundle runs in a sandboxed preload.
 */
import { BRIDGE_GLOBAL, BRIDGE_KEYS, IPC, type BridgeEventMessage, type HeapscopeBridge } from '../../shared/bridge.js';

/** The parts of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The part of contextBridge used. */
export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

export function createBridge(ipc: IpcRendererLike): HeapscopeBridge {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  // One IPC listener for every event, fanned out here: subscribers come and go without touching IPC.
  ipc.on(IPC.event, (_event, message) => {
    const m = message as Partial<BridgeEventMessage> | null;
    if (typeof m !== 'object' || m === null || m.type !== 'event' || typeof m.event !== 'string') return;
    const set = listeners.get(m.event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(m.data);
      } catch (err) {
        // One faulty subscriber must not starve the others of the event.
        console.error(err);
      }
    }
  });

  const bridge: HeapscopeBridge = {
    call: (channel, request) => ipc.invoke(IPC.call, channel, request) as ReturnType<HeapscopeBridge['call']>,
    on: (event, fn) => {
      if (typeof event !== 'string' || typeof fn !== 'function') throw new TypeError('on(event: string, fn: function)');
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const listener = fn as (data: unknown) => void;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    importSnapshots: () => ipc.invoke(IPC.importSnapshots) as ReturnType<HeapscopeBridge['importSnapshots']>,
    exportSnapshot: (snapshotId) => ipc.invoke(IPC.exportSnapshot, snapshotId) as ReturnType<HeapscopeBridge['exportSnapshot']>,
  };
  return bridge;
}

/** Exposes the bridge as `window.heapscope`, with only the keys of HeapscopeBridge. */
export function exposeBridge(contextBridge: ContextBridgeLike, ipc: IpcRendererLike): void {
  const bridge = createBridge(ipc);
  const exposed = Object.fromEntries(BRIDGE_KEYS.map((key) => [key, bridge[key]]));
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, Object.freeze(exposed));
}
