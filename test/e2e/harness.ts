/**
 * What every dashboard test needs: a real `heapscope serve|run|demo` process (the built CLI) on a
 * private store directory, its URL, a WebSocket client of the same UiApi contract the page uses
 * (to read what the server holds and cross-check the page), and the CLI to compare numbers with.
 * Everything started here is stopped by pid when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import WebSocket from 'ws';
import type { SnapshotMeta, UiChannel, UiHostMessage, UiRequest, UiResponse, UiEvents, UiEventName } from '../../src/shared/contract.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { repoRoot, startTarget, type RunningTarget } from '../helpers/target.js';
import { formatCount } from '../../renderer/lib/format.js';

export { expect } from '@playwright/test';
export { runCli, startTarget, repoRoot, type RunningTarget };

export interface Server {
  /** The dashboard URL the CLI printed (token included). */
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const URL_LINE = /heapscope dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

/** Starts `heapscope COMMAND ARGS --no-open --dir DIR` and waits for the dashboard URL line. */
export async function startServer(command: 'serve' | 'run' | 'demo', args: string[], dir: string, timeoutMs = 90_000): Promise<Server> {
  const opts = ['--no-open', '--dir', dir];
  // `run` takes its program after `--`: our options go before it.
  const dash = args.indexOf('--');
  const argv = dash >= 0 ? [command, ...args.slice(0, dash), ...opts, ...args.slice(dash)] : [command, ...args, ...opts];
  const child = spawn(process.execPath, [cliPath, ...argv], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await once(child, 'exit');
    clearTimeout(timer);
    return child.exitCode;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no dashboard URL within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
    const check = () => {
      const m = URL_LINE.exec(out);
      if (m) done(undefined, m[1]);
    };
    const onExit = () => done(new Error(`heapscope ${argv.join(' ')} exited (${child.exitCode ?? child.signalCode}) before serving\nstdout: ${out}\nstderr: ${err}`));
    function done(e?: Error, u?: string) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      if (e) reject(e); else resolve(u!);
    }
    child.stdout!.on('data', check);
    child.once('exit', onExit);
    check();
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  const parsed = new URL(url);
  return { url, origin: parsed.origin, token: parsed.searchParams.get('token')!, process: child, stdout: () => out, stderr: () => err, stop };
}

/** A WebSocket client of the UiApi contract, for tests to read what the server holds. */
export class WsApi {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(event: string, data: unknown) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as UiHostMessage;
      if (m.type === 'result') {
        const p = this.pending.get(m.callId);
        this.pending.delete(m.callId);
        if (m.ok) p?.resolve(m.response);
        else p?.reject(Object.assign(new Error(m.error.message), m.error));
      } else for (const fn of this.listeners) fn(m.event, m.data);
    });
  }

  static async connect(server: Server): Promise<WsApi> {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws?token=${server.token}`);
    await once(ws, 'open');
    return new WsApi(ws);
  }

  call<C extends UiChannel>(channel: C, request: UiRequest<C>): Promise<UiResponse<C>> {
    const callId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(callId, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ type: 'call', callId, channel, request }));
    });
  }

  /** Resolves with the first event of that name whose data passes `match`. */
  waitFor<E extends UiEventName>(event: E, match: (data: UiEvents[E]) => boolean, timeoutMs = 60_000): Promise<UiEvents[E]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.listeners.delete(fn); reject(new Error(`no ${event} event within ${timeoutMs} ms`)); }, timeoutMs);
      const fn = (name: string, data: unknown) => {
        if (name === event && match(data as UiEvents[E])) {
          clearTimeout(timer);
          this.listeners.delete(fn);
          resolve(data as UiEvents[E]);
        }
      };
      this.listeners.add(fn);
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Downloads a stored snapshot through the export URL into `dir`; returns the file path. */
export async function exportSnapshot(server: Server, snapshotId: string, dir: string): Promise<string> {
  const res = await fetch(`${server.origin}/api/snapshots/${snapshotId}/file?token=${server.token}`);
  if (!res.ok) throw new Error(`export ${snapshotId}: HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const file = path.join(dir, `${snapshotId}.heapsnapshot${gz ? '.gz' : ''}`);
  writeFileSync(file, bytes);
  return file;
}

/** The CLI's JSON for the same file(s): the numbers the dashboard must show. */
export async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--json']);
  if (r.code !== 0 && !(args[0] === 'check' && r.code === 1)) throw new Error(`heapscope ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Where each view's screenshot goes (kept as a test artifact). */
export const SCREENSHOTS = path.join(repoRoot, 'test-results', 'screenshots');
export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Opens the dashboard and waits until its WebSocket is up. */
export async function openDashboard(page: Page, server: Server): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByTestId('connection-state')).toHaveText('open');
}

/**
 * Records, from the page's first script on, every element with one of these data-testids that was
 * ever added to the DOM (`window.__seen[testid]` counts them). A capture's progress bar can come
 * and go between two polls of an assertion; this sees it anyway.
 */
export async function watchTestIds(page: Page, testids: string[]): Promise<void> {
  await page.addInitScript((ids: string[]) => {
    const seen: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
    (window as unknown as { __seen: Record<string, number> }).__seen = seen;
    const visit = (node: Node) => {
      if (!(node instanceof Element)) return;
      for (const id of ids) {
        if (node.matches(`[data-testid="${id}"]`)) seen[id]!++;
        seen[id]! += node.querySelectorAll(`[data-testid="${id}"]`).length;
      }
    };
    new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach(visit);
    }).observe(document, { childList: true, subtree: true });
  }, testids);
}

/** How many elements with this data-testid were ever added (see watchTestIds). */
export function seenCount(page: Page, testid: string): Promise<number> {
  return page.evaluate((id) => (window as unknown as { __seen: Record<string, number> }).__seen[id] ?? 0, testid);
}

/** Text as a person reads it: no-break spaces and runs of white space as one space. */
export function norm(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** SizeCell's tooltip (`1 234 567 bytes`) as a number. */
export function exactBytes(title: string | null | undefined): number {
  const digits = (title ?? '').replace(/[^0-9]/g, '');
  if (!/^\d+ ?/.test(digits)) throw new Error(`not a byte count: ${JSON.stringify(title)}`);
  return Number(digits);
}

/**
 * Clicks an element inside a VirtualList row. Playwright's own scrolling into view does not suit a
 * virtualized list (rows come and go as it scrolls, and a click can land on whichever row took the
 * place): scroll the list so the row sits in the middle of the viewport, then click it there.
 */
export async function clickInList(list: Locator, target: Locator, options?: Parameters<Locator['click']>[0]): Promise<void> {
  const top = await target.evaluate((el) => {
    let slot: HTMLElement | null = el as HTMLElement;
    while (slot && !slot.classList.contains('slot')) slot = slot.parentElement;
    if (!slot) throw new Error('not inside a VirtualList row');
    return new DOMMatrixReadOnly(getComputedStyle(slot).transform).m42;
  });
  await list.evaluate((viewport, y) => {
    viewport.scrollTop = Math.max(0, y - viewport.clientHeight / 2);
  }, top);
  await expect(target).toBeInViewport();
  await target.click(options);
}

/** Stored snapshots, oldest first, as the server holds them. */
export async function storedSnapshots(api: WsApi): Promise<SnapshotMeta[]> {
  return (await api.call('session.state', {})).snapshots;
}

/** Per-test fixtures: a private temp directory, and servers/targets stopped when the test ends. */
export const test = base.extend<{
  tmp: string;
  serve: (command: 'serve' | 'run' | 'demo', args?: string[]) => Promise<Server>;
  target: (name: string) => Promise<RunningTarget>;
}>({
  // An exception the page did not catch is a bug whatever the test checks.
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
  tmp: async ({}, use) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'heapscope-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  serve: async ({ tmp }, use) => {
    const servers: Server[] = [];
    await use(async (command, args = []) => {
      const s = await startServer(command, args, path.join(tmp, 'store'));
      servers.push(s);
      return s;
    });
    for (const s of servers) await s.stop();
  },
  target: async ({}, use) => {
    const targets: RunningTarget[] = [];
    await use(async (name) => {
      const t = await startTarget(name);
      targets.push(t);
      return t;
    });
    for (const t of targets) await t.stop();
  },
});

/** "1 class", "1 234 classes": the Summary's and Comparison's count as the page words it. */
export function classCount(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'class' : 'classes'}`;
}
