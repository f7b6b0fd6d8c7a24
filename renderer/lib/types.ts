/**
 * The transport-neutral interface of lib/api.ts, in a file with no DOM code so the WebSocket client
 * (and its tests under Node) can implement it.
 */
import type { ImportResult, MenuCommand } from '../../src/shared/bridge.js';
import type { SnapshotId, SnapshotMeta, UiChannel, UiEventName, UiEvents, UiRequest, UiResponse } from '../../src/shared/contract.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface HeapscopeApi {
  /** One call of the UiApi contract; rejects with ApiError. */
  call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<UiResponse<C>>;
  /** Subscribes to a host event; returns the unsubscribe function. */
  on<E extends UiEventName>(event: E, fn: (data: UiEvents[E]) => void): () => void;
  /** Uploads a .heapsnapshot(.gz) file into the store; `onProgress(sentBytes, totalBytes)`. */
  importSnapshot(file: File, onProgress?: (sent: number, total: number) => void): Promise<SnapshotMeta>;
  /** A URL that downloads the stored file (token included; same origin). */
  exportUrl(snapshotId: SnapshotId): string;
  /** Connection state changes (the banner shows `closed`). */
  onConnection(fn: (state: ConnectionState) => void): () => void;
  /** Desktop app only: import through the native open dialog (the sidebar's Import and File › Import). */
  importWithDialog?(): Promise<ImportResult>;
  /** Desktop app only: save a copy of a stored snapshot through the native save dialog; false when cancelled. */
  exportWithDialog?(snapshotId: SnapshotId): Promise<boolean>;
  /** Desktop app only: commands of the native menu. */
  onMenu?(fn: (command: MenuCommand) => void): () => void;
}
