/**
 * Starting a program with its inspector (`run`, `demo`) and opening a browser, with real processes:
 * `node …`, a bare script, a launcher through NODE_OPTIONS; a fake browser on PATH.
 */
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable, hasDisplay, openBrowser } from '../../src/host/launch.js';
import { hideSecret, startProgram, type StartedProgram } from '../../src/host/session/program.js';
import { getJson } from '../../src/inspector/http-json.js';
import { targetsDir } from '../helpers/target.js';
import { tempDir } from './harness.js';

const idle = path.join(targetsDir, 'idle.mjs');
const started: StartedProgram[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) await p.stop(500);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(command: string[]): Promise<StartedProgram> {
  const p = await startProgram(command, { stdout: 'pipe', echoStderr: false });
  started.push(p);
  return p;
}

/** The inspector at the URL answers /json/version: a live V8 inspector on loopback. */
async function expectInspector(wsUrl: string): Promise<void> {
  const url = new URL(wsUrl);
  expect(url.hostname).toBe('127.0.0.1');
  const version = await getJson('127.0.0.1', Number(url.port), '/json/version', 2000) as Record<string, string>;
  expect(version['Browser']).toMatch(/^node\.js\//);
}

describe('startProgram', () => {
  it.each([
    ['node SCRIPT', () => [process.execPath, idle]],
    ['a bare script', () => [idle]],
    ['a launcher (NODE_OPTIONS)', () => ['/bin/sh', '-c', `exec "${process.execPath}" "${idle}"`]],
  ])('%s: opens the inspector on a free loopback port', async (_what, command) => {
    const p = await start(command());
    expect(p.pid).toBeGreaterThan(0);
    await expectInspector(p.wsUrl);
    await p.stop();
    expect(p.child.exitCode !== null || p.child.signalCode !== null).toBe(true);
  });

  it('passes the program\'s stdout lines through, and stop() ends it by pid (SIGTERM)', async () => {
    const lines: string[] = [];
    const p = await startProgram([process.execPath, idle], { stdout: 'pipe', echoStderr: false, onStdoutLine: (l) => lines.push(l) });
    started.push(p);
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(lines).toContain('heapscope-fixture phase 0 idle');
    await p.stop();
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('says so when the program exits first, or never opens an inspector', async () => {
    await expect(startProgram(['/bin/sh', '-c', 'exit 7'], { echoStderr: false })).rejects.toMatchObject({ name: 'ProgramStartError', exitCode: 3, message: expect.stringContaining('exited (code 7)') });
    // NODE_OPTIONS reaches no Node process here: sleep is not one.
    await expect(startProgram(['/bin/sleep', '30'], { echoStderr: false, timeoutMs: 1000 })).rejects.toMatchObject({ name: 'ProgramStartError', message: expect.stringContaining('opened no inspector') });
    await expect(startProgram(['heapscope-no-such-program'], { echoStderr: false })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining('command not found') });
  });

  it('hides the inspector\'s secret in echoed lines', () => {
    expect(hideSecret('Debugger listening on ws://127.0.0.1:9229/0f2c7e0a-1b2c-4d5e-8f90-123456789abc'))
      .toBe('Debugger listening on ws://127.0.0.1:9229/<hidden>');
    expect(hideSecret('nothing to hide')).toBe('nothing to hide');
  });
});

describe('openBrowser', () => {
  it('does nothing without a display', () => {
    expect(hasDisplay({})).toBe(process.platform === 'darwin');
    if (process.platform !== 'darwin') expect(openBrowser('http://127.0.0.1:1/?token=x', { PATH: process.env['PATH'] })).toBeUndefined();
  });

  it('with a display, runs the first browser on PATH, detached, and returns at once', async () => {
    if (process.platform === 'darwin') return;
    const bin = await tempDir('heapscope-bin-');
    dirs.push(bin);
    const log = path.join(bin, 'opened.txt');
    // A stand-in xdg-open that records its argument, slowly: openBrowser must not wait for it.
    await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nsleep 1\nprintf '%s' "$1" > "${log}"\n`);
    await chmod(path.join(bin, 'xdg-open'), 0o755);
    const env = { PATH: bin, DISPLAY: ':99' };
    expect(findExecutable(['chromium', 'xdg-open'], env)).toBe(path.join(bin, 'xdg-open'));
    const t0 = Date.now();
    expect(openBrowser('http://127.0.0.1:1/?token=abc', env)).toBe(path.join(bin, 'xdg-open'));
    expect(Date.now() - t0).toBeLessThan(500);
    let opened = '';
    for (let i = 0; i < 60 && !opened; i++) {
      await new Promise((r) => setTimeout(r, 100));
      opened = await readFile(log, 'utf8').catch(() => '');
    }
    expect(opened).toBe('http://127.0.0.1:1/?token=abc');
    // No browser at all: nothing opened, nothing thrown.
    expect(openBrowser('http://x', { PATH: path.join(bin, 'none'), DISPLAY: ':99' })).toBeUndefined();
  });
});
