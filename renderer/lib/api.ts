/**
 * The one place in the renderer that knows the transport (DESIGN.md): the web host's WebSocket
 * today, the Electron preload bridge later. Views call `api.call(channel, request)` with the
 * types of src/shared/contract.ts (UiApi) and subscribe to UiEvents with `api.on`.
 *
 * Interface fixed here; the implementation may grow (reconnects, upload progress) but keeps these
 * names and signatures, which every view codes against.
 */
import type {
  ErrorDto, SnapshotId, SnapshotMeta, UiChannel, UiEventName, UiEvents, UiRequest, UiResponse,
} from '../../src/shared/contract.js';

/** An error the host answered with (ErrorDto rebuilt), or a transport failure (`name` = 'ConnectionError'). */
export class ApiError extends Error {
  readonly dto: ErrorDto;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = dto.name;
    this.dto = dto;
  }
}

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
}
