import { request } from 'node:http';

/** Why a JSON probe failed, in words fit for "cannot attach to HOST:PORT: <reason>". */
export class ProbeError extends Error {}

/**
 * GET http://host:port/path and parse the body as JSON, all within `deadlineMs`, reading at most
 * `maxBytes`. Hand-rolled instead of chrome-remote-interface's List/Version: those have no deadline,
 * and a non-JSON answer throws inside the library where no caller can catch it (FACTS.md §2).
 */
export function getJson(host: string, port: number, path: string, deadlineMs: number, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err); else resolve(value);
    };
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        finish(new ProbeError(`answered HTTP ${res.statusCode} to GET ${path}: not a V8 inspector`));
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        size += b.length;
        if (size > maxBytes) finish(new ProbeError(`answer to GET ${path} is larger than ${maxBytes} bytes: not a V8 inspector`));
        else parts.push(b);
      });
      res.on('end', () => {
        try {
          finish(undefined, JSON.parse(Buffer.concat(parts).toString('utf8')));
        } catch {
          finish(new ProbeError(`answer to GET ${path} is not JSON: not a V8 inspector`));
        }
      });
      res.on('error', (e) => finish(new ProbeError(`connection failed during GET ${path}: ${e.message}`)));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(new ProbeError(describeSocketError(e))));
    const timer = setTimeout(() => finish(new ProbeError(`no answer to GET ${path} within ${deadlineMs / 1000} s: not a V8 inspector, or a hung one`)), deadlineMs);
    req.end();
  });
}

export function describeSocketError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused (nothing listens on that port; is the inspector open?)';
    case 'ECONNRESET': return 'connection reset by the other side';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host name not found';
    default: return e.message;
  }
}
