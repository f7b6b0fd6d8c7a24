/**
 * Import over HTTP: the file's raw bytes as the body of one POST (never a call payload, see
 * contract.ts SessionApi), with upload progress from XHR (fetch reports none).
 */
import type { SnapshotMeta } from '../../src/shared/contract.js';
import { ApiError, connectionError, toErrorDto } from './errors.js';

export function uploadSnapshot(
  token: string,
  file: File,
  onProgress?: (sent: number, total: number) => void,
): Promise<SnapshotMeta> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ token, name: file.name });
    xhr.open('POST', `/api/snapshots?${query}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'text';
    if (onProgress) {
      xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
    }
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') {
        const b = body as { snapshot?: SnapshotMeta } & Partial<SnapshotMeta>;
        const meta = b.snapshotId ? (b as SnapshotMeta) : b.snapshot;
        if (meta) return resolve(meta);
      }
      reject(new ApiError(toErrorDto(body, `Import of ${file.name} failed (HTTP ${xhr.status})`)));
    };
    xhr.onerror = () => reject(connectionError(`Import of ${file.name} failed: the host did not answer`));
    xhr.onabort = () => reject(connectionError(`Import of ${file.name} was aborted`));
    xhr.send(file);
  });
}
