import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SnapshotBuilder } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sampleFile(): string {
  const b = new SnapshotBuilder();
  const g = b.global();
  for (let i = 0; i < 5; i++) {
    const s = b.node('object', 'Session', 100);
    const buf = b.node('object', 'Buffer<x>', 1000);
    b.edge(g, 'element', i, s).edge(s, 'property', 'buf', buf);
  }
  const evil = b.node('object', 'Evil\u001b[31m\nclass', 10);
  b.edge(g, 'property', 'evil', evil);
  return b.write(path.join(dir, 'sample.heapsnapshot'));
}

describe('heapscope summary', () => {
  const file = sampleFile();

  it('--json follows CONTRACT.md: file, nodes, edges, totalSize, classes sorted by retained size', async () => {
    const r = await runCli(['summary', file, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).slice(0, 5)).toEqual(['file', 'nodes', 'edges', 'totalSize', 'classes']);
    expect(doc).toMatchObject({ file, nodes: 14, edges: 13, totalSize: 5 * 1100 + 10 + 32 });
    expect(doc.classes[0]).toMatchObject({ name: 'global / ', count: 1, selfSize: 32, retainedSize: 5542 });
    expect(doc.classes[1]).toMatchObject({ name: 'Session', count: 5, selfSize: 500, retainedSize: 5500 });
    expect(doc.classes[2]).toMatchObject({ name: 'Buffer<x>', count: 5, selfSize: 5000, retainedSize: 5000 });
  });

  it('--top N keeps the N largest classes', async () => {
    const r = await runCli(['summary', file, '--json', '--top', '2']);
    expect(JSON.parse(r.stdout).classes.map((c: { name: string }) => c.name)).toEqual(['global / ', 'Session']);
  });

  it('human output is an aligned table with byte units, and heap strings cannot inject terminal escapes', async () => {
    const r = await runCli(['summary', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/14 nodes, 13 edges, 5\.5 kB total/);
    const header = lines.find((l) => l.startsWith('Constructor'))!;
    const session = lines.find((l) => l.startsWith('Session'))!;
    expect(session.length).toBe(header.length);
    expect(session).toMatch(/Session\s+5\s+500 B\s+9%\s+5\.5 kB\s+99%/);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('Evil\uFFFD[31m\\nclass');
  });

  it('a bad file exits 5 and names the file, section and byte offset', async () => {
    const bad = path.join(dir, 'cut.heapsnapshot');
    writeFileSync(bad, '{"snapshot":{"meta":{"node_fields":["type"');
    const r = await runCli(['summary', bad]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`heapscope: ${bad.replace(/[.]/g, '\\.')}: bad heap snapshot: .*section meta, byte offset 42`));
    expect(r.stdout).toBe('');
  });

  it('a missing file exits 5; usage errors exit 2', async () => {
    const r = await runCli(['summary', path.join(dir, 'missing.heapsnapshot')]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no such file/);
    expect((await runCli(['summary'])).code).toBe(2);
    expect((await runCli(['summary', file, '--top', 'ten'])).code).toBe(2);
    expect((await runCli(['summary', file, '--bogus'])).code).toBe(2);
  });

  it('--help describes the command', async () => {
    const r = await runCli(['summary', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--top <n>/);
  });
});
