/**
 * `heapscope open` as a real subprocess of the built CLI, on a private Xvfb display with the
 * machine's Chromium: the app window really on the screen (xwininfo, and a screenshot of the X
 * display saved to test-results/screenshots/open-app-mode.png), the dashboard in it (over the
 * window's DevTools port, opened through the HEAPSCOPE_OPEN_DEBUG_PORT test hook), and the window
 * and heapscope ending together whichever side ends first.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../src/host/electron/binary.js';
import { findAppBrowser, findExecutable } from '../../src/host/launch.js';
import { discoverTarget } from '../../src/inspector/discover.js';
import { Session } from '../../src/inspector/session.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { fixturesDir, repoRoot } from '../helpers/target.js';
import { screenshotDisplay } from '../helpers/x11-screenshot.js';
import { Client, tempDir } from '../host/harness.js';

const targetGz = path.join(fixturesDir, 'snapshots', 'listener-leak-target.heapsnapshot.gz');
const URL_LINE = /^heapscope dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))$/m;
const OPENED = /opened the dashboard in an app window of (\S+) \(pid (\d+), temporary profile (\S+)\)/;
const SCREEN = { width: 1420, height: 920 };
const SHOT = path.join(repoRoot, 'test-results', 'screenshots', 'open-app-mode.png');

// The test machine's own settings must not choose the browser or skip the window.
const BASE_ENV: NodeJS.ProcessEnv = { ...process.env, HEAPSCOPE_BROWSER: '', HEAPSCOPE_OPEN_DEBUG_PORT: '', WAYLAND_DISPLAY: '' };
const HEADLESS = { DISPLAY: '', WAYLAND_DISPLAY: '', HEAPSCOPE_BROWSER: '' };

const browser = (() => {
  try {
    return findAppBrowser({ PATH: process.env['PATH'] });
  } catch {
    return undefined;
  }
})();
const windowMissing = process.platform !== 'linux' ? 'the window tests drive Xvfb, which is Linux only'
  : !findExecutable(['Xvfb']) ? 'Xvfb is not installed (apt-get install xvfb)'
  : !browser ? 'no Chromium-family browser on PATH (apt-get install chromium)'
  : undefined;
if (windowMissing) process.stdout.write(`\ntest/cli/open.test.ts: window tests skipped: ${windowMissing}\n`);
const electronMissing = 'missing' in electronBinary() ? undefined : 'Electron is installed here, so `open` uses it rather than falling back';
if (electronMissing) process.stdout.write(`\ntest/cli/open.test.ts: fallback test skipped: ${electronMissing}\n`);

interface Xvfb { display: string; child: ChildProcess }
let xvfb: Xvfb | undefined;

/** A private X server on a display number it picks itself (-displayfd), with a black root (-br). */
async function startXvfb(): Promise<Xvfb> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-br', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d; });
  const number = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb reported no display within 15 s: ${stderr}`)), 15_000);
    child.stdio[3]!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(out.trim()); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}): ${stderr}`)); });
  }).catch(async (err: unknown) => {
    child.kill('SIGTERM');
    throw err;
  });
  return { display: `:${number}`, child };
}

beforeAll(async () => {
  if (!windowMissing) xvfb = await startXvfb();
}, 30_000);

afterAll(async () => {
  if (xvfb && xvfb.child.exitCode === null && xvfb.child.signalCode === null) {
    const exit = once(xvfb.child, 'exit');
    xvfb.child.kill('SIGTERM');
    await exit;
  }
});

interface Running {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

const running: Running[] = [];
const dirs: string[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => {});
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      // SIGTERM: heapscope then closes its window; SIGKILL would leave the browser behind.
      r.child.kill('SIGTERM');
      const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
      await r.exited;
      clearTimeout(timer);
    }
    // Whatever a failed test left: the window heapscope reported, by its pid.
    const m = OPENED.exec(r.stderr);
    if (m && alive(Number(m[2]))) process.kill(Number(m[2]), 'SIGKILL');
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function startOpen(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [cliPath, 'open', ...args], { cwd: repoRoot, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, stdout: '', stderr: '', exited: once(child, 'exit').then(([code]) => code as number | null) };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { r.stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { r.stderr += s; });
  running.push(r);
  return r;
}

async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, r?: Running, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (r && (r.child.exitCode !== null || r.child.signalCode !== null)) throw new Error(`heapscope exited (${r.child.exitCode ?? r.child.signalCode}) while waiting for ${what}\nstderr: ${r.stderr}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${r ? `\nstderr: ${r.stderr}` : ''}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Opened { url: string; program: string; pid: number; profile: string }

/** Waits until heapscope has printed its URL and opened its window. */
async function opened(r: Running): Promise<Opened> {
  const m = await waitFor(() => OPENED.exec(r.stderr), 'the window note', r);
  const url = URL_LINE.exec(r.stdout)![1]!;
  return { url, program: m[1]!, pid: Number(m[2]), profile: m[3]! };
}

async function storeDir(): Promise<string> {
  const d = await tempDir('heapscope-open-store-');
  dirs.push(d);
  return d;
}

/** A CDP session on the window's page, through the port the test hook gave the browser. */
async function pageSession(o: Opened): Promise<Session> {
  const activePort = path.join(o.profile, 'DevToolsActivePort');
  const port = await waitFor(async () => {
    const text = await readFile(activePort, 'utf8').catch(() => '');
    return text.includes('\n') && Number(text.split('\n')[0]);
  }, 'DevToolsActivePort');
  const target = await waitFor(() => discoverTarget('127.0.0.1', port, undefined, { pick: '127.0.0.1' }).catch(() => undefined), 'the page target');
  const session = await Session.connect(target.wsUrl, target.address);
  sessions.push(session);
  return session;
}

async function evaluate<T>(s: Session, expression: string): Promise<T> {
  const r = await s.send('Runtime.evaluate', { expression, returnByValue: true });
  if (r.exceptionDetails) throw new Error(`${expression} threw: ${r.exceptionDetails.text}`);
  return r.result.value as T;
}

/** The top-level windows xwininfo lists with their title and geometry. */
async function xWindows(display: string): Promise<{ title: string; width: number; height: number; x: number; y: number }[]> {
  const { stdout } = await promisify(execFile)('xwininfo', ['-root', '-children'], { env: { ...process.env, DISPLAY: display } });
  return [...stdout.matchAll(/^\s*0x[0-9a-f]+ "([^"]*)".*?\s(\d+)x(\d+)\+(-?\d+)\+(-?\d+)/gm)]
    .map((m) => ({ title: m[1]!, width: Number(m[2]), height: Number(m[3]), x: Number(m[4]), y: Number(m[5]) }));
}

describe.skipIf(windowMissing)('heapscope open: Chromium app mode on a display', () => {
  it('opens the dashboard as an app window (on screen, shot), and closing the window ends heapscope with 0', async () => {
    const dir = await storeDir();
    const r = startOpen([targetGz, '--no-electron', '--dir', dir], { DISPLAY: xvfb!.display, HEAPSCOPE_OPEN_DEBUG_PORT: '0' });
    const o = await opened(r);
    expect(r.stdout.trim().split('\n')).toEqual([`heapscope dashboard: ${o.url}`]);
    expect(o.program).toBe(browser);
    expect(r.stderr).not.toContain('desktop app (Electron)'); // --no-electron: not even looked for
    expect(existsSync(o.profile)).toBe(true);
    const args = (await readFile(`/proc/${o.pid}/cmdline`, 'utf8')).split('\0');
    expect(args).toEqual(expect.arrayContaining([`--app=${o.url}`, `--user-data-dir=${o.profile}`, '--window-size=1400,900', '--no-first-run']));
    expect(args.includes('--no-sandbox')).toBe(process.getuid?.() === 0);

    // The dashboard, with the FILE loaded, in the window's only page.
    const page = await pageSession(o);
    // Right after the port opens the page may have no execution context yet, or still be about:blank.
    await waitFor(() => evaluate<string>(page, 'location.href').then((href) => href === o.url, () => false), `the page to be ${o.url}`, r);
    await waitFor(() => evaluate<string>(page, `[...document.querySelectorAll('[data-testid="snapshot-item"]')].map((e) => e.textContent).join('|')`)
      .then((t) => t.includes('listener-leak-target.heapsnapshot.gz')), 'the snapshot in the sidebar', r);
    await waitFor(() => evaluate<boolean>(page, `document.querySelectorAll('[data-testid="class-row"]').length > 5`), 'the summary rows', r);
    expect(await evaluate<string>(page, 'document.title')).toBe('heapscope');

    // A real window on the X display, of the size asked for, showing the dashboard.
    const win = await waitFor(async () => (await xWindows(xvfb!.display)).find((w) => w.title === 'heapscope'), 'the window titled heapscope');
    expect(win).toMatchObject({ width: 1400, height: 900 });
    await new Promise((res) => setTimeout(res, 500)); // the last paint after the rows arrived
    const shot = await screenshotDisplay(xvfb!.display);
    await mkdir(path.dirname(SHOT), { recursive: true });
    await writeFile(SHOT, shot.png);
    const pixel = (x: number, y: number) => shot.rgb.readUIntBE((y * shot.width + x) * 3, 3);
    // The root is black (-br): the window is where X says, and it is not blank.
    expect(pixel(shot.width - 1, shot.height - 1)).toBe(0);
    const colours = new Set<number>();
    let lit = 0;
    for (let y = win.y; y < win.y + win.height && y < shot.height; y += 3) {
      for (let x = win.x; x < win.x + win.width && x < shot.width; x += 3) {
        const c = pixel(x, y);
        colours.add(c);
        if (c !== 0) lit++;
      }
    }
    expect(lit / ((Math.min(win.height, shot.height - win.y) / 3) * (Math.min(win.width, shot.width - win.x) / 3))).toBeGreaterThan(0.9);
    expect(colours.size).toBeGreaterThan(20); // text, table, sidebar: not a blank page

    // The user closes the window (a top-level app window may close itself, as its close button does).
    await evaluate(page, 'setTimeout(() => window.close(), 50), true');
    expect(await r.exited).toBe(0);
    expect(r.stderr).toContain('the window was closed: stopping');
    expect(alive(o.pid)).toBe(false);
    expect(existsSync(o.profile)).toBe(false);
  }, 90_000);

  it('says the desktop app is missing and falls back to Chromium; the browser killed by its pid ends heapscope with 0', async (ctx) => {
    if (electronMissing) ctx.skip(electronMissing);
    const dir = await storeDir();
    const r = startOpen([targetGz, '--dir', dir], { DISPLAY: xvfb!.display });
    const o = await opened(r);
    expect(r.stderr).toMatch(/the desktop app \(Electron\) is not available: the Electron binary is not installed.*; using Chromium or Chrome in app mode/);
    expect(r.stderr.indexOf('not available')).toBeLessThan(r.stderr.indexOf('opened the dashboard'));
    await waitFor(async () => (await xWindows(xvfb!.display)).some((w) => w.title === 'heapscope'), 'the window');

    process.kill(o.pid, 'SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr).toContain('the window was closed: stopping');
    expect(existsSync(o.profile)).toBe(false);
    expect((await xWindows(xvfb!.display)).some((w) => w.title === 'heapscope')).toBe(false);
  }, 90_000);

  it('closes the window by its pid on SIGTERM, then exits 0', async () => {
    const dir = await storeDir();
    const r = startOpen(['--no-electron', '--dir', dir], { DISPLAY: xvfb!.display });
    const o = await opened(r);
    await waitFor(async () => (await xWindows(xvfb!.display)).some((w) => w.title === 'heapscope'), 'the window');
    expect(alive(o.pid)).toBe(true);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr).toContain('stopping (SIGTERM)');
    expect(alive(o.pid)).toBe(false);
    expect(existsSync(o.profile)).toBe(false);
  }, 90_000);

  it('keeps serving when the browser cannot open a window (a display with no server), and says why', async () => {
    let free = 4242;
    while (existsSync(`/tmp/.X11-unix/X${free}`)) free++;
    const r = startOpen(['--no-electron', '--dir', await storeDir()], { DISPLAY: `:${free}` });
    const o = await opened(r);
    await waitFor(() => /exited with code [1-9]\d*/.test(r.stderr) && r.stderr.includes('open the URL above in a browser'), 'the failure note', r);
    expect(existsSync(o.profile)).toBe(false);
    const port = Number(URL_LINE.exec(r.stdout)![2]);
    const token = URL_LINE.exec(r.stdout)![3]!;
    const c = await Client.open(`ws://127.0.0.1:${port}/api/ws?token=${token}`);
    try {
      expect((await c.call('session.state', {})).snapshots).toEqual([]);
    } finally {
      c.close();
    }
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
  }, 90_000);
});

describe('heapscope open without a window', () => {
  it('with no display prints the URL and a note, and serves until SIGTERM', async () => {
    const dir = await storeDir();
    const r = startOpen([targetGz, '--dir', dir], HEADLESS);
    await waitFor(() => r.stderr.includes('no display'), 'the no-display note', r);
    expect(r.stderr).toContain('no display (DISPLAY and WAYLAND_DISPLAY are unset), so no window: open the URL above in a browser');
    expect(r.stderr).not.toContain('opened the dashboard');
    const m = URL_LINE.exec(r.stdout)!;
    expect(r.stdout.trim().split('\n')).toEqual([m[0]]);
    const c = await Client.open(`ws://127.0.0.1:${m[2]}/api/ws?token=${m[3]}`);
    try {
      const state = await c.call('session.state', {});
      expect(state.snapshots).toEqual([expect.objectContaining({ name: 'listener-leak-target.heapsnapshot.gz', loaded: true })]);
    } finally {
      c.close();
    }
    await new Promise((res) => setTimeout(res, 500));
    expect(r.child.exitCode).toBeNull(); // still serving
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr).toContain('stopping (SIGTERM)');
  }, 60_000);

  it('refuses a --browser or $HEAPSCOPE_BROWSER that does not exist or cannot run with exit 2, before anything else', async () => {
    const dir = await storeDir();
    const missing = await runCli(['open', targetGz, '--browser', path.join(dir, 'no-such-browser'), '--dir', dir], { env: HEADLESS });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`heapscope: --browser ${JSON.stringify(path.join(dir, 'no-such-browser'))}: no such file\n`);

    const plain = path.join(dir, 'not-executable');
    await writeFile(plain, '#!/bin/sh\n');
    await chmod(plain, 0o644);
    const notExec = await runCli(['open', '--browser', plain, '--dir', dir], { env: HEADLESS });
    expect(notExec.code).toBe(2);
    expect(notExec.stderr).toContain('not executable');

    const named = await runCli(['open', '--browser', 'no-such-browser-heapscope', '--dir', dir], { env: HEADLESS });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('"no-such-browser-heapscope": not found on PATH');

    if (xvfb) {
      const fromEnv = await runCli(['open', '--no-electron', '--dir', dir], { env: { DISPLAY: xvfb.display, WAYLAND_DISPLAY: '', HEAPSCOPE_BROWSER: path.join(dir, 'gone') } });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stdout).toBe('');
      expect(fromEnv.stderr).toContain(`HEAPSCOPE_BROWSER ${JSON.stringify(path.join(dir, 'gone'))}: no such file`);
    }
    expect(await (await import('node:fs/promises')).readdir(dir)).toEqual(['not-executable']); // no store was opened
  }, 60_000);
});
