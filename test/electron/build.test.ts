/**
 * The desktop app as `npm run build` leaves it (electron-vite, electron.config.ts), type-checked by
 * `npm run typecheck` with Electron's own typings, which install without the binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/engine/client.js';
import { fixtureSnapshot } from './harness.js';

const out = path.resolve('dist/electron');
const read = (p: string) => readFileSync(path.join(out, p), 'utf8');

describe('dist/electron', () => {
  it('holds main (with the engine worker), preload and renderer', () => {
    for (const p of ['main/index.js', 'main/engine.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(existsSync(path.join(out, p)), `${p} is missing: run \`npm run build\``).toBe(true);
    }
  });

  it('main is an ES module that starts the engine from its own engine.js and serves the renderer beside it', () => {
    const main = read('main/index.js');
    expect(main).toMatch(/^import .* from "electron";$/m);
    expect(main).toContain('new URL("./engine.js", import.meta.url)');
    expect(main).toContain('"../preload/index.cjs"');
    expect(main).toContain('"../renderer"');
    expect(read('main/engine.js')).toMatch(/parentPort/);
  });

  it('the bundled engine worker (main/engine.js) loads and analyses a snapshot as the app will run it', async () => {
    const engine = await EngineClient.start({ workerFile: pathToFileURL(path.join(out, 'main/engine.js')) });
    try {
      const loaded = await engine.call('snapshot.load', { path: fixtureSnapshot('target') });
      expect(loaded.nodes).toBeGreaterThan(10_000);
      const page = await engine.call('summary.range', { snapshotId: loaded.snapshotId, start: 0, end: 3 });
      expect(page.rows).toHaveLength(3);
      expect(page.total).toBeGreaterThan(10);
    } finally {
      await engine.close();
    }
  });

  it('preload is one CommonJS file that requires nothing but electron (a sandboxed preload can require no more)', () => {
    const preload = read('preload/index.cjs');
    const requires = [...preload.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('renderer loads its script and stylesheet from files, nothing inline (the app CSP)', () => {
    const html = read('renderer/index.html');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0][1]).toMatch(/\bsrc="\.\/assets\/index-[\w-]+\.js"/);
    expect(scripts[0][2].trim()).toBe('');
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).toMatch(/<link\b[^>]*rel="stylesheet"[^>]*href="\.\/assets\/[\w-]+\.css"/);
  });
});

describe('type checking', () => {
  it('Electron typings are installed even without the binary', () => {
    expect(existsSync(path.resolve('node_modules/electron/electron.d.ts'))).toBe(true);
  });

  it('tsconfig.json covers the app and its build config; the tsc build leaves them to electron-vite', () => {
    const parse = (file: string) => {
      const parsed = ts.getParsedCommandLineOfConfigFile(path.resolve(file), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
      return parsed!.fileNames.map((f) => path.relative(process.cwd(), f));
    };
    const checked = parse('tsconfig.json');
    for (const f of ['main.ts', 'preload.ts', 'preload-bridge.ts', 'ipc.ts', 'window.ts', 'menu.ts', 'protocol.ts', 'args.ts']) {
      expect(checked).toContain(path.join('src/host/electron', f));
    }
    expect(checked).toContain('electron.config.ts');
    expect(checked).toContain('src/shared/bridge.ts');
    expect(parse('tsconfig.build.json').filter((f) => f.startsWith('src/host/electron'))).toEqual([]);
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>; devDependencies: Record<string, string>; allowScripts: Record<string, boolean>; files: string[];
  };

  it('pins electron 41.7.1 exactly (41.7.2 and later need Node 22) and keeps its own download off', () => {
    expect(pkg.devDependencies['electron']).toBe('41.7.1');
    expect(pkg.devDependencies['electron-vite']).toMatch(/^\^6\./);
    expect(pkg.allowScripts['electron']).toBe(false);
    expect(pkg.scripts['postinstall']).toBe('node scripts/electron-install.mjs');
    expect(pkg.files).toContain('scripts/electron-install.mjs');
  });

  it('builds the app in npm run build', () => {
    expect(pkg.scripts['build']).toMatch(/&& npm run build:electron$/);
    expect(pkg.scripts['build:electron']).toBe('electron-vite build --config electron.config.ts');
  });
});
