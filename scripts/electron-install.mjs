#!/usr/bin/env node
// Our stand-in for electron's own postinstall, which package.json's `allowScripts` turns off
// (FACTS.md §1): where GitHub cannot be reached, electron's script fails, and npm then rolls back
// the whole install. This runs the same download, but a failure only warns: heapscope builds,
// type-checks and tests without the binary, and `heapscope open` falls back to Chromium.
// ELECTRON_SKIP_BINARY_DOWNLOAD (CI sets it) skips the download as electron's script would.
// Always exits 0, also where electron is not installed (heapscope installed as a dependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const installer = path.join(root, 'node_modules', 'electron', 'install.js');

function warn(text) {
  process.stderr.write(`heapscope: ${text}\n`);
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  warn('ELECTRON_SKIP_BINARY_DOWNLOAD is set: the Electron binary is not downloaded (the desktop app needs it; `heapscope open` uses Chromium meanwhile)');
} else if (existsSync(installer)) {
  const r = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: ['ignore', 'inherit', 'inherit'], timeout: 10 * 60_000 });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    warn(`the Electron binary could not be downloaded (${why}); everything but the Electron window still works. Retry with \`node node_modules/electron/install.js\`.`);
  }
}
process.exitCode = 0;
