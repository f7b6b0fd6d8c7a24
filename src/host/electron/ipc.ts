/**
 * The main process's IPC handlers, as plain functions over a HostSession: no Electron import, so
 * tests run them against the real session and engine. main.ts registers them on ipcMain.
 *
 * Every handler, before anything else, checks who sent the message: our window's web contents,
 * its top frame, at our own origin (heapscope://app). A message from any other window, a subframe,
 * a page that navigated elsewhere, or a file:// page is refused. Then the input is checked: the
 * argument count, the size (the web host's frame limit), and the request against the same zod
 * schemas the web host uses (session-schemas.ts, schemas.ts), which admit only opaque ids in every
 * snapshot id field, so no path reaches the store. Failures come back as ErrorDto envelopes.
 */
import { createReadStream } from 'node:fs';
import { chmod, copyFile, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { BridgeResult, ExportResult, ImportResult } from '../../shared/bridge.js';
import { IPC } from '../../shared/bridge.js';
import { FileIoError } from '../../shared/errors.js';
import { RequestError } from '../../shared/schemas.js';
import { parseUiRequest } from '../../shared/session-schemas.js';
import { syncDir } from '../../store/atomic.js';
import { ID_PATTERN } from '../../store/ids.js';
import { toErrorDto } from '../session/error-dto.js';
import type { HostSession } from '../session/session.js';
import { displayName, downloadName } from '../web/http-api.js';
import { MAX_FRAME } from '../web/socket.js';
import { APP_ORIGIN, isAppUrl } from './protocol.js';

/** Who sent an IPC message, as Electron's IpcMainInvokeEvent tells it. */
export interface IpcSender {
  /** `event.sender.id`: the web contents. */
  webContentsId: number;
  /** `event.senderFrame.url`; undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** The frame is its page's top frame (not an iframe). */
  topFrame: boolean;
}

/** The parts of IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export function senderOf(event: InvokeEventLike): IpcSender {
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url, topFrame: frame !== null && frame.parent === null };
}

/** A message from someone other than our window's page. */
export class SenderError extends Error {
  readonly field = 'sender';
  constructor(message: string) {
    super(message);
    this.name = 'SenderError';
  }
}

/** The user's side of the native dialogs (main.ts: Electron's dialog module). */
export interface Dialogs {
  /** The files chosen to import; [] when cancelled. */
  chooseSnapshots(): Promise<string[]>;
  /** Where to save an export (offering `defaultName`); undefined when cancelled. */
  chooseExportPath(defaultName: string): Promise<string | undefined>;
}

export interface IpcHandlerOptions {
  session: HostSession;
  /** Our window's web contents id; undefined while there is no window. */
  windowId(): number | undefined;
  dialogs: Dialogs;
}

export interface IpcHandlers {
  call(sender: IpcSender, ...args: unknown[]): Promise<BridgeResult<unknown>>;
  importSnapshots(sender: IpcSender, ...args: unknown[]): Promise<BridgeResult<ImportResult>>;
  exportSnapshot(sender: IpcSender, ...args: unknown[]): Promise<BridgeResult<ExportResult>>;
}

/** The largest request accepted: the web host's WebSocket frame limit, so both hosts refuse the same. */
export const MAX_REQUEST_BYTES = MAX_FRAME;

const SNAPSHOT_FILE = /\.heapsnapshot(\.gz)?$/i;

/** Refuses anything but our window's top frame at our origin. */
export function checkSender(sender: IpcSender, windowId: number | undefined): void {
  if (windowId === undefined || sender.webContentsId !== windowId) throw new SenderError('IPC from a window that is not the heapscope dashboard');
  if (!sender.topFrame) throw new SenderError('IPC from a subframe');
  if (!isAppUrl(sender.frameUrl)) throw new SenderError(`IPC from a page outside ${APP_ORIGIN}/`);
}

function checkArgs(name: string, args: unknown[], count: number): void {
  if (args.length !== count) throw new RequestError(`${name}: expected ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`, 'arguments');
}

/** Size of a request as JSON; what cannot be JSON (BigInt, cycles) is refused as the web host would refuse it. */
function checkSize(value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new RequestError('request: not JSON data', 'request');
  }
  if (text !== undefined && Buffer.byteLength(text) > MAX_REQUEST_BYTES) {
    throw new RequestError(`request: larger than ${MAX_REQUEST_BYTES} bytes`, 'request');
  }
}

async function envelope<T>(work: () => Promise<T>): Promise<BridgeResult<T>> {
  try {
    return { ok: true, response: await work() };
  } catch (err) {
    return { ok: false, error: toErrorDto(err) };
  }
}

export function createIpcHandlers(options: IpcHandlerOptions): IpcHandlers {
  const { session, dialogs } = options;
  const guard = (sender: IpcSender) => checkSender(sender, options.windowId());

  return {
    call: (sender, ...args) => envelope(async () => {
      guard(sender);
      checkArgs('call', args, 2);
      const [channel, raw] = args;
      checkSize([channel, raw]);
      // Checked here, before the session is touched; HostSession.call checks again, as for the web host.
      const request = parseUiRequest(channel, raw);
      return session.call(channel, request);
    }),

    importSnapshots: (sender, ...args) => envelope(async () => {
      guard(sender);
      checkArgs('importSnapshots', args, 0);
      const files = await dialogs.chooseSnapshots();
      const result: ImportResult = { imported: [], failed: [] };
      // One after another: each load holds a graph's worth of parse buffers in the engine.
      for (const file of files) {
        const name = displayName(path.basename(file));
        if (!SNAPSHOT_FILE.test(file)) {
          result.failed.push({ name, error: { name: 'RequestError', message: `${name} is not a heap snapshot: expected a .heapsnapshot or .heapsnapshot.gz file`, field: 'file' } });
          continue;
        }
        try {
          result.imported.push(await session.importUpload(createReadStream(file), name));
        } catch (err) {
          result.failed.push({ name, error: toErrorDto(err) });
        }
      }
      return result;
    }),

    exportSnapshot: (sender, ...args) => envelope(async () => {
      guard(sender);
      checkArgs('exportSnapshot', args, 1);
      const [snapshotId] = args;
      if (typeof snapshotId !== 'string' || !ID_PATTERN.test(snapshotId)) throw new RequestError('snapshotId: not an id', 'snapshotId');
      const stored = session.exportFile(snapshotId);
      const dest = await dialogs.chooseExportPath(downloadName(stored.name, stored.gzip));
      if (dest === undefined) return { saved: false };
      await copyAtomic(stored.file, dest);
      return { saved: true };
    }),
  };
}

/**
 * A copy that is whole or absent (FACTS.md §5): a temp file beside the destination, fsync, rename.
 * Mode 0600 like the store's own files: a snapshot holds the target's strings and source.
 */
export async function copyAtomic(from: string, to: string): Promise<void> {
  const temp = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await copyFile(from, temp);
    await chmod(temp, 0o600);
    const fh = await open(temp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, to);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw new FileIoError(to, 'write', err);
  }
  await syncDir(path.dirname(to));
}

/** The part of ipcMain the registration uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Registers the handlers on ipcMain; returns the function that removes them. */
export function registerIpc(ipcMain: IpcMainLike, handlers: IpcHandlers): () => void {
  ipcMain.handle(IPC.call, (event, ...args) => handlers.call(senderOf(event), ...args));
  ipcMain.handle(IPC.importSnapshots, (event, ...args) => handlers.importSnapshots(senderOf(event), ...args));
  ipcMain.handle(IPC.exportSnapshot, (event, ...args) => handlers.exportSnapshot(senderOf(event), ...args));
  return () => {
    for (const channel of [IPC.call, IPC.importSnapshots, IPC.exportSnapshot]) ipcMain.removeHandler(channel);
  };
}
