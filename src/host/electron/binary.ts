/**
 * Where the desktop app can run from: the Electron binary (installed by our postinstall where
 * GitHub is reachable, FACTS.md §1) and the built app's entry. Imports no Electron: the CLI
 * (`heapscope open`) and the tests ask here before deciding between Electron and Chromium.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Located = { path: string } | { missing: string };

/** The package root: the folder above this file that holds package.json (src/… under vitest, dist/… when built). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

/** The Electron executable, or why there is none (package absent, binary never downloaded). */
export function electronBinary(): Located {
  let file: unknown;
  try {
    // The electron package's main module is the binary's path; it throws when the download never happened.
    file = createRequire(path.join(packageRoot(), 'package.json'))('electron');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { missing: /Cannot find module/.test(message) ? 'the electron package is not installed (a devDependency of heapscope)' : `the Electron binary is not installed: ${message}` };
  }
  if (typeof file !== 'string' || !existsSync(file)) return { missing: `the Electron binary is not installed (${String(file)} does not exist)` };
  return { path: file };
}

/** The built app's main script (dist/electron/main/index.js), or why it is missing. */
export function electronAppEntry(): Located {
  const entry = path.join(packageRoot(), 'dist/electron/main/index.js');
  return existsSync(entry) ? { path: entry } : { missing: `${entry} is missing: run \`npm run build\`` };
}
