/**
 * A display for windows the tests open: the session's own when there is one, else a private Xvfb
 * server on a free display number (`-displayfd` makes Xvfb pick and report it). Stopped by pid.
 */
import { spawn } from 'node:child_process';
import { findExecutable } from '../../src/host/launch.js';

export interface Display {
  /** The DISPLAY value, e.g. `:3`. */
  display: string;
  stop(): Promise<void>;
}

/** Why no display can be had here, or undefined when one can. */
export function displayMissing(): string | undefined {
  if (process.platform !== 'linux' || process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']) return undefined;
  return findExecutable(['Xvfb']) ? undefined : 'no DISPLAY and no Xvfb (apt-get install xvfb)';
}

export async function startDisplay(timeoutMs = 15_000): Promise<Display> {
  const own = process.env['DISPLAY'];
  if (process.platform !== 'linux' || own || process.env['WAYLAND_DISPLAY']) return { display: own ?? '', stop: async () => {} };
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1400x900x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => xvfb.once('exit', () => resolve()));
  let stderr = '';
  xvfb.stderr!.on('data', (d: Buffer) => { stderr += d; });
  const stop = async () => {
    if (xvfb.exitCode === null && xvfb.signalCode === null) xvfb.kill('SIGTERM');
    await exited;
  };
  try {
    const number = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb reported no display within ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs);
      xvfb.stdio[3]!.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.trim());
        }
      });
      xvfb.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb exited (${code ?? signal}): ${stderr.trim()}`));
      });
    });
    return { display: `:${number}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
