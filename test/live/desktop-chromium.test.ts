/**
 * Chromium pages as capture targets, against Debian's real Chromium (headless): discovery through
 * DevToolsActivePort (`chromium:DIR`, or the file's path), PORT with --pick, --list, and the
 * target's memory beside each snapshot. Run `npm run build` first (the CLI runs from dist).
 */
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type RunningChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';
import { startPagesServer, type PagesServer } from '../helpers/pages-server.js';

const missing = chromiumMissing();
if (missing) process.stdout.write(`skipping Chromium target tests: ${missing}\n`);

let server: PagesServer;
let browser: RunningChromium;
let dir: string;

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-desktop-'));
  server = await startPagesServer();
  browser = await launchChromium(server.url('detached-rows.html'));
  // Wait for the page to have run its scripts, so every capture below sees the same page.
  await (await browser.openPage('detached-rows.html')).close();
});

afterAll(async () => {
  await browser?.stop();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ListEntry { id: string; type: string; title: string; url: string; webSocketDebuggerUrl?: string }
async function jsonList(): Promise<ListEntry[]> {
  return (await (await fetch(`http://127.0.0.1:${browser.port}/json/list`)).json()) as ListEntry[];
}

interface CaptureDoc {
  file: string; bytes: number; address: string;
  memory?: { heapUsed: number; heapTotal: number; embedderHeapUsed?: number; rss?: number; pid?: number; dom?: { nodes: number; documents: number; jsEventListeners: number } };
}

function expectSnapshot(file: string): void {
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; strings: string[] };
  // A browser snapshot: DOM state per node, and this page's DOM in it.
  expect(json.snapshot.meta.node_fields).toContain('detachedness');
  expect(json.strings).toContain('undoHistory');
}

describe.skipIf(missing)('Chromium pages as targets', () => {
  it('chromium:USER_DATA_DIR finds the port in DevToolsActivePort and captures the page, with its memory', async () => {
    const out = path.join(dir, 'by-dir.heapsnapshot');
    const r = await runCli(['capture', `chromium:${browser.userDataDir}`, '-o', out, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    expect(doc.file).toBe(out);
    expect(doc.address).toBe(`127.0.0.1:${browser.port}`);
    expectSnapshot(out);

    const m = doc.memory!;
    expect(m.heapUsed).toBeGreaterThan(0);
    expect(m.heapTotal).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.embedderHeapUsed).toBeGreaterThan(0);
    // The page's renderer (the only one that is not Chromium's own UI): a real process, bigger than its JS heap.
    expect(m.rss).toBeGreaterThan(m.heapUsed);
    // Chromium rewrites its renderers' argv into one string: look for the flag in the text.
    const cmdline = readFileSync(`/proc/${m.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('--type=renderer');
    expect(cmdline).not.toContain('--top-chrome-webui');
    // 5 rows of 2 cells, their text, the table, the buttons: the page's DOM is counted.
    expect(m.dom!.documents).toBeGreaterThanOrEqual(1);
    expect(m.dom!.nodes).toBeGreaterThan(20);
  });

  it('the DevToolsActivePort file itself is a TARGET; a missing or bogus file is exit 3 with the reason', async () => {
    const out = path.join(dir, 'by-file.heapsnapshot');
    const ok = await runCli(['capture', path.join(browser.userDataDir, 'DevToolsActivePort'), '-o', out, '-q']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(out);
    expectSnapshot(out);

    const none = await runCli(['capture', `chromium:${path.join(dir, 'no-such-profile')}`, '-q']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/DevToolsActivePort: no such file: is Chromium running with --remote-debugging-port and this --user-data-dir\?/);

    writeFileSync(path.join(dir, 'DevToolsActivePort'), 'hello\n/devtools/browser/x\n');
    const bad = await runCli(['capture', `chromium:${dir}`, '-q']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/its first line is not a port number/);

    const empty = await runCli(['capture', 'chromium:', '-q']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/chromium: needs a path/);
  });

  it('PORT alone picks the one page: Chromium\'s own UI (browser_ui) is never a candidate; --pick matches title or URL', async () => {
    const listed = await jsonList();
    const pages = listed.filter((t) => t.type === 'page');
    expect(pages.map((p) => p.title)).toEqual(['heapscope fixture: detached rows']);
    if (!listed.some((t) => t.type === 'browser_ui')) process.stdout.write('note: this Chromium lists no browser_ui targets\n');

    const plain = await runCli(['capture', String(browser.port), '-o', path.join(dir, 'plain.heapsnapshot'), '-q']);
    expect(plain.code, plain.stderr).toBe(0);
    const picked = await runCli(['capture', String(browser.port), '--pick', 'DETACHED ROWS', '-o', path.join(dir, 'picked.heapsnapshot'), '-q']);
    expect(picked.code, picked.stderr).toBe(0);
    expectSnapshot(path.join(dir, 'picked.heapsnapshot'));

    const nothing = await runCli(['capture', String(browser.port), '--pick', 'no such page', '-q']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('no target at 127.0.0.1:');
    expect(nothing.stderr).toContain('heapscope fixture: detached rows');
    expect(nothing.stderr).not.toContain('Omnibox');
  });

  it('our WebSocket client sends no Origin header (Chromium 111+ refuses connections that carry one)', async () => {
    const page = (await jsonList()).find((t) => t.type === 'page')!;
    const open = (origin?: string) => new Promise<string>((resolve) => {
      const ws = new WebSocket(page.webSocketDebuggerUrl!.replace('localhost', '127.0.0.1'), origin ? { origin } : {});
      ws.once('open', () => { ws.close(); resolve('open'); });
      ws.once('unexpected-response', (_req, res) => { resolve(`HTTP ${res.statusCode}`); ws.terminate(); });
      ws.once('error', (err) => resolve(`error ${err.message}`));
    });
    // The refusal is real here, so the captures above prove that heapscope sends none.
    expect(await open('http://127.0.0.1:1')).toBe('HTTP 403');
    expect(await open()).toBe('open');
  });

  it('--list prints type, title and URL of every page (never a WebSocket id); with two pages PORT alone is ambiguous', async () => {
    await newPage(server.url('weakmap-cache.html'));
    const listed = await jsonList();
    expect(listed.filter((t) => t.type === 'page')).toHaveLength(2);

    const text = await runCli(['capture', `chromium:${browser.userDataDir}`, '--list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:${browser.port} · Chrome/[\\d.]+ · 2 targets\\n`));
    expect(text.stdout).toMatch(/page\s+heapscope fixture: detached rows\s+http:\/\/127\.0\.0\.1:\d+\/detached-rows\.html/);
    expect(text.stdout).toMatch(/page\s+heapscope fixture: WeakMap cache\s+http:\/\/127\.0\.0\.1:\d+\/weakmap-cache\.html/);
    expect(text.stdout).not.toMatch(/browser_ui|Omnibox/);

    const json = await runCli(['capture', String(browser.port), '--list', '--json', '--pick', 'weakmap']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      address: `127.0.0.1:${browser.port}`,
      browser: expect.stringMatching(/^Chrome\//),
      targets: [{ type: 'page', title: 'heapscope fixture: WeakMap cache', url: server.url('weakmap-cache.html') }],
    });
    for (const t of listed) {
      expect(text.stdout + json.stdout).not.toContain(t.id);
    }

    const ambiguous = await runCli(['capture', String(browser.port), '-q']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('2 targets at 127.0.0.1:');
  });

  it('--worker is for Node processes: refused on a Chromium page (exit 2)', async () => {
    const r = await runCli(['capture', String(browser.port), '--pick', 'detached', '--worker', '1', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--worker is for Node processes; 127\.0\.0\.1:\d+ is Chrome\/[\d.]+ \(a page target\)/);
  });
});

/** Opens another tab through the DevTools HTTP endpoint (PUT since Chromium 111). */
function newPage(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: browser.port, method: 'PUT', path: `/json/new?${url}` }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`/json/new answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
