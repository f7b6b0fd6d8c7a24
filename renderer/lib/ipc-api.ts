/**
 * The desktop app's transport: HeapscopeApi over the preload's bridge (`window.heapscope`,
 * src/shared/bridge.ts). No socket and no token: the page talks only to its own main process,
 * which checks the sender and the request. DOM-free, so tests can drive it under Node.
 */
import type { BridgeResult, HeapscopeBridge, ImportResult, MenuCommand } from '../../src/shared/bridge.js';
import type { SnapshotId, SnapshotMeta, UiChannel, UiEventName, UiEvents, UiRequest, UiResponse } from '../../src/shared/contract.js';
import { ApiError, connectionError, toErrorDto } from './errors.js';
import type { ConnectionState, HeapscopeApi } from './types.js';

function unwrap<T>(what: string, result: BridgeResult<T>): T {
  if (result && typeof result === 'object' && result.ok === true) return result.response;
  throw new ApiError(toErrorDto(result, `${what}: the app reported an error without a message`));
}

async function settle<T>(what: string, pending: Promise<BridgeResult<T>>): Promise<T> {
  let result: BridgeResult<T>;
  try {
    result = await pending;
  } catch (err) {
    // The bridge itself failed (main process gone, IPC refused): not an answer of the host.
    throw connectionError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return unwrap(what, result);
}

export class IpcApi implements HeapscopeApi {
  constructor(private readonly bridge: HeapscopeBridge) {}

  call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<UiResponse<C>> {
    return settle(channel, this.bridge.call(channel, request));
  }

  on<E extends UiEventName>(event: E, fn: (data: UiEvents[E]) => void): () => void {
    return this.bridge.on(event, fn);
  }

  /** Files reach the app through its native dialog, which hands main the path the user chose; a page cannot. */
  importSnapshot(file: File): Promise<SnapshotMeta> {
    return Promise.reject(new ApiError({
      name: 'UnsupportedError',
      message: `${file.name}: the desktop app imports through File › Import snapshot… (Ctrl+O) or the sidebar's Import button`,
    }));
  }

  /** No download URL in the desktop app: export goes through exportWithDialog. */
  exportUrl(_snapshotId: SnapshotId): string {
    return '';
  }

  /** IPC to our own main process has no connection to lose: open from the start. */
  onConnection(fn: (state: ConnectionState) => void): () => void {
    fn('open');
    return () => {};
  }

  importWithDialog(): Promise<ImportResult> {
    return settle('import', this.bridge.importSnapshots());
  }

  async exportWithDialog(snapshotId: SnapshotId): Promise<boolean> {
    return (await settle('export', this.bridge.exportSnapshot(snapshotId))).saved;
  }

  onMenu(fn: (command: MenuCommand) => void): () => void {
    return this.bridge.on('menu.command', fn);
  }
}
