/**
 * The window's security settings as the app creates them (src/host/electron/window.ts), and the
 * heapscope://app protocol (protocol.ts) answering from the built renderer with the web host's
 * security headers: no Electron needed to read either.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppArgs, userArgs } from '../../src/host/electron/args.js';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, APP_URL, appHeaders, appResponse, isAppUrl } from '../../src/host/electron/protocol.js';
import { navigationAllowed, permissionAllowed, windowOpenHandler, windowOptions } from '../../src/host/electron/window.js';
import { contentSecurityPolicy, securityHeaders } from '../../src/host/web/security.js';

const preload = path.resolve('dist/electron/preload/index.cjs');

describe('window options', () => {
  const prefs = windowOptions({ preload, dev: false }).webPreferences!;

  it('isolate the page: context isolation, sandbox, no Node anywhere, web security on', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    // The remote module left Electron in 14; nothing may bring it back by name.
    expect(Object.keys(prefs).filter((k) => /remote/i.test(k))).toEqual([]);
  });

  it('load the built preload and allow DevTools only with --dev', () => {
    expect(prefs.preload).toBe(preload);
    expect(prefs.devTools).toBe(false);
    expect(windowOptions({ preload, dev: true }).webPreferences!.devTools).toBe(true);
  });

  it('open no second window', () => {
    expect(windowOpenHandler()).toEqual({ action: 'deny' });
    expect(windowOpenHandler({ url: 'https://evil.example/', frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'no-referrer' }, postBody: undefined } as never)).toEqual({ action: 'deny' });
  });

  it('stop navigation anywhere but our origin', () => {
    for (const url of [APP_URL, `${APP_ORIGIN}/`, `${APP_ORIGIN}/index.html?x=1#summary`]) expect(navigationAllowed(url), url).toBe(true);
    for (const url of [
      'https://evil.example/', 'http://127.0.0.1:8080/?token=x', `file://${path.resolve('dist/electron/renderer/index.html')}`,
      'heapscope://evil/index.html', 'heapscope://app.evil/', 'heapscope://app@evil/', 'heapscope://app:1/', 'javascript:alert(1)',
      'data:text/html,<script>1</script>', 'about:blank', 'chrome://settings', 'devtools://devtools/bundled/inspector.html', '', 'not a url',
    ]) {
      expect(navigationAllowed(url), url).toBe(false);
    }
  });

  it('deny every permission', () => {
    for (const p of ['media', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'geolocation', 'openExternal', 'fileSystem', 'hid', 'serial', 'usb']) {
      expect(permissionAllowed(p), p).toBe(false);
    }
  });
});

describe('the app protocol', () => {
  const root = path.resolve('dist/electron/renderer');
  let outside: string;

  beforeAll(async () => {
    outside = await mkdtemp(path.join(os.tmpdir(), 'heapscope-protocol-'));
  });
  afterAll(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  it('is standard and secure, with no CSP bypass and no service workers', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'heapscope', privileges: { standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false } });
  });

  it('sends the web host CSP and headers; only connect-src differs (no sockets: the app talks IPC)', () => {
    const headers = appHeaders();
    expect(headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    const web = securityHeaders(4321);
    expect(Object.keys(headers).sort()).toEqual(Object.keys(web).sort());
    for (const name of Object.keys(web)) if (name !== 'Content-Security-Policy') expect(headers[name], name).toBe(web[name]);
    const app = headers['Content-Security-Policy'].split('; ');
    const webCsp = web['Content-Security-Policy'].split('; ');
    expect(app.filter((d) => !d.startsWith('connect-src'))).toEqual(webCsp.filter((d) => !d.startsWith('connect-src')));
    expect(app).toContain("connect-src 'self'");
    expect(app).toContain("script-src 'self'");
    expect(app).toContain("default-src 'none'");
  });

  it('serves the built dashboard with those headers', async () => {
    const r = await appResponse(root, APP_URL);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(r.headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    const html = String(r.body);
    expect(html).toContain('<div id="app">');
    const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(html);
    expect(script, 'the entry script').not.toBeNull();
    const js = await appResponse(root, `${APP_ORIGIN}/${script![1]}`);
    expect(js.status).toBe(200);
    expect(js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await appResponse(root, `${APP_ORIGIN}/`)).body).toEqual(r.body);
  });

  it('refuses paths that step outside, other hosts, other methods and missing files', async () => {
    for (const p of ['/assets/..%2f..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/index.html%00.js', '/%ZZ']) {
      const r = await appResponse(root, `${APP_ORIGIN}${p}`);
      expect(r.status, p).toBe(400);
      expect(r.headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    }
    // URL parsing resolves `..` and `%2e%2e` segments before we see them: they cannot climb above the root.
    for (const p of ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/%2E%2E/%2E%2E/package.json']) {
      expect((await appResponse(root, `${APP_ORIGIN}${p}`)).status, p).toBe(404);
    }
    expect((await appResponse(root, 'heapscope://evil/index.html')).status).toBe(404);
    expect((await appResponse(root, `file://${root}/index.html`)).status).toBe(404);
    expect((await appResponse(root, APP_URL, 'POST')).status).toBe(405);
    expect((await appResponse(root, `${APP_ORIGIN}/nope.js`)).status).toBe(404);
    expect((await appResponse(root, `${APP_ORIGIN}/assets`)).status).toBe(404);
  });

  it('refuses a symlink that leads out of the root', async () => {
    const secret = path.join(outside, 'secret.txt');
    await writeFile(secret, 'secret');
    const fakeRoot = path.join(outside, 'renderer');
    await mkdir(fakeRoot);
    await writeFile(path.join(fakeRoot, 'index.html'), '<!doctype html>');
    await symlink(secret, path.join(fakeRoot, 'leak.txt'));
    expect((await appResponse(fakeRoot, APP_URL)).status).toBe(200);
    const r = await appResponse(fakeRoot, `${APP_ORIGIN}/leak.txt`);
    expect(r.status).toBe(404);
    expect(String(r.body)).not.toContain('secret');
  });

  it('tells how to build when the renderer is missing', async () => {
    const r = await appResponse(path.join(outside, 'missing'), APP_URL);
    expect(r.status).toBe(404);
    expect(String(r.body)).toContain('npm run build');
  });

  it('recognises only its own origin', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl('HEAPSCOPE://app/index.html')).toBe(true);
    expect(isAppUrl('heapscope:app/index.html')).toBe(false);
  });
});

describe('command line', () => {
  it('takes --dev, --store-dir and files, and leaves Chromium switches alone', () => {
    expect(parseAppArgs(['--dev', '--store-dir=/tmp/s', 'a.heapsnapshot', '--no-sandbox', '--remote-debugging-port=0', '--', '--odd.heapsnapshot'])).toEqual({
      dev: true, storeDir: '/tmp/s', files: ['a.heapsnapshot', '--odd.heapsnapshot'],
    });
    expect(parseAppArgs([])).toEqual({ dev: false, storeDir: undefined, files: [] });
    expect(parseAppArgs(['--store-dir='])).toEqual({ dev: false, storeDir: undefined, files: [] });
  });

  it('finds the app arguments after the entry script, whatever switches a launcher put before it', () => {
    const entry = path.resolve('dist/electron/main/index.js');
    expect(userArgs(['/x/electron', '--inspect=0', '--remote-debugging-port=0', 'dist/electron/main/index.js', 'a.heapsnapshot'], entry, false)).toEqual(['a.heapsnapshot']);
    expect(userArgs(['/x/electron', entry, '--dev'], entry, false)).toEqual(['--dev']);
    expect(userArgs(['/x/electron', 'dist/electron/main', 'b.heapsnapshot.gz'], entry, false)).toEqual(['b.heapsnapshot.gz']);
    expect(userArgs(['/x/heapscope', 'c.heapsnapshot'], entry, true)).toEqual(['c.heapsnapshot']);
  });
});
