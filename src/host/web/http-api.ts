import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID_PATTERN } from '../../store/ids.js';
import { MAX_NAME } from '../../store/store.js';
import { toErrorDto } from '../session/error-dto.js';
import type { HostSession } from '../session/session.js';
import { sendError, sendJson } from './respond.js';

/**
 * `POST /api/snapshots?name=NAME`: the body is the raw .heapsnapshot or .heapsnapshot.gz, streamed
 * to the store (no size limit, never held in memory), validated by loading it. Answers 201 with the
 * SnapshotMeta, or `{error: ErrorDto}`: 400 for a bad file (named NAME, with section and byte
 * offset), 507 when the disk is full, 500 for other I/O errors.
 */
export async function importSnapshot(req: IncomingMessage, res: ServerResponse, session: HostSession, query: URLSearchParams): Promise<void> {
  const name = displayName(query.get('name'));
  let aborted = false;
  req.once('aborted', () => { aborted = true; });
  try {
    const meta = await session.importUpload(req, name);
    sendJson(res, 201, meta);
  } catch (err) {
    if (aborted || req.destroyed && !res.writable) return; // nobody left to tell
    const dto = toErrorDto(err);
    const code = (err as { code?: unknown }).code;
    const status = dto.name === 'SnapshotFormatError' ? 400 : code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 507 : 500;
    sendError(res, status, dto);
  }
}

/** `GET /api/snapshots/ID/file`: the stored file as a download, byte for byte. */
export async function exportSnapshot(res: ServerResponse, session: HostSession, id: string): Promise<void> {
  if (!ID_PATTERN.test(id)) {
    sendError(res, 400, { name: 'RequestError', message: 'snapshotId: not an id', field: 'snapshotId' });
    return;
  }
  let file: ReturnType<HostSession['exportFile']>;
  let size: number;
  try {
    file = session.exportFile(id);
    size = (await stat(file.file)).size;
  } catch (err) {
    const dto = toErrorDto(err);
    sendError(res, dto.name === 'UnknownSnapshotError' ? 404 : 500, dto.name === 'UnknownSnapshotError' ? dto : { name: dto.name, message: 'the snapshot file cannot be read' });
    return;
  }
  res.statusCode = 200;
  // octet-stream even for .gz: a gzip Content-Type or Content-Encoding would make browsers unpack it.
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(size));
  res.setHeader('Content-Disposition', contentDisposition(downloadName(file.name, file.gzip)));
  res.setHeader('Cache-Control', 'no-store');
  const stream = createReadStream(file.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Names come from the uploader's file name: control characters out, at most MAX_NAME characters. */
export function displayName(raw: string | null): string {
  // eslint-disable-next-line no-control-regex
  const clean = (raw ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim().slice(0, MAX_NAME);
  return clean || 'imported snapshot';
}

/** The snapshot's name as a file name: the right extension, no path separators. */
export function downloadName(name: string, gzip: boolean): string {
  const ext = gzip ? '.heapsnapshot.gz' : '.heapsnapshot';
  // eslint-disable-next-line no-control-regex
  const base = name.replace(/[/\\\u0000-\u001f\u007f"]/g, '_').replace(/\.heapsnapshot(\.gz)?$/i, '') || 'snapshot';
  return base + ext;
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name (RFC 5987). */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/[%;]/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
