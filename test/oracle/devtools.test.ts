import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devtoolsSummary, OracleError, type OracleResult } from './devtools.js';

// A real Node snapshot with a few things whose DevTools rows we can predict.
const TARGET = `
class HeapscopeOracleProbe { constructor(i) { this.i = i; } }
globalThis.__probes = [];
for (let i = 0; i < 1000; i++) globalThis.__probes.push(new HeapscopeOracleProbe(i));
// 3000 plain objects of one shape: DevTools names their class after the shape (NOTES.md §1.3).
// Values are heap objects on purpose: a Smi-valued property has no edge in the snapshot.
globalThis.__plain = [];
for (let i = 0; i < 3000; i++) globalThis.__plain.push({ oracleAlpha: 'a' + i, oracleBeta: 'b' + i, oracleSmi: i });
const key = { k: 1 };
globalThis.__wm = new WeakMap([[key, { v: 1 }]]);
globalThis.__key = key;
require('v8').writeHeapSnapshot(process.argv[1]);
`;

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] }; node_count: number; edge_count: number };
  nodes: number[];
  strings: string[];
}

let dir: string;
let file: string;
let raw: RawSnapshot;
let result: OracleResult;
let probeId: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapscope-oracle-test-'));
  file = path.join(dir, 'probe.heapsnapshot');
  execFileSync(process.execPath, ['-e', TARGET, file], { stdio: 'pipe' });
  raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawSnapshot;
  const f = raw.snapshot.meta.node_fields;
  const [typeAt, nameAt, idAt] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('id')];
  const objectType = raw.snapshot.meta.node_types[0].indexOf('object');
  probeId = -1;
  for (let i = 0; i < raw.nodes.length; i += f.length) {
    if (raw.nodes[i + typeAt] === objectType && raw.strings[raw.nodes[i + nameAt]] === 'HeapscopeOracleProbe') {
      probeId = raw.nodes[i + idAt];
      break;
    }
  }
  result = await devtoolsSummary(file, { ids: [probeId, 2], collisions: true });
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const row = (name: string) => result.classes.find((c) => c.name === name);

describe('DevTools oracle on a real Node snapshot', () => {
  it('reports the node and edge counts written in the file', () => {
    expect(result.nodeCount).toBe(raw.snapshot.node_count);
    expect(result.edgeCount).toBe(raw.snapshot.edge_count);
    expect(result.devtoolsVersion).toBe('1.0.1705227');
  });

  it('accounts for every byte: rows sum to the total, which is the root retained size', () => {
    const sumSelf = result.classes.reduce((s, c) => s + c.selfSize, 0);
    const f = raw.snapshot.meta.node_fields;
    const sizeAt = f.indexOf('self_size');
    let fileSelf = 0;
    for (let i = 0; i < raw.nodes.length; i += f.length) fileSelf += raw.nodes[i + sizeAt];
    expect(result.overwritten).toEqual([]);
    expect(result.totalSize).toBe(result.rootRetainedSize + result.extraNativeBytes);
    expect(sumSelf).toBe(result.rootRetainedSize);
    expect(sumSelf).toBe(fileSelf);
  });

  it('has the classes DevTools always shows, with sane numbers', () => {
    for (const name of ['(string)', 'Object', 'Function', '(compiled code)', '(system)', '(array)', 'Array']) {
      expect(row(name), name).toBeDefined();
    }
    for (const c of result.classes) {
      expect(c.count, c.key).toBeGreaterThan(0);
      expect(c.selfSize, c.key).toBeGreaterThan(0);
      // A row's retained size covers its own instances' shallow sizes.
      expect(c.retainedSize, c.key).toBeGreaterThanOrEqual(c.selfSize);
      expect(c.retainedSize, c.key).toBeLessThanOrEqual(result.totalSize);
    }
    const keys = result.classes.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    const sorted = [...result.classes].sort((a, b) => b.retainedSize - a.retainedSize);
    expect(result.classes.map((c) => c.retainedSize)).toEqual(sorted.map((c) => c.retainedSize));
  });

  it('counts class instances and keys them by constructor location', () => {
    const probe = row('HeapscopeOracleProbe');
    expect(probe).toBeDefined();
    expect(probe!.count).toBe(1000);
    expect(probe!.key).toMatch(/^\d+,\d+,\d+,HeapscopeOracleProbe$/);
    expect(probe!.distance).toBeGreaterThan(1);
    expect(probe!.distance).toBeLessThan(100_000_000);
  });

  it('names plain objects after their shape', () => {
    const shape = row('{oracleAlpha, oracleBeta}');
    expect(shape).toBeDefined();
    // 3000, plus possibly the literal's boilerplate object kept by the feedback vector.
    expect(shape!.count).toBeGreaterThanOrEqual(3000);
    expect(shape!.count).toBeLessThanOrEqual(3001);
    expect(shape!.key).toBe(',{oracleAlpha, oracleBeta}');
  });

  it('renames Node embedder nodes flagged detached (NOTES.md §1.1)', () => {
    expect(result.classes.some((c) => c.name.startsWith('Detached Node / '))).toBe(true);
  });

  it('describes single nodes by id', () => {
    const [probe, root] = result.nodes;
    expect(probe).toMatchObject({ id: probeId, found: true, type: 'object', className: 'HeapscopeOracleProbe' });
    if (!probe.found) throw new Error('unreachable');
    expect(probe.retainedSize).toBeGreaterThanOrEqual(probe.selfSize);
    expect(probe.classKey).toBe(row('HeapscopeOracleProbe')!.key);
    expect(root).toEqual({ id: 2, found: false }); // ids of V8 heap objects are odd
  });

  it('reads a gzipped file to the same result', async () => {
    const gz = path.join(dir, 'probe.heapsnapshot.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file)));
    const fromGz = await devtoolsSummary(gz);
    expect(fromGz.classes).toEqual(result.classes);
    expect(fromGz.totalSize).toBe(result.totalSize);
  }, 120_000);

  it('fails with an OracleError on a truncated file', async () => {
    const cut = path.join(dir, 'cut.heapsnapshot');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const err = await devtoolsSummary(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect((err as OracleError).message).toMatch(/end of input/i);
  }, 120_000);
});
