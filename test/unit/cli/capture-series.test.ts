import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { planOutputs } from '../../../src/cli/capture-outputs.js';
import { parseSeconds, Triggers } from '../../../src/cli/capture-triggers.js';
import { FileIoError, UsageError } from '../../../src/shared/errors.js';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'heapscope-plan-'));
mkdirSync(path.join(cwd, 'snaps'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('planOutputs', () => {
  it('one -o or none: a single capture, as before', async () => {
    expect(await planOutputs([], undefined, cwd)).toEqual({ outs: [undefined], labels: [`a new file in ${cwd}`], series: false });
    expect(await planOutputs(['x.heapsnapshot'], undefined, cwd)).toMatchObject({ outs: [path.join(cwd, 'x.heapsnapshot')], series: false });
  });

  it('several -o: a series, files and folders mixed', async () => {
    const p = await planOutputs(['a.heapsnapshot', 'snaps', '/tmp/c.heapsnapshot'], undefined, cwd);
    expect(p.series).toBe(true);
    expect(p.outs).toEqual([path.join(cwd, 'a.heapsnapshot'), path.join(cwd, 'snaps'), '/tmp/c.heapsnapshot']);
    expect(p.labels).toEqual([path.join(cwd, 'a.heapsnapshot'), `a new file in ${path.join(cwd, 'snaps')}`, '/tmp/c.heapsnapshot']);
  });

  it('--count with a {n} pattern, a folder, or nothing', async () => {
    expect((await planOutputs(['s-{n}-of-3-{n}.heapsnapshot'], 3, cwd)).outs)
      .toEqual([1, 2, 3].map((n) => path.join(cwd, `s-${n}-of-3-${n}.heapsnapshot`)));
    expect(await planOutputs(['snaps'], 2, cwd)).toMatchObject({ outs: [path.join(cwd, 'snaps'), path.join(cwd, 'snaps')], series: true });
    expect(await planOutputs([], 2, cwd)).toMatchObject({ outs: [undefined, undefined], series: true });
    expect((await planOutputs(['p-{n}'], 1, cwd)).series).toBe(false);
  });

  it.each([
    [['a', 'b'], 2, /not with several -o/],
    [['plain.heapsnapshot'], 2, /needs -o to be an existing folder or a file name pattern/],
    [['p-{n}'], undefined, /needs --count/],
    [['a', 'a'], undefined, /given twice/],
  ] as const)('refuses %j with --count %s', async (outputs, count, message) => {
    const err = await planOutputs([...outputs], count, cwd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });

  it('a series file in a folder that does not exist: FileIoError (exit 5) up front', async () => {
    await expect(planOutputs(['a', 'nope/b'], undefined, cwd)).rejects.toThrow(FileIoError);
    await expect(planOutputs(['nope/s-{n}'], 2, cwd)).rejects.toThrow(/no such file or directory/);
  });
});

describe('Triggers', () => {
  it('a series without a trigger needs a terminal', () => {
    expect(() => new Triggers({ terminal: false })).toThrow(UsageError);
    expect(() => new Triggers({ terminal: false })).toThrow(/--stdin .*--every SECONDS .*--on-signal/);
    expect(new Triggers({ terminal: true }).interactive).toBe(true);
    expect(new Triggers({ terminal: true, everySeconds: 5 }).interactive).toBe(false);
  });

  it('lines arriving before the wait are counted, one snapshot each; EOF ends it', async () => {
    const stdin = new PassThrough();
    const t = new Triggers({ lines: true, terminal: false });
    t.start(stdin);
    const stop = new AbortController().signal;
    stdin.write('one\ntwo\n');
    await new Promise((r) => setImmediate(r));
    expect(await t.wait(stop)).toEqual({ kind: 'go' });
    expect(await t.wait(stop)).toEqual({ kind: 'go' });
    const third = t.wait(stop);
    stdin.write('three\n');
    expect(await third).toEqual({ kind: 'go' });
    const fourth = t.wait(stop);
    stdin.end();
    expect(await fourth).toEqual({ kind: 'exhausted', reason: 'stdin closed' });
    t.close(stdin);
  });

  it('--every fires after its delay; an abort ends the wait', async () => {
    const t = new Triggers({ everySeconds: 0.05, terminal: false });
    t.start();
    const t0 = Date.now();
    expect(await t.wait(new AbortController().signal)).toEqual({ kind: 'go' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    const slow = new Triggers({ everySeconds: 60, terminal: false });
    const c = new AbortController();
    const w = slow.wait(c.signal);
    c.abort();
    expect(await w).toEqual({ kind: 'aborted' });
    t.close();
    slow.close();
  });

  it('prompts say what to do', () => {
    expect(new Triggers({ terminal: true }).prompt('b.heapsnapshot', '2 of 3')).toBe('press Enter to take b.heapsnapshot (2 of 3; Ctrl-C to stop)');
    expect(new Triggers({ lines: true, terminal: false }).prompt('b', '2 of 2')).toBe('waiting for a line on stdin to take b (2 of 2)');
    expect(new Triggers({ signal: true, everySeconds: 30, terminal: false }).prompt('b', '2 of 2'))
      .toBe(`waiting for SIGUSR2 (kill -USR2 ${process.pid}) or 30 s to take b (2 of 2)`);
  });

  it('parseSeconds', () => {
    expect(parseSeconds('1')).toBe(1);
    expect(parseSeconds('0.5')).toBe(0.5);
    for (const bad of ['0', '-1', 'soon', '1e3', '', ' ']) expect(() => parseSeconds(bad)).toThrow(UsageError);
  });
});
