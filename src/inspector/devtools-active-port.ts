import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TargetUnreachableError } from './errors.js';

export const ACTIVE_PORT_FILE = 'DevToolsActivePort';

/**
 * The remote debugging port of a Chromium (or Electron) started with `--remote-debugging-port=0`:
 * it writes the port it chose to `USER_DATA_DIR/DevToolsActivePort` (line 1; line 2 is the browser
 * endpoint's path, which holds a secret and is never read here). `location` is the user data
 * directory or the file itself. The port is on 127.0.0.1: Chromium binds there unless told otherwise.
 */
export async function readDevToolsActivePort(location: string): Promise<{ host: string; port: number; file: string }> {
  let file = path.resolve(location);
  const st = await stat(file).catch(() => undefined);
  // A folder, or a path that is not there yet and does not name the file: the user data directory.
  if (st?.isDirectory() || (!st && path.basename(file) !== ACTIVE_PORT_FILE)) file = path.join(file, ACTIVE_PORT_FILE);
  const where = file;
  let text: string;
  try {
    const fst = await stat(file);
    // The real file is a few dozen bytes; anything big is not it, and not worth reading.
    if (!fst.isFile() || fst.size > 4096) throw new TargetUnreachableError(where, 'not a DevToolsActivePort file');
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof TargetUnreachableError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new TargetUnreachableError(where, code === 'ENOENT'
      ? 'no such file: is Chromium running with --remote-debugging-port and this --user-data-dir? '
        + '(it writes DevToolsActivePort once the port is open)'
      : `cannot read it (${code ?? (err as Error).message})`, { cause: err });
  }
  const first = text.split('\n', 1)[0]!.trim();
  const port = /^\d{1,5}$/.test(first) ? Number(first) : 0;
  if (port < 1 || port > 65535) throw new TargetUnreachableError(where, 'its first line is not a port number: not a DevToolsActivePort file');
  return { host: '127.0.0.1', port, file };
}
