import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { discoverTarget } from '../../src/inspector/discover.js';
import { Session } from '../../src/inspector/session.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

export interface RunningChromium {
  /** The browser process (the wrapper script execs it), leader of its own process group. */
  readonly pid: number;
  /** The remote debugging port Chromium chose (from DevToolsActivePort). */
  readonly port: number;
  readonly userDataDir: string;
  /** `USER_DATA_DIR/DevToolsActivePort`. */
  readonly activePortFile: string;
  readonly process: ChildProcess;
  stderr: string;
  /** Opens a driver session on the page whose URL contains `urlPart`, once its phase 0 is set up. */
  openPage(urlPart: string): Promise<PageDriver>;
  /** Ends the browser and every process it started (its process group), then removes the profile. Safe twice. */
  stop(): Promise<void>;
}

/**
 * Drives a fixture page (fixtures/pages/phases.js) over its own CDP session. Keep it open for the
 * whole test: V8 forgets heap object ids whenever ANY session on the page closes, so closing a
 * driver between two snapshots of a series would make them incomparable.
 */
export interface PageDriver {
  /** Runs `window.step()`; resolves with the new phase's label. */
  step(): Promise<string>;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.exitCode === null && child.pid) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * Starts Debian's Chromium headless on `url` with remote debugging on a port it picks
 * (`--remote-debugging-port=0`) and a fresh profile, and waits for DevToolsActivePort.
 */
export async function launchChromium(url: string, options: { args?: string[]; timeoutMs?: number } = {}): Promise<RunningChromium> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'heapscope-chromium-'));
  const activePortFile = path.join(userDataDir, 'DevToolsActivePort');
  const child = spawn(CHROMIUM, [
    '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`,
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ...(options.args ?? []), url,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  running.add(child);
  let exited = child.exitCode !== null;
  child.once('exit', () => { exited = true; running.delete(child); });
  const browser: RunningChromium = {
    pid: child.pid!, port: 0, userDataDir, activePortFile, process: child, stderr: '',
    openPage: (urlPart) => openPage(browser, urlPart),
    async stop() {
      if (!exited) {
        try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
        const gone = once(child, 'exit');
        if (await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]) === false) {
          try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
          await gone;
        }
      }
      // Renderers and the zygote are in the group too; make sure none outlives the browser.
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* all gone */ }
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { browser.stderr = (browser.stderr + s).slice(-8192); });
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  try {
    for (;;) {
      if (exited) throw new Error(`chromium exited (code ${child.exitCode}) before writing DevToolsActivePort\n${browser.stderr}`);
      const text = await readFile(activePortFile, 'utf8').catch(() => '');
      const port = Number(text.split('\n')[0]);
      // Chromium writes the file in one go, but a read may still race the write: wait for both lines.
      if (port > 0 && text.includes('\n')) {
        (browser as { port: number }).port = port;
        return browser;
      }
      if (Date.now() > deadline) throw new Error(`chromium wrote no DevToolsActivePort within ${options.timeoutMs ?? 20_000} ms\n${browser.stderr}`);
      await sleep(50);
    }
  } catch (err) {
    await browser.stop();
    throw err;
  }
}

async function openPage(browser: RunningChromium, urlPart: string): Promise<PageDriver> {
  const deadline = Date.now() + 20_000;
  let session: Session | undefined;
  // The page target appears in /json/list a moment after the port opens.
  while (!session) {
    try {
      const target = await discoverTarget('127.0.0.1', browser.port, undefined, { pick: urlPart });
      session = await Session.connect(target.wsUrl, target.address);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
  const s = session;
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await s.send('Runtime.evaluate', { expression, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expression} threw in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  // Phase 0 is set up by the page's own scripts once they have run.
  while ((await evaluate<number | null>('typeof window.phase === "number" ? window.phase : null')) !== 0) {
    if (Date.now() > deadline) throw new Error(`the page ${urlPart} never reached phase 0`);
    await sleep(50);
  }
  return {
    step: () => evaluate<string>('window.step()'),
    evaluate,
    close: () => s.close(),
  };
}
