import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Browsers tried in order. xdg-open honours the user's choice; the Chromium family directly when
 * it is missing (minimal desktops). The desktop window (Electron, Chromium app mode) comes with the
 * desktop issue; until then this opens a tab, or nothing.
 */
const BROWSERS = ['xdg-open', 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** True when a graphical session exists: without one, a browser could only fail (CI, ssh, containers). */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform === 'darwin') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/** The first of `names` that is an executable file on PATH. */
export function findExecutable(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch { /* not here */ }
    }
  }
  return undefined;
}

/**
 * Opens `url` in a browser if a display and a browser exist. Never blocks and never throws: the
 * browser is spawned detached with its output ignored, and any failure just means the user opens
 * the printed URL. Returns the program used, or undefined.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!hasDisplay(env)) return undefined;
  const program = process.platform === 'darwin' ? '/usr/bin/open' : findExecutable(BROWSERS, env);
  if (!program) return undefined;
  try {
    const child = spawn(program, [url], { detached: true, stdio: 'ignore', env });
    child.on('error', () => {});
    child.unref();
    return program;
  } catch {
    return undefined;
  }
}
