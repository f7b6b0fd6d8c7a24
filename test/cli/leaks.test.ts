import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBytes } from '../../src/cli/check.js';
import { runCli } from '../helpers/cli.js';
import { SnapshotBuilder } from '../helpers/builder.js';
import { fixturesDir } from '../helpers/target.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-cli-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const snap = (phase: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);
const committed = ['--baseline', snap('baseline'), '--target', snap('target'), '--final', snap('final')];

interface Cluster { name: string; count: number; retainedSize: number; ids: number[]; retainerPath: Array<{ id: number; name: string; type: string; edge: string | null }>; path: string }
interface LeakDoc { baseline: string; target: string; final: string; leaks: Cluster[]; totalCount: number; totalRetainedSize: number; pass?: boolean; budgets?: Record<string, unknown> }

/** Three snapshots of one made-up process in which objects of a hostile class name leak. */
function hostileSet(): string[] {
  const evil = 'Evil]]>]]><script>&"\'\u001b[2J\u0000\ud800';
  return ['a', 'b', 'c'].map((phase, i) => {
    const b = new SnapshotBuilder();
    const g = b.node('object', 'global / ', 32, { id: 999 });
    b.edge(b.root, 'shortcut', 'global', g);
    const list = b.node('object', 'Array', 16, { id: 1001 });
    b.edge(g, 'property', 'list\n]]>', list);
    if (i > 0) for (let k = 0; k < 3; k++) b.edge(list, 'element', k, b.node('object', evil, 40, { id: 2001 + 2 * k }));
    return b.write(path.join(dir, `evil-${phase}.heapsnapshot`));
  });
}

describe('heapscope leaks', () => {
  it('--json follows CONTRACT.md on the committed listener-leak set: the 20 Widgets kept by their bus listeners', async () => {
    const r = await runCli(['leaks', ...committed, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as LeakDoc;
    expect(Object.keys(doc).slice(0, 6)).toEqual(['baseline', 'target', 'final', 'leaks', 'totalCount', 'totalRetainedSize']);
    for (const c of doc.leaks) {
      expect(Object.keys(c).slice(0, 5)).toEqual(['name', 'count', 'retainedSize', 'ids', 'retainerPath']);
      expect(c.ids.length).toBe(Math.min(100, c.count));
      expect(c.retainerPath.at(-1)!.name).toBe(c.name);
      expect(c.retainerPath[0]!.edge).toBeNull();
    }
    const sizes = doc.leaks.map((c) => c.retainedSize);
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    expect(doc.totalCount).toBe(doc.leaks.reduce((s, c) => s + c.count, 0));
    expect(doc.totalRetainedSize).toBe(sizes.reduce((s, x) => s + x, 0));
    const widgets = doc.leaks.find((c) => c.name === 'Widget')!;
    expect(widgets.count).toBe(20);
    expect(widgets.path).toBe('module listener-app.mjs → context.bus._events.theme → Array[] → (closure) → context.this → Widget');
    expect(widgets.retainerPath.map((s) => s.edge)).toEqual([null, 'bus', '_events', 'theme', widgets.retainerPath[4]!.edge, 'context', 'this']);
    // Everything reported is a program object: no code, shapes, contexts or internalized strings.
    expect(doc.leaks.map((c) => c.name).sort()).toEqual(['Array', 'Array', 'Function', 'Widget']);
    expect(doc.totalCount).toBe(61);
  });

  it('human output: one line per cluster with count, class, size and the path; a final line', async () => {
    const r = await runCli(['leaks', ...committed]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.find((l) => /^\s+20 × Widget\s/.test(l))).toMatch(/\d+(\.\d)? kB\s+module listener-app\.mjs → context\.bus\._events\.theme → Array\[\] → \(closure\) → context\.this → Widget$/);
    expect(lines.at(-1)).toMatch(/^61 leaked objects in 4 clusters, [\d.]+ kB retained$/);
  });
});

describe('heapscope check', () => {
  it('default budgets are 0: the leaky set fails with exit 1 and says why', async () => {
    const r = await runCli(['check', ...committed, '-q']);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^FAIL: 61 leaked objects in 4 clusters, .* over budget \(61 objects > 0 allowed, .* > 0 B allowed\)$/);
  });

  it('within budget exits 0; --json adds pass and budgets; budgets take KB/MB suffixes', async () => {
    const r = await runCli(['check', ...committed, '--json', '--max-leaked-bytes', '2MB', '--max-leaked-objects', '61']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as LeakDoc;
    expect(doc.pass).toBe(true);
    expect(doc.budgets).toEqual({ maxLeakedBytes: 2_000_000, maxLeakedObjects: 61, ignoreClass: [] });
    const tight = await runCli(['check', ...committed, '--json', '--max-leaked-bytes', '10KB', '--max-leaked-objects', '1000']);
    expect(tight.code).toBe(1);
    expect(JSON.parse(tight.stdout)).toMatchObject({ pass: false, budgets: { maxLeakedBytes: 10_000, maxLeakedObjects: 1000 } });
    const objects = await runCli(['check', ...committed, '--json', '--max-leaked-bytes', '1MB', '--max-leaked-objects', '60']);
    expect(objects.code).toBe(1);
  });

  it('--ignore-class (repeatable) leaves classes out: ignoring what leaks here passes', async () => {
    const r = await runCli(['check', ...committed, '--json', '--ignore-class', '^Widget$', '--ignore-class', '^(Array|Function)$']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as LeakDoc & { ignored: { count: number } };
    expect(doc).toMatchObject({ pass: true, totalCount: 0, totalRetainedSize: 0, leaks: [] });
    expect(doc.ignored.count).toBe(61);
    expect(doc.budgets!.ignoreClass).toEqual(['^Widget$', '^(Array|Function)$']);
    const some = await runCli(['check', ...committed, '--json', '--ignore-class', 'Widget']);
    expect(some.code).toBe(1);
    expect((JSON.parse(some.stdout) as LeakDoc).leaks.map((c) => c.name)).not.toContain('Widget');
  });

  it('--junit writes parseable JUnit XML with one test case per cluster, failures carrying the path', async () => {
    const file = path.join(dir, 'report.xml');
    const r = await runCli(['check', ...committed, '--junit', file, '--json', '-q']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as LeakDoc;
    const xml = readFileSync(file, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite.testcase).toHaveLength(doc.leaks.length);
    expect(Number(suite['@_failures'])).toBe(doc.leaks.length);
    const widget = suite.testcase.find((t: Record<string, string>) => t['@_name'].startsWith('20 × Widget'));
    expect(widget.failure['@_message']).toContain('context.bus._events.theme → Array[] → (closure) → context.this → Widget');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]); // written atomically, no temp left
  });

  it('passing with --junit: the clusters are passing test cases', async () => {
    const file = path.join(dir, 'pass.xml');
    const r = await runCli(['check', ...committed, '--junit', file, '--max-leaked-bytes', '1MiB', '--max-leaked-objects', '100', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^PASS: 61 leaked objects/);
    const xml = readFileSync(file, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<failure');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });

  it('hostile class and edge names: valid XML, no raw control characters on the terminal', async () => {
    const [a, b, c] = hostileSet();
    const file = path.join(dir, 'evil.xml');
    const r = await runCli(['check', '--baseline', a!, '--target', b!, '--final', c!, '--junit', file, '-q']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain('3 × Evil]]>]]><script>');
    const xml = readFileSync(file, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml);
    const tc = parsed.testsuites.testsuite.testcase;
    expect(tc).toHaveLength(1);
    expect(tc[0]['@_name']).toContain('Evil]]>]]><script>&"\'');
  });

  it('bad inputs: usage errors exit 2, unreadable files exit 5, snapshots of different sessions exit 2', async () => {
    const missingFinal = await runCli(['check', '--baseline', snap('baseline'), '--target', snap('target')]);
    expect(missingFinal.code).toBe(2);
    expect(missingFinal.stderr).toMatch(/--final/);
    for (const bad of [['--max-leaked-bytes', '10XB'], ['--max-leaked-bytes', '-5'], ['--max-leaked-objects', '1.5'], ['--ignore-class', '(']]) {
      const r = await runCli(['check', ...committed, ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/expects|regular expression/);
    }
    const missing = await runCli(['leaks', '--baseline', path.join(dir, 'none.heapsnapshot'), '--target', snap('target'), '--final', snap('final')]);
    expect(missing.code).toBe(5);
    const cut = path.join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, '{"snapshot":{"meta":{}');
    expect((await runCli(['leaks', '--baseline', snap('baseline'), '--target', snap('target'), '--final', cut])).code).toBe(5);
    const [, , evilC] = hostileSet();
    const mixed = await runCli(['leaks', '--baseline', snap('baseline'), '--target', snap('target'), '--final', evilC!]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/not snapshots of one process taken in one inspector session/);
    const noDir = await runCli(['check', ...committed, '--junit', path.join(dir, 'no', 'such', 'dir', 'r.xml'), '-q']);
    expect(noDir.code).toBe(5);
    expect(noDir.stderr).toMatch(/cannot write .*r\.xml: no such file or directory/);
    expect(existsSync(path.join(dir, 'no'))).toBe(false);
  });

  it('nothing a program can release: leaks says so, check passes with the default budgets', async () => {
    const files = ['a', 'b', 'c'].map((phase, i) => {
      const b = new SnapshotBuilder();
      const g = b.node('object', 'global / ', 32, { id: 999 });
      b.edge(b.root, 'shortcut', 'global', g);
      // Only V8's own: bytecode and a feedback vector born after the baseline, still there at the end.
      if (i > 0) b.edge(b.gcRoots, 'element', 5, b.node('code', 'system / BytecodeArray', 64, { id: 3001 }));
      return b.write(path.join(dir, `quiet-${phase}.heapsnapshot`));
    });
    const set = ['--baseline', files[0]!, '--target', files[1]!, '--final', files[2]!];
    const leaks = await runCli(['leaks', ...set, '-q']);
    expect(leaks.code).toBe(0);
    expect(leaks.stdout).toMatch(/of 1 objects allocated between baseline and target and still alive in final, none is one a program can release/);
    expect(leaks.stdout.trimEnd().split('\n').at(-1)).toBe('no leaks');
    const check = await runCli(['check', ...set, '-q']);
    expect(check.code).toBe(0);
    expect(check.stdout.trimEnd().split('\n').at(-1)).toBe('PASS: 0 leaked objects in 0 clusters, 0 B retained (budget 0 objects, 0 B)');
  });

  it('--help of both commands', async () => {
    const leaks = await runCli(['leaks', '--help']);
    expect(leaks.stdout).toMatch(/--baseline <A>/);
    const check = await runCli(['check', '--help']);
    expect(check.stdout).toMatch(/--max-leaked-bytes <n>/);
    expect(check.stdout).toMatch(/--junit <file>/);
  });
});

describe('budget parsing', () => {
  it('bytes with KB/MB/GB (1000^n) and KiB/MiB/GiB (1024^n), any case', () => {
    expect(parseBytes('0')).toBe(0);
    expect(parseBytes('500000')).toBe(500_000);
    expect(parseBytes('10KB')).toBe(10_000);
    expect(parseBytes('2MB')).toBe(2_000_000);
    expect(parseBytes('2mb')).toBe(2_000_000);
    expect(parseBytes('1.5MiB')).toBe(1_572_864);
    expect(parseBytes('3 kib')).toBe(3072);
    expect(parseBytes('1GB')).toBe(1e9);
    expect(parseBytes('12B')).toBe(12);
    for (const bad of ['', 'ten', '10XB', '-1', '1e6', '10 K B']) expect(() => parseBytes(bad), bad).toThrow(/expects bytes/);
  });
});
