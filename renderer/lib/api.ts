/**
 * The one place in the renderer that knows the transport (DESIGN.md): the Electron preload bridge
 * when the desktop app's preload has put one on `window.heapscope`, else the web host's
 * WebSocket. Views call `api.call(channel, request)` with the types of src/shared/contract.ts
 * (UiApi) and subscribe to UiEvents with `api.on`.
 *
 * Interface fixed here (types.ts holds it so the DOM-free clients can implement it); the
 * implementation may grow but keeps these names and signatures, which every view codes against.
 */
import type { HeapscopeBridge } from '../../src/shared/bridge.js';
import { IpcApi } from './ipc-api.js';
import { uploadSnapshot } from './upload.js';
import type { HeapscopeApi } from './types.js';
import { WsApi, type SocketLike } from './ws-api.js';

export { ApiError } from './errors.js';
export type { ConnectionState, HeapscopeApi } from './types.js';

declare global {
  interface Window {
    /** Defined by the desktop app's preload (src/host/electron/preload-bridge.ts); absent on the web. */
    readonly heapscope?: HeapscopeBridge;
  }
}

function webSocketApi(): HeapscopeApi {
  /** The host puts a random token in the dashboard's URL; every request carries it back. */
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WsApi({
    url: `${scheme}://${location.host}/api/ws?token=${encodeURIComponent(token)}`,
    // The DOM's handler types name WebSocket's own event classes; SocketLike only needs `data`.
    connect: (url) => new WebSocket(url) as unknown as SocketLike,
    importSnapshot: (file, onProgress) => uploadSnapshot(token, file, onProgress),
    exportUrl: (snapshotId) =>
      `/api/snapshots/${encodeURIComponent(snapshotId)}/file?token=${encodeURIComponent(token)}`,
  });
}

export const api: HeapscopeApi = window.heapscope ? new IpcApi(window.heapscope) : webSocketApi();
