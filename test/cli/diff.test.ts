import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SnapshotBuilder } from '../helpers/builder.js';
import { fixturesDir } from '../helpers/target.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-cli-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const snap = (phase: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);

/** A process of `count` objects named by `name(i)`, ids 1001, 1003, …: two with other names are two processes. */
function processFile(file: string, count: number, name: (i: number) => string): string {
  const b = new SnapshotBuilder();
  const g = b.global();
  for (let i = 0; i < count; i++) b.edge(g, 'element', i, b.node('object', name(i), 16, { id: 1001 + 2 * i }));
  return b.write(path.join(dir, file));
}

describe('heapscope diff', () => {
  it('--json follows CONTRACT.md on the committed baseline → target pair: 20 Widgets and their closures are new', async () => {
    const r = await runCli(['diff', snap('baseline'), snap('target'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).slice(0, 3)).toEqual(['before', 'after', 'classes']);
    expect(doc.before).toBe(snap('baseline'));
    for (const c of doc.classes) {
      expect(Object.keys(c).slice(0, 7)).toEqual(['name', 'added', 'removed', 'countDelta', 'addedSize', 'removedSize', 'sizeDelta']);
      expect(c.countDelta).toBe(c.added - c.removed);
      expect(c.sizeDelta).toBe(c.addedSize - c.removedSize);
      expect(c.added + c.removed).toBeGreaterThan(0);
      expect(c.name).not.toMatch(/^Node \/ /); // embedder nodes are renumbered, never churn
    }
    const deltas = doc.classes.map((c: { sizeDelta: number }) => c.sizeDelta);
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
    expect(doc.classes.find((c: { name: string }) => c.name === 'Widget')).toMatchObject({ added: 20, removed: 0 });
    expect(doc.classes.find((c: { name: string }) => c.name === 'Function')).toMatchObject({ added: 20, removed: 0 });
  });

  it('target → final: the leaked Widgets are still there, so they are not in the diff', async () => {
    const r = await runCli(['diff', snap('target'), snap('final'), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classes.map((c: { name: string }) => c.name)).not.toContain('Widget');
  });

  it('human output: a table with signed deltas and byte units', async () => {
    const r = await runCli(['diff', snap('baseline'), snap('target')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/listener-leak-baseline\.heapsnapshot\.gz → listener-leak-target\.heapsnapshot\.gz: \d+ objects in both, \d+ new, \d+ deleted/);
    expect(lines.find((l) => l.startsWith('Constructor'))).toMatch(/# New\s+# Deleted\s+# Delta\s+Alloc\. Size\s+Freed Size\s+Size Delta/);
    expect(lines.find((l) => l.startsWith('Widget'))).toMatch(/^Widget\s+20\s+0\s+\+20\s+[\d.]+ kB\s+0 B\s+\+[\d.]+ kB$/);
    expect(r.stderr).toMatch(/reading before|comparing/);
  });

  it('hostile class names cannot reach the terminal raw', async () => {
    const a = processFile('evil-a.heapsnapshot', 3, () => 'Plain');
    const b = processFile('evil-b.heapsnapshot', 4, (i) => (i < 3 ? 'Plain' : 'Evil\u001b]0;pwned\u0007\nX'));
    const r = await runCli(['diff', a, b, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain('Evil\uFFFD]0;pwned\uFFFD\\nX');
  });

  it('snapshots of two processes are refused with exit 2 and a message that says what to do', async () => {
    const a = processFile('proc-a.heapsnapshot', 100, (i) => `Left${i % 5}`);
    const b = processFile('proc-b.heapsnapshot', 100, (i) => `Right${i % 5}`);
    const r = await runCli(['diff', a, b, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not snapshots of one process taken in one inspector session/);
    expect(r.stderr).toMatch(/heapscope capture TARGET -o a\.heapsnapshot -o b\.heapsnapshot/);
  });

  it('bad input: missing or corrupt file exits 5, missing argument exits 2', async () => {
    const cut = path.join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, '{"snapshot":{"meta":');
    expect((await runCli(['diff', snap('baseline'), cut])).code).toBe(5);
    const missing = await runCli(['diff', path.join(dir, 'nope.heapsnapshot'), snap('baseline')]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/no such file/);
    expect((await runCli(['diff', snap('baseline')])).code).toBe(2);
    expect((await runCli(['diff', snap('baseline'), snap('target'), '--top', 'x'])).code).toBe(2);
  });

  it('--help explains ids and sessions', async () => {
    const r = await runCli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/same\s+inspector\s+session/);
  });
});
