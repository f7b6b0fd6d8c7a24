/**
 * The desktop app's command line (after Electron's own arguments):
 * `electron dist/electron/main/index.js [--dev] [--store-dir=DIR] [FILE…]`. Chromium switches
 * (`--no-sandbox`, `--remote-debugging-port=…`) are Chromium's: they are passed over here.
 */
import path from 'node:path';

export interface AppArgs {
  /** DevTools in the View menu. */
  dev: boolean;
  /** Snapshot store; default `userData/snapshots`. */
  storeDir: string | undefined;
  /** Snapshot files to open by reference, as `heapscope serve FILE…` does. */
  files: string[];
}

/**
 * The arguments meant for the app: those after the entry script. Unpackaged, Electron's argv is
 * `electron [switches…] ENTRY [args…]`, and launchers put their own switches before ENTRY
 * (Playwright adds `--inspect=0 --remote-debugging-port=0`), so ENTRY is looked up, not counted.
 */
export function userArgs(argv: readonly string[], entry: string, packaged: boolean): string[] {
  if (packaged) return argv.slice(1);
  const accepted = new Set([entry, path.dirname(entry)]);
  const at = argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && accepted.has(path.resolve(a)));
  return at < 0 ? argv.slice(2) : argv.slice(at + 1);
}

export function parseAppArgs(args: readonly string[]): AppArgs {
  const out: AppArgs = { dev: false, storeDir: undefined, files: [] };
  let positionalOnly = false;
  for (const arg of args) {
    if (positionalOnly || !arg.startsWith('-')) out.files.push(arg);
    else if (arg === '--') positionalOnly = true;
    else if (arg === '--dev') out.dev = true;
    else if (arg.startsWith('--store-dir=') && arg.length > '--store-dir='.length) out.storeDir = arg.slice('--store-dir='.length);
  }
  return out;
}
