import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertComparable, matchSnapshots, SnapshotMismatchError } from '../../src/analysis/match.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/fake-inspector.js';
import { repoRoot, startTarget, type RunningTarget } from '../helpers/target.js';

// `heapscope capture TARGET -o A -o B …`: a series of snapshots in one inspector session, so that
// object ids stay comparable (V8 forgets them when a session closes: fixtures/targets/README.md
// item 1). Real targets, heapscope as a real subprocess (run `npm run build` first).

let dir: string;
const started: RunningTarget[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-series-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const t of started.splice(0)) await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function target(name = 'idle.mjs', options?: Parameters<typeof startTarget>[1]): Promise<RunningTarget> {
  const t = await startTarget(name, options);
  started.push(t);
  return t;
}

const file = (name: string) => path.join(dir, name);

/** heapscope as a subprocess whose stdin the test writes and whose stdout it reads line by line. */
function heapscope(args: string[]) {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  const poke = () => { for (const w of waiters.splice(0)) w(); };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; poke(); });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; poke(); });
  child.stdin!.on('error', () => {}); // heapscope may be gone when the test writes
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { poke(); resolve(code); }));
  const until = (cond: () => boolean, what: string, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
    const check = () => {
      if (cond()) { clearTimeout(timer); resolve(); return; }
      if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(timer);
        reject(new Error(`heapscope exited (${child.exitCode ?? child.signalCode}) before ${what}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      waiters.push(check);
    };
    check();
  });
  return {
    child,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    lines: () => stdout.split('\n').filter(Boolean),
    /** Resolves once heapscope has printed `n` paths. */
    printed: (n: number) => until(() => stdout.split('\n').filter(Boolean).length >= n, `path ${n} on stdout`),
    stderrMatches: (re: RegExp) => until(() => re.test(stderr), `stderr to match ${re}`),
    line: () => child.stdin!.write('\n'),
    exited,
  };
}

/** A whole snapshot, private to us. */
function expectSnapshotFile(f: string): void {
  expect(statSync(f).mode & 0o777).toBe(0o600);
  const json = JSON.parse(readFileSync(f, 'utf8')) as { snapshot: { node_count: number; meta: { node_fields: string[] } }; nodes: number[] };
  expect(json.nodes.length).toBe(json.snapshot.node_count * json.snapshot.meta.node_fields.length);
}

function noTempFiles(): void {
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

/** Ordinals of the `Widget` instances (JS objects) in a snapshot. */
function widgets(s: LoadedSnapshot): number[] {
  const g = s.graph;
  const out: number[] = [];
  for (let o = 0; o < g.nodeCount; o++) if (g.nodeTypeName(o) === 'object' && g.nodeNameString(o) === 'Widget') out.push(o);
  return out;
}

describe('a series in one session', () => {
  it('--stdin: 3 snapshots of listener-leak stepped between them are comparable; the leaked Widgets keep their ids', async () => {
    const t = await target('listener-leak.mjs');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => file(`${n}.heapsnapshot`)) as [string, string, string];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '-o', c, '--stdin']);
    // Each path is printed as soon as it is written: the test waits for it before stepping the target.
    await h.printed(1);
    expect(h.lines()).toEqual([a]);
    await h.stderrMatches(/waiting for a line on stdin to take .*b\.heapsnapshot \(2 of 3\)/);
    expect(await t.next()).toBe(1); // opened: 20 Widgets
    h.line();
    await h.printed(2);
    expect(await t.next()).toBe(2); // closed: the 20 leak, kept by their 'theme' listeners
    h.line();
    expect(await h.exited, h.stderr).toBe(0);
    expect(h.lines()).toEqual([a, b, c]);
    for (const f of [a, b, c]) expectSnapshotFile(f);
    noTempFiles();

    const [sa, sb, sc] = await Promise.all([a, b, c].map((f) => LoadedSnapshot.load(f)));
    for (const [before, after] of [[sa!, sb!], [sb!, sc!], [sa!, sc!]] as const) {
      const m = matchSnapshots(before, after);
      expect(m.stray, `${before.file} → ${after.file}`).toBe(0);
      expect(m.renamed, `${before.file} → ${after.file}`).toBeLessThanOrEqual(1);
      expect(() => assertComparable(before, after, m)).not.toThrow();
    }
    expect(widgets(sa!)).toHaveLength(0);
    const wb = widgets(sb!);
    expect(wb).toHaveLength(20);
    const m = matchSnapshots(sb!, sc!);
    for (const o of wb) {
      const inC = m.afterOf[o]!;
      expect(inC, `Widget @${sb!.graph.nodeId[o]} of b is in c`).toBeGreaterThanOrEqual(0);
      expect(sc!.graph.nodeId[inC]).toBe(sb!.graph.nodeId[o]);
      expect(sc!.graph.nodeNameString(inC)).toBe('Widget');
    }
    expect(widgets(sc!)).toHaveLength(20);
  });

  it('negative control: two separate `heapscope capture` runs around the same step cannot be compared', async () => {
    // The same before/after as above, but one session per run: the first run's session closing made
    // V8 forget every id, and the second run numbered the changed heap afresh. (Two runs with no
    // change in between can come out numbered alike: V8 renumbers in heap order.)
    const t = await target('listener-leak.mjs');
    const [a, b] = [file('one.heapsnapshot'), file('two.heapsnapshot')];
    const first = await runCli(['capture', String(t.port), '-o', a, '-q']);
    expect(first.code, first.stderr).toBe(0);
    expect(await t.next()).toBe(1);
    const second = await runCli(['capture', String(t.port), '-o', b, '-q']);
    expect(second.code, second.stderr).toBe(0);
    const [sa, sb] = await Promise.all([LoadedSnapshot.load(a), LoadedSnapshot.load(b)]);
    const m = matchSnapshots(sa!, sb!);
    expect(m.stray + m.renamed).toBeGreaterThan(1000);
    expect(() => assertComparable(sa!, sb!, m)).toThrow(SnapshotMismatchError);
  });

  it('--every 1 with 2 files; --json lists both', async () => {
    const t = await target();
    const [a, b] = [file('a.heapsnapshot'), file('b.heapsnapshot')];
    const t0 = Date.now();
    const r = await runCli(['capture', String(t.port), '-o', a, '-o', b, '--every', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(r.stderr).toMatch(/waiting for 1 s to take .*b\.heapsnapshot \(2 of 2\)/);
    const doc = JSON.parse(r.stdout) as { file: string; snapshots: Array<{ file: string; bytes: number; nodeCount: number; address: string }>; complete: boolean };
    expect(doc.complete).toBe(true);
    expect(doc.file).toBe(a);
    expect(doc.snapshots.map((s) => s.file)).toEqual([a, b]);
    for (const s of doc.snapshots) {
      expect(s).toEqual({ file: s.file, bytes: statSync(s.file).size, nodeCount: expect.any(Number), edgeCount: expect.any(Number), address: `127.0.0.1:${t.port}`,
        memory: { heapUsed: expect.any(Number), heapTotal: expect.any(Number), rss: expect.any(Number), pid: t.pid } });
      expectSnapshotFile(s.file);
    }
    expect(statSync(b).mtimeMs - statSync(a).mtimeMs).toBeGreaterThanOrEqual(900);
  });

  it('--on-signal: SIGUSR2 to heapscope takes the next; one sent before the first snapshot is counted, not fatal', async () => {
    const t = await target();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => file(`${n}.heapsnapshot`)) as [string, string, string];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '-o', c, '--on-signal']);
    // The handler is in place before attaching: signal as soon as it says it attached.
    await h.stderrMatches(/attached to/);
    h.child.kill('SIGUSR2');
    await h.printed(2); // b follows a without waiting: the early signal was counted
    await h.stderrMatches(new RegExp(`waiting for SIGUSR2 \\(kill -USR2 ${h.child.pid}\\) to take .*c\\.heapsnapshot \\(3 of 3\\)`));
    h.child.kill('SIGUSR2');
    expect(await h.exited, h.stderr).toBe(0);
    expect(h.lines()).toEqual([a, b, c]);
    for (const f of [a, b, c]) expectSnapshotFile(f);
  });

  it('--count 3 with a {n} pattern', async () => {
    const t = await target();
    const r = await runCli(['capture', String(t.port), '--count', '3', '-o', file('snap-{n}.heapsnapshot'), '--every', '0.1', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const files = [1, 2, 3].map((n) => file(`snap-${n}.heapsnapshot`));
    expect(r.stdout).toBe(files.map((f) => `${f}\n`).join(''));
    for (const f of files) expectSnapshotFile(f);
  });

  it('--count 2 with -o DIR: default names in it, each its own', async () => {
    const t = await target();
    const r = await runCli(['capture', String(t.port), '--count', '2', '-o', dir, '--every', '0.1', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    expect(new Set(out).size).toBe(2);
    for (const f of out) {
      expect(path.dirname(f)).toBe(dir);
      expect(path.basename(f)).toMatch(new RegExp(`^heapscope-\\d{8}-\\d{6}-${t.port}(-2)?\\.heapsnapshot$`));
      expectSnapshotFile(f);
    }
  });
});

describe('a series that stops early', () => {
  it('target killed between snapshots: exit 4 at once, names what was written; the first file stays whole, nothing else left', async () => {
    const t = await target('listener-leak.mjs');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => file(`${n}.heapsnapshot`)) as [string, string, string];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '-o', c, '--stdin']);
    await h.printed(1);
    await t.stop();
    // No line is sent: heapscope notices the target is gone while it waits.
    expect(await h.exited, h.stderr).toBe(4);
    expect(h.stderr).toMatch(/capture series from 127\.0\.0\.1:\d+ incomplete: the target exited \(its inspector no longer answers\) before snapshot 2 of 3/);
    expect(h.stderr).toContain(`written (complete): ${a}\n`);
    expect(h.stderr).toContain(`not written: ${b}, ${c}`);
    expect(h.lines()).toEqual([a]);
    expectSnapshotFile(a);
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
  });

  it('target killed during the second snapshot: exit 4, the first stays, no temp file (--json: complete false)', async () => {
    const t = await target('generator.mjs', { args: ['40'] });
    const [a, b] = [file('a.heapsnapshot'), file('b.heapsnapshot')];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '--stdin', '--json']);
    await h.stderrMatches(/waiting for a line on stdin/);
    h.line();
    const start = Date.now();
    while (!readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(path.join(dir, f), { throwIfNoEntry: false })?.size)) {
      if (Date.now() - start > 60_000) throw new Error(`no temp file\n${h.stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await t.stop();
    expect(await h.exited, h.stderr).toBe(4);
    expect(h.stderr).toMatch(/snapshot 2 of 2: capture from 127\.0\.0\.1:\d+ incomplete: the target exited/);
    expect(h.stderr).toContain(`written (complete): ${a}\n`);
    const doc = JSON.parse(h.stdout) as { file: string; snapshots: Array<{ file: string }>; complete: boolean };
    expect(doc).toMatchObject({ file: a, complete: false });
    expect(doc.snapshots.map((s) => s.file)).toEqual([a]);
    expectSnapshotFile(a);
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
  });

  it('stdin closed before the last snapshot: exit 4, the first stays', async () => {
    const t = await target();
    const [a, b] = [file('a.heapsnapshot'), file('b.heapsnapshot')];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '--stdin', '-q']);
    await h.printed(1);
    h.child.stdin!.end();
    expect(await h.exited).toBe(4);
    expect(h.stderr).toMatch(/incomplete: stdin closed before snapshot 2 of 2\n {2}written \(complete\): .*a\.heapsnapshot\n {2}not written: .*b\.heapsnapshot/);
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
    expect(t.exited).toBe(false);
  });

  it('Ctrl-C while waiting: exit 4, the first stays', async () => {
    const t = await target();
    const [a, b] = [file('a.heapsnapshot'), file('b.heapsnapshot')];
    const h = heapscope(['capture', String(t.port), '-o', a, '-o', b, '--every', '600']);
    await h.printed(1);
    h.child.kill('SIGINT');
    expect(await h.exited).toBe(4);
    expect(h.stderr).toMatch(/incomplete: stopped by Ctrl-C \(SIGINT\) before snapshot 2 of 2/);
    expectSnapshotFile(a);
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
  });
});

describe('series refusals (exit 2, before attaching)', () => {
  it('several -o without a trigger and without a terminal: says which options exist', async () => {
    const port = await closedPort(); // exit 3 if it tried to attach
    const r = await runCli(['capture', String(port), '-o', file('a.heapsnapshot'), '-o', file('b.heapsnapshot')]);
    expect(r.code).toBe(2);
    for (const s of ['--stdin', '--every SECONDS', '--on-signal', 'not a terminal']) expect(r.stderr).toContain(s);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [['--count', '2', '-o', 'x.heapsnapshot'], /--count 2 needs -o to be an existing folder or a file name pattern with \{n\}/],
    [['-o', 'snap-{n}.heapsnapshot', '--stdin'], /a pattern with \{n\} needs --count N/],
    [['-o', 'a.heapsnapshot', '-o', 'a.heapsnapshot', '--stdin'], /given twice/],
    [['--count', '0', '--stdin'], /--count/],
    [['-o', 'a', '-o', 'b', '--every', 'soon'], /--every/],
  ])('%j', async (args, message) => {
    const port = await closedPort();
    const r = await runCli(['capture', String(port), ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a series whose folder does not exist: exit 5 before attaching', async () => {
    const port = await closedPort();
    const r = await runCli(['capture', String(port), '-o', file('a.heapsnapshot'), '-o', file('missing/b.heapsnapshot'), '--stdin']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/missing\/b\.heapsnapshot: no such file or directory/);
  });

  it('--help documents the series', async () => {
    const help = await runCli(['capture', '--help']);
    expect(help.code).toBe(0);
    for (const s of ['--stdin', '--every', '--on-signal', '--count', '{n}', 'ONE inspector session', 'SIGUSR2']) expect(help.stdout).toContain(s);
  });
});
