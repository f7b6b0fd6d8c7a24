/**
 * `heapscope compare` as a user runs it (the built CLI as a subprocess) on real reports: `check
 * --json` on the committed listener-leak snapshots, the "after the fix" side being the same run
 * with --ignore-class taking the Widget leak out, laid out as files and as Playwright output
 * folders (per-test heapscope-leaks.json with the fixture's `test` key, repeats and retries).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareDocument } from '../../src/analysis/compare-runs.js';
import { runCli } from '../helpers/cli.js';
import { asFixtureReport, listenerLeakReport, type LeakReportJson } from '../helpers/leak-reports.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-cli-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let leaky: LeakReportJson;
let fixed: LeakReportJson;
const files = { leaky: path.join(dir, 'leaky.json'), fixed: path.join(dir, 'fixed.json') };

function write(file: string, content: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

beforeAll(async () => {
  [leaky, fixed] = await Promise.all([listenerLeakReport(), listenerLeakReport(['^Widget$'])]);
  expect(leaky.leaks.some((l) => l.name === 'Widget')).toBe(true);
  expect(fixed.leaks.some((l) => l.name === 'Widget')).toBe(false);
  write(files.leaky, leaky);
  write(files.fixed, fixed);
});

async function compareJson(args: string[], expectCode = 0): Promise<CompareDocument> {
  const r = await runCli(['compare', ...args, '--json']);
  expect(r.code, r.stderr).toBe(expectCode);
  return JSON.parse(r.stdout) as CompareDocument;
}

describe('two report files', () => {
  it('human output: a table per status with sizes, and the verdict line', async () => {
    const r = await runCli(['compare', files.leaky, files.fixed]);
    expect(r.code, r.stderr).toBe(0);
    const widget = leaky.leaks.find((l) => l.name === 'Widget')!;
    expect(r.stdout).toContain(`A: ${files.leaky} (1 report)`);
    expect(r.stdout).toMatch(/^fixed \(in A, not in B\): 1$/m);
    expect(r.stdout).toMatch(/^persist \(in both\): 3$/m);
    expect(r.stdout).not.toMatch(/^new/m);
    const widgetLine = r.stdout.split('\n').find((l) => l.includes(widget.path))!;
    expect(widgetLine).toMatch(/Widget\s+20 → –\s+1\.1 kB\s+–\s+-1\.1 kB/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 fixed, 0 new, 3 persist; retained 36 kB → 35 kB (-1.1 kB)');
    expect(r.stderr).toBe('');
  });

  it('--json: one document, the shape the README documents, the numbers of the two reports', async () => {
    const doc = await compareJson([files.leaky, files.fixed]);
    expect(Object.keys(doc)).toEqual(['a', 'b', 'reports', 'clusters', 'counts', 'totalRetainedSize', 'tests']);
    expect(doc).toEqual(compareRuns({ label: files.leaky, reports: [leaky] }, { label: files.fixed, reports: [fixed] }));
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    for (const c of doc.clusters) {
      expect(Object.keys(c)).toEqual(['status', 'test', 'name', 'path', 'before', 'after', 'retainedSizeDelta']);
      expect(c.test).toBeNull();
    }
    const w = doc.clusters.find((c) => c.status === 'fixed')!;
    const widget = leaky.leaks.find((l) => l.name === 'Widget')!;
    expect(w).toEqual({ status: 'fixed', test: null, name: 'Widget', path: widget.path, before: { count: 20, retainedSize: widget.retainedSize }, after: null, retainedSizeDelta: -widget.retainedSize });
    expect(doc.totalRetainedSize).toEqual({ before: leaky.totalRetainedSize, after: fixed.totalRetainedSize, delta: fixed.totalRetainedSize - leaky.totalRetainedSize });
  });

  it('the other way round the Widgets are new; --fail-on turns new or persisting clusters into exit 1', async () => {
    const doc = await compareJson([files.fixed, files.leaky]);
    expect(doc.counts).toEqual({ fixed: 0, new: 1, persists: 3 });
    expect(doc.clusters[0]).toMatchObject({ status: 'new', name: 'Widget' });

    const failNew = await runCli(['compare', files.fixed, files.leaky, '--fail-on', 'new']);
    expect(failNew.code).toBe(1);
    expect(failNew.stderr).toBe('heapscope: --fail-on new: 1 new cluster\n');
    expect(failNew.stdout).toMatch(/^0 fixed, 1 new, 3 persist;/m);

    const both = await runCli(['compare', files.leaky, files.fixed, '--fail-on', 'new,persists', '--json']);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('heapscope: --fail-on new,persists: 3 persisting clusters\n');
    expect((JSON.parse(both.stdout) as CompareDocument).counts.persists).toBe(3);

    // The fix direction has nothing new: --fail-on new passes.
    expect((await runCli(['compare', files.leaky, files.fixed, '--fail-on', 'new'])).code).toBe(0);
  });

  it('--fail-on with anything else is a usage error (exit 2)', async () => {
    for (const bad of ['fixed', 'news', '', 'new,fixed']) {
      const r = await runCli(['compare', files.leaky, files.fixed, '--fail-on', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`expects new, persists or new,persists; got "${bad}"`);
    }
    // Spaces and a trailing comma are forgiven: ` persists, ` is persists.
    expect((await runCli(['compare', files.leaky, files.fixed, '--fail-on', ' persists, '])).code).toBe(1);
  });

  it('--help explains runs, exit codes, and gives an example', async () => {
    const r = await runCli(['compare', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: heapscope compare [options] <runA> <runB>');
    expect(r.stdout).toContain('--fail-on <statuses>');
    expect(r.stdout).toContain('heapscope compare before/ after/ --fail-on new,persists');
    expect(r.stdout).toMatch(/Exit codes: 0 done, 1 --fail-on/);
  });

  it('a missing run argument is a usage error; a missing file is exit 5 naming it', async () => {
    expect((await runCli(['compare', files.leaky])).code).toBe(2);
    const missing = path.join(dir, 'nope.json');
    const r = await runCli(['compare', files.leaky, missing]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`heapscope: cannot read ${missing}: no such file or directory (ENOENT)\n`);
  });

  it('hostile class names reach the terminal as one line of text', async () => {
    const evil = structuredClone(leaky);
    evil.leaks[0]!.name = 'Evil\u001b[2J\nname';
    const file = write(path.join(dir, 'evil.json'), evil);
    const r = await runCli(['compare', files.fixed, file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('Evil\uFFFD[2J\\nname');
  });
});

describe('folders (Playwright output)', () => {
  const t = (title: string) => ({ titlePath: ['app.spec.ts', title] });

  it('finds heapscope-leaks.json files and other leak reports recursively, skips other JSON, compares per test', async () => {
    const before = path.join(dir, 'pw-before');
    const after = path.join(dir, 'pw-after');
    write(path.join(before, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(leaky, t('dialog')));
    write(path.join(before, 'app-menu-chromium', 'heapscope-leaks.json'), asFixtureReport(leaky, t('menu')));
    write(path.join(before, '.last-run.json'), { status: 'failed', failedTests: ['x'] });
    write(path.join(before, 'app-menu-chromium', 'trace.json'), '{ not json at all');
    write(path.join(after, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(fixed, t('dialog')));
    write(path.join(after, 'app-tabs-chromium', 'nested', 'deeper', 'heapscope-leaks.json'), asFixtureReport(fixed, t('tabs')));
    write(path.join(after, '.last-run.json'), { status: 'passed', failedTests: [] });

    const doc = await compareJson([before, after]);
    expect(doc.reports).toEqual({ a: 2, b: 2 });
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(new Set(doc.clusters.map((c) => c.test))).toEqual(new Set(['chromium › app.spec.ts › dialog']));
    expect(doc.tests.onlyInA).toEqual([{ test: 'chromium › app.spec.ts › menu', clusters: 4, retainedSize: leaky.totalRetainedSize }]);
    expect(doc.tests.onlyInB).toEqual([{ test: 'chromium › app.spec.ts › tabs', clusters: 3, retainedSize: fixed.totalRetainedSize }]);

    const human = await runCli(['compare', before, after]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ {2}test\s+class\s+count/m);
    expect(human.stdout).toContain('tests only in A (not compared: they did not run in B):\n  chromium › app.spec.ts › menu: 4 clusters, 36 kB\n');
    expect(human.stdout).toContain('tests only in B (not compared: they did not run in A):\n  chromium › app.spec.ts › tabs: 3 clusters, 35 kB\n');
    expect(human.stdout).toMatch(/^1 fixed, 0 new, 3 persist;/m);
  });

  it('CLI reports under other names are recognised by their shape', async () => {
    const a = path.join(dir, 'cli-a');
    const b = path.join(dir, 'cli-b');
    write(path.join(a, 'checks', 'leaks-1.json'), leaky);
    write(path.join(a, 'package.json'), { name: 'x', leaks: 'not a report' });
    write(path.join(b, 'checks', 'leaks-1.json'), fixed);
    const doc = await compareJson([a, b]);
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
  });

  it('--repeat-each and retries: the last retry of each repeat, any repeat, the largest size', async () => {
    const a = path.join(dir, 'rep-a');
    const b = path.join(dir, 'rep-b');
    // A: the Widgets leak in repeat 1 only; repeat 0 leaked on its first try but not on its retry.
    write(path.join(a, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(fixed, t('dialog')));
    write(path.join(a, 'app-dialog-chromium-repeat1', 'heapscope-leaks.json'), asFixtureReport(leaky, { ...t('dialog'), repeatEachIndex: 1 }));
    // B: retry 0 of repeat 1 leaked, retry 1 did not: only the retry counts, so the Widgets are fixed.
    write(path.join(b, 'app-dialog-chromium', 'heapscope-leaks.json'), asFixtureReport(fixed, t('dialog')));
    write(path.join(b, 'app-dialog-chromium-repeat1', 'heapscope-leaks.json'), asFixtureReport(leaky, { ...t('dialog'), repeatEachIndex: 1 }));
    write(path.join(b, 'app-dialog-chromium-repeat1-retry1', 'heapscope-leaks.json'), asFixtureReport(fixed, { ...t('dialog'), repeatEachIndex: 1, retry: 1 }));
    const doc = await compareJson([a, b]);
    expect(doc.reports).toEqual({ a: 2, b: 3 });
    expect(doc.counts).toEqual({ fixed: 1, new: 0, persists: 3 });
    expect(doc.clusters.find((c) => c.status === 'fixed')).toMatchObject({ name: 'Widget', test: 'chromium › app.spec.ts › dialog' });
  });

  it('an empty folder, or one with no reports, is a usage error that says where it looked', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(path.join(empty, 'sub'), { recursive: true });
    const r = await runCli(['compare', empty, files.fixed]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`heapscope: ${empty}: no leak reports found: looked for heapscope-leaks.json and other leak-report JSON files in 2 folders:\n  ${empty}\n  ${path.join(empty, 'sub')}\n`);

    const other = path.join(dir, 'only-other-json');
    write(path.join(other, 'results.json'), { suites: [] });
    const r2 = await runCli(['compare', files.leaky, other]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('in 1 folder (1 other JSON file skipped):');
  });
});

describe('bad reports (exit 5)', () => {
  it('bad JSON names the file and the byte offset, multi-byte characters counted as bytes', async () => {
    const doc = structuredClone(leaky);
    doc.leaks[0]!.name = 'Ünïcødé 🐛';
    const text = JSON.stringify(doc, null, 2);
    const cut = text.indexOf('"totalCount"');
    const broken = `${text.slice(0, cut)}}${text.slice(cut)}`; // a stray brace where a key should be
    const file = write(path.join(dir, 'broken.json'), broken);
    const offset = Buffer.byteLength(text.slice(0, cut));
    expect(offset).toBeGreaterThan(cut); // the file really has multi-byte characters before the fault
    const r = await runCli(['compare', file, files.fixed]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`heapscope: ${file}: not valid JSON at byte ${offset}: expected a property name in double quotes, found "}"\n`);

    const truncated = write(path.join(dir, 'truncated.json'), text.slice(0, 1000));
    const r2 = await runCli(['compare', files.leaky, truncated]);
    expect(r2.code).toBe(5);
    expect(r2.stderr).toContain(`${truncated}: not valid JSON at byte ${Buffer.byteLength(text.slice(0, 1000))}: unexpected end of the file`);
  });

  it('a broken heapscope-leaks.json in a folder is an error, not skipped', async () => {
    const folder = path.join(dir, 'broken-folder');
    const file = write(path.join(folder, 'app-x-chromium', 'heapscope-leaks.json'), '');
    const r = await runCli(['compare', folder, files.fixed]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`${file}: not valid JSON at byte 0: unexpected end of the file`);
  });

  it('a bad shape names the JSON path of the field', async () => {
    const cases: Array<[string, (d: Record<string, unknown> & LeakReportJson) => void, string]> = [
      ['size', (d) => { (d.leaks[2] as unknown as Record<string, unknown>).retainedSize = 'big'; }, '$.leaks[2].retainedSize: expected number, received string'],
      ['count', (d) => { d.leaks[0]!.count = -1; }, '$.leaks[0].count: Too small: expected number to be >=0'],
      ['no leaks', (d) => { delete (d as Partial<LeakReportJson>).leaks; }, '$.leaks: missing (expected array)'],
      ['no shape', (d) => { delete (d.leaks[1] as Partial<LeakReportJson['leaks'][number]>).path; delete (d.leaks[1] as Partial<LeakReportJson['leaks'][number]>).retainerPath; }, '$.leaks[1].path: a cluster needs its path shape'],
      ['step', (d) => { (d.leaks[3]!.retainerPath[1] as Record<string, unknown>).name = 7; delete (d.leaks[3] as Partial<LeakReportJson['leaks'][number]>).path; }, '$.leaks[3].retainerPath[1].name: expected string, received number'],
      ['test', (d) => { Object.assign(d, { test: { titlePath: 'app.spec.ts', project: 'x' } }); }, '$.test.titlePath: expected array, received string'],
    ];
    for (const [name, edit, message] of cases) {
      const doc = structuredClone(leaky);
      edit(doc);
      const file = write(path.join(dir, `shape-${name.replace(' ', '-')}.json`), doc);
      const r = await runCli(['compare', files.fixed, file]);
      expect(r.code, name).toBe(5);
      expect(r.stderr, name).toContain(`heapscope: ${file}: not a leak report: ${message}`);
    }
    const notReport = write(path.join(dir, 'array.json'), [1, 2]);
    const r = await runCli(['compare', notReport, files.fixed]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`${notReport}: not a leak report: $: expected object, received array (is this a leak report?`);
  });
});
