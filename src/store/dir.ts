import os from 'node:os';
import path from 'node:path';

/**
 * `$XDG_DATA_HOME/heapscope/snapshots`, else `~/.local/share/heapscope/snapshots` (the XDG base
 * directory default). A relative XDG_DATA_HOME is invalid per the spec and ignored.
 */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'heapscope', 'snapshots');
}
