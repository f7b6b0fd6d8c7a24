/**
 * The desktop app's bridge, typed once: what the preload script exposes on `window.heapscope`
 * (src/host/electron/preload-bridge.ts builds it), what the renderer's IPC transport consumes
 * (renderer/lib/ipc-api.ts), and the IPC channel names the main process answers on
 * (src/host/electron/ipc.ts). Nothing here is hand-synced between the three.
 *
 * The bridge is the UiApi contract (contract.ts) plus the two things a desktop app does with
 * native dialogs instead of HTTP: import and export of snapshot files. Answers are envelopes, not
 * rejections, because Electron's IPC turns a thrown error into a bare message and loses its name
 * and context fields (field, file, offset) that the dashboard shows.
 */
import type { ErrorDto, SnapshotId, SnapshotMeta, UiChannel, UiEvents, UiRequest, UiResponse } from './contract.js';
import type { ViewName } from './views.js';

/** IPC channel names: renderer → main (invoke) and main → renderer (send). */
export const IPC = {
  call: 'heapscope:call',
  importSnapshots: 'heapscope:import-snapshots',
  exportSnapshot: 'heapscope:export-snapshot',
  event: 'heapscope:event',
} as const;

/** The global the preload script defines in the page. */
export const BRIDGE_GLOBAL = 'heapscope';

export type BridgeResult<T> = { ok: true; response: T } | { ok: false; error: ErrorDto };

/** Files chosen in the native open dialog: each one imported or refused with its error. Both empty when the dialog was cancelled. */
export interface ImportResult {
  imported: SnapshotMeta[];
  failed: { name: string; error: ErrorDto }[];
}

/** `saved` is false when the save dialog was cancelled. */
export interface ExportResult {
  saved: boolean;
}

/** What the native menu asks of the dashboard (the dashboard knows the current snapshot and target). */
export type MenuCommand =
  | { command: 'view'; view: ViewName }
  | { command: 'import' }
  | { command: 'export' }
  | { command: 'capture' };

/** The host's UiEvents, plus the native menu's commands. */
export interface BridgeEvents extends UiEvents {
  'menu.command': MenuCommand;
}
export type BridgeEventName = keyof BridgeEvents;

/** Main → renderer on IPC.event. */
export interface BridgeEventMessage<E extends BridgeEventName = BridgeEventName> {
  type: 'event';
  event: E;
  data: BridgeEvents[E];
}

export interface HeapscopeBridge {
  /** One call of the UiApi contract, validated by the main process as the web host validates it. */
  call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<BridgeResult<UiResponse<C>>>;
  /** Subscribes to a host event or menu command; returns the unsubscribe function. */
  on<E extends BridgeEventName>(event: E, fn: (data: BridgeEvents[E]) => void): () => void;
  /** Opens the native open dialog and imports the chosen .heapsnapshot(.gz) files into the store. */
  importSnapshots(): Promise<BridgeResult<ImportResult>>;
  /** Opens the native save dialog and writes a copy of the stored snapshot there. */
  exportSnapshot(snapshotId: SnapshotId): Promise<BridgeResult<ExportResult>>;
}

/** Every key of HeapscopeBridge, and nothing else: the preload exposes exactly these. */
export const BRIDGE_KEYS = ['call', 'on', 'importSnapshots', 'exportSnapshot'] as const;

// Compile-time proof that BRIDGE_KEYS and the interface list the same names.
type Listed = (typeof BRIDGE_KEYS)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const BRIDGE_KEYS_COMPLETE: Same<Listed, keyof HeapscopeBridge> = true;
