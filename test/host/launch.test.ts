/**
 * src/host/launch.ts and the choice in src/cli/open.ts: the command lines (app mode, Electron,
 * read back by the app's own parser), finding a browser on a PATH of real executables, and the
 * life of a launched process (exit, close by pid, its process group reaped, its profile removed),
 * with real processes. The Chromium window itself: test/cli/open.test.ts.
 */
import { readFile, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseWindow } from '../../src/cli/open.js';
import { parseAppArgs, userArgs } from '../../src/host/electron/args.js';
import {
  APP_BROWSERS, BrowserNotFoundError, WindowLaunchError, appModeArgs, electronArgs, findAppBrowser, hasDisplay,
  launchAppWindow, launchElectron, resolveBrowser,
} from '../../src/host/launch.js';
import { ExitCode } from '../../src/shared/errors.js';
import { tempDir } from './harness.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await tempDir('heapscope-launch-');
  dirs.push(d);
  return d;
}

async function executable(file: string, body = '#!/bin/sh\nexit 0\n'): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
  await chmod(file, 0o755);
  return file;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('appModeArgs', () => {
  const url = 'http://127.0.0.1:4000/?token=abc';
  it('is an app window with a private profile and nothing that phones home; --no-sandbox only as root', () => {
    expect(appModeArgs({ url, userDataDir: '/tmp/p', root: false })).toEqual([
      `--app=${url}`, '--user-data-dir=/tmp/p', '--no-first-run', '--no-default-browser-check', '--disable-sync',
      '--disable-background-networking', '--disable-component-update', '--window-size=1400,900',
    ]);
    const asRoot = appModeArgs({ url, userDataDir: '/tmp/p', root: true });
    expect(asRoot.filter((a) => a === '--no-sandbox')).toHaveLength(1);
    expect(asRoot.some((a) => a.startsWith('--remote-debugging-port'))).toBe(false);
  });

  it('opens a DevTools port only when the test hook asks for one', () => {
    expect(appModeArgs({ url, userDataDir: '/tmp/p', root: false, debugPort: 0 })).toContain('--remote-debugging-port=0');
  });
});

describe('electronArgs, read back by the app (src/host/electron/args.ts)', () => {
  const entry = '/opt/heapscope/dist/electron/main/index.js';
  const binary = '/opt/heapscope/node_modules/electron/dist/electron';
  const readBack = (args: string[]) => parseAppArgs(userArgs([binary, ...args], entry, false));

  it('maps FILEs (relative to the working directory) and --dir to absolute paths', () => {
    const args = electronArgs({ entry, files: ['a.heapsnapshot', '/data/b.heapsnapshot.gz'], storeDir: 'store', cwd: '/home/u/work', root: false });
    expect(args).toEqual([entry, '--store-dir=/home/u/work/store', '/home/u/work/a.heapsnapshot', '/data/b.heapsnapshot.gz']);
    expect(readBack(args)).toEqual({ dev: false, storeDir: '/home/u/work/store', files: ['/home/u/work/a.heapsnapshot', '/data/b.heapsnapshot.gz'] });
  });

  it('leaves the store to the app without --dir, and a FILE named like a switch stays a FILE', () => {
    const args = electronArgs({ entry, files: ['--dev', '-x.heapsnapshot'], cwd: '/w', root: false });
    expect(args).toEqual([entry, '/w/--dev', '/w/-x.heapsnapshot']);
    expect(readBack(args)).toEqual({ dev: false, storeDir: undefined, files: ['/w/--dev', '/w/-x.heapsnapshot'] });
  });

  it('puts --no-sandbox (root) before the entry, where the app does not take it for its own', () => {
    const args = electronArgs({ entry, files: ['f.heapsnapshot'], storeDir: '/s', cwd: '/w', root: true });
    expect(args[0]).toBe('--no-sandbox');
    expect(args[1]).toBe(entry);
    expect(readBack(args)).toEqual({ dev: false, storeDir: '/s', files: ['/w/f.heapsnapshot'] });
  });
});

describe('finding a browser', () => {
  it('resolves --browser paths and names, and names what is wrong with one that cannot run', async () => {
    const d = await dir();
    const good = await executable(path.join(d, 'bin', 'my-chrome'));
    const env = { PATH: path.join(d, 'bin') };
    expect(resolveBrowser(good, '--browser', env)).toBe(good);
    expect(resolveBrowser('my-chrome', '--browser', env)).toBe(good);
    expect(resolveBrowser(path.relative(process.cwd(), good), '--browser', env)).toBe(good);

    const plain = path.join(d, 'plain');
    await writeFile(plain, '');
    const cases: [string, string][] = [
      [path.join(d, 'nope'), 'no such file'],
      [d, 'not a file'],
      [plain, 'not executable'],
      ['nope-browser', 'not found on PATH'],
      ['', 'empty'],
    ];
    for (const [given, why] of cases) {
      let err: unknown;
      try { resolveBrowser(given, '--browser', env); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(BrowserNotFoundError);
      expect((err as BrowserNotFoundError).exitCode).toBe(ExitCode.usage);
      expect((err as BrowserNotFoundError).message).toBe(`--browser ${JSON.stringify(given)}: ${why}`);
      expect((err as BrowserNotFoundError).browser).toBe(given);
    }
  });

  it('takes $HEAPSCOPE_BROWSER first, then the Chromium family on PATH in order, then nothing', async () => {
    const d = await dir();
    const bin = path.join(d, 'bin');
    const edge = await executable(path.join(bin, 'microsoft-edge'));
    const chrome = await executable(path.join(bin, 'google-chrome'));
    const chromiumBrowser = await executable(path.join(d, 'later', 'chromium-browser'));
    const PATH = [bin, path.join(d, 'later')].join(path.delimiter);
    // The list's order wins over PATH's: chromium-browser is in a later PATH entry.
    expect(findAppBrowser({ PATH }, 'linux', d)).toBe(chromiumBrowser);
    expect(findAppBrowser({ PATH: bin }, 'linux', d)).toBe(chrome);
    expect(APP_BROWSERS.indexOf('google-chrome')).toBeLessThan(APP_BROWSERS.indexOf('microsoft-edge'));
    expect(findAppBrowser({ PATH, HEAPSCOPE_BROWSER: edge }, 'linux', d)).toBe(edge);
    expect(findAppBrowser({ PATH, HEAPSCOPE_BROWSER: 'microsoft-edge' }, 'linux', d)).toBe(edge);
    expect(findAppBrowser({ PATH, HEAPSCOPE_BROWSER: '' }, 'linux', d)).toBe(chromiumBrowser); // empty: unset
    expect(() => findAppBrowser({ PATH, HEAPSCOPE_BROWSER: path.join(d, 'gone') }, 'linux', d))
      .toThrow(`HEAPSCOPE_BROWSER ${JSON.stringify(path.join(d, 'gone'))}: no such file`);
    expect(findAppBrowser({ PATH: path.join(d, 'empty') }, 'linux', d)).toBeUndefined();
  });

  it('finds the macOS app bundles, which are not on PATH, in ~/Applications too', async () => {
    const d = await dir();
    const app = await executable(path.join(d, 'Applications', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'));
    // /Applications is looked at first: a Mac with a browser installed system-wide finds that one.
    const systemWide = ['Google Chrome.app', 'Chromium.app', 'Microsoft Edge.app'].some((a) => existsSync(path.join('/Applications', a)));
    expect(findAppBrowser({ PATH: '' }, 'darwin', d)).toBe(systemWide ? expect.stringMatching(/^\/Applications\//) : app);
    expect(findAppBrowser({ PATH: '' }, 'linux', d)).toBeUndefined();
  });

  it('needs a display on Linux', () => {
    if (process.platform === 'darwin') return void expect(hasDisplay({})).toBe(true);
    expect(hasDisplay({})).toBe(false);
    expect(hasDisplay({ DISPLAY: '' })).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' })).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
  });
});

describe('chooseWindow (heapscope open)', () => {
  const present = { binary: { path: '/e/electron' }, entry: { path: '/e/index.js' } };
  const noteOf = (c: ReturnType<typeof chooseWindow>) => (c.kind === 'browser' ? c.note : undefined);
  it('takes Electron when both the binary and the built app are there and nothing needs the web host', () => {
    expect(chooseWindow({}, present.binary, present.entry)).toEqual({ kind: 'electron', binary: '/e/electron', entry: '/e/index.js' });
    expect(chooseWindow({ dir: '/s', attach: [] }, present.binary, present.entry).kind).toBe('electron');
  });

  it('skips it quietly when told to, and says why otherwise', () => {
    expect(chooseWindow({ electron: false }, present.binary, present.entry)).toEqual({ kind: 'browser' });
    expect(chooseWindow({ browser: '/usr/bin/chromium' }, present.binary, present.entry)).toEqual({ kind: 'browser' });
    expect(chooseWindow({}, { missing: 'the Electron binary is not installed' }, present.entry))
      .toEqual({ kind: 'browser', note: 'the desktop app (Electron) is not available: the Electron binary is not installed; using Chromium or Chrome in app mode' });
    expect(noteOf(chooseWindow({}, present.binary, { missing: 'dist/electron/main/index.js is missing' }))).toContain('dist/electron/main/index.js is missing');
    expect(noteOf(chooseWindow({ attach: ['9229'] }, present.binary, present.entry))).toMatch(/^--attach needs the local web server/);
    expect(noteOf(chooseWindow({ port: 0 }, present.binary, present.entry))).toMatch(/^--port needs the local web server/);
  });
});

describe('a launched window process', () => {
  it('app mode: runs the browser with its command line and a private profile, which is removed once it exits', async () => {
    const d = await dir();
    const out = path.join(d, 'seen');
    // A stand-in browser that records what it was given and whether its profile exists, then exits as a closed window does.
    const browser = await executable(path.join(d, 'browser'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${out}'\ncase "$2" in --user-data-dir=*) test -d "\${2#--user-data-dir=}" && echo profile-exists >> '${out}';; esac\nexit 0\n`);
    const win = await launchAppWindow({ url: 'http://127.0.0.1:1/?token=t', browser, env: { PATH: process.env['PATH'] } });
    expect(win.program).toBe(browser);
    expect(path.basename(win.userDataDir!)).toMatch(/^heapscope-window-/);
    const exit = await win.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    const seen = (await readFile(out, 'utf8')).trim().split('\n');
    expect(seen.slice(0, -1)).toEqual(appModeArgs({ url: 'http://127.0.0.1:1/?token=t', userDataDir: win.userDataDir!, root: process.getuid?.() === 0 }));
    expect(seen.at(-1)).toBe('profile-exists');
    expect(existsSync(win.userDataDir!)).toBe(false);
  });

  it('a browser that cannot be started is a WindowLaunchError (exit 2)', async () => {
    const d = await dir();
    const plain = path.join(d, 'plain');
    await writeFile(plain, '');
    const err = await launchAppWindow({ url: 'http://127.0.0.1:1/', browser: plain }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindowLaunchError);
    expect((err as WindowLaunchError).exitCode).toBe(ExitCode.usage);
    expect((err as WindowLaunchError).message).toContain(`cannot start ${plain}`);
  });

  it('close(): SIGTERM by pid, SIGKILL to its process group when it holds on, and no helper outlives it', async () => {
    const d = await dir();
    const pidFile = path.join(d, 'helper.pid');
    const envFile = path.join(d, 'env');
    // Node standing in for Electron: it ignores SIGTERM and leaves a helper process in its group, as a stuck browser would.
    const program = `
      const { spawn } = require('node:child_process');
      const fs = require('node:fs');
      fs.writeFileSync(${JSON.stringify(envFile)}, String(process.env.ELECTRON_RUN_AS_NODE));
      const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      fs.writeFileSync(${JSON.stringify(pidFile)}, String(helper.pid));
      process.on('SIGTERM', () => {});
      setInterval(() => {}, 1000);`;
    // ELECTRON_RUN_AS_NODE would turn Electron into plain Node: it must not reach the app. (Node ignores it.)
    const win = await launchElectron(process.execPath, ['-e', program], { ...process.env, ELECTRON_RUN_AS_NODE: '1' });
    await until(() => existsSync(pidFile) && existsSync(envFile), 'the helper to start');
    const helper = Number(await readFile(pidFile, 'utf8'));
    expect(await readFile(envFile, 'utf8')).toBe('undefined');
    expect(win.userDataDir).toBeUndefined();
    const exit = await win.close(300);
    expect(exit.signal).toBe('SIGKILL');
    expect(alive(win.pid)).toBe(false);
    await until(() => !alive(helper), 'the helper to be gone');
    expect(await win.close()).toBe(exit); // closing twice is harmless
  });

  it('reaps helpers left in the group when the process itself exits', async () => {
    const d = await dir();
    const pidFile = path.join(d, 'helper.pid');
    const program = `
      const helper = require('node:child_process').spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(helper.pid));
      helper.unref();
      setTimeout(() => process.exit(0), 200);`;
    const win = await launchElectron(process.execPath, ['-e', program]);
    const exit = await win.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    const helper = Number(await readFile(pidFile, 'utf8'));
    await until(() => !alive(helper), 'the leftover helper to be killed');
  }, 15_000);
});
