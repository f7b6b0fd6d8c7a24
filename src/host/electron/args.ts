/**
 * The desktop app's command line (after Electron's own arguments):
 * `electron dist/electron/main/index.js [--dev] [--store-dir=DIR] [FILE…]`. Chromium switches
 * (`--no-sandbox`, `--remote-debugging-port=…`) are Chromium's: they are passed over here.
 */
export interface AppArgs {
  /** DevTools in the View menu. */
  dev: boolean;
  /** Snapshot store; default `userData/snapshots`. */
  storeDir: string | undefined;
  /** Snapshot files to open by reference, as `heapscope serve FILE…` does. */
  files: string[];
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
