import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSnapshotFile } from '../../src/snapshot/parse.js';
import { loadHeapGraph } from '../../src/snapshot/load.js';
import { SnapshotFormatError } from '../../src/snapshot/errors.js';
import { SnapshotBuilder } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string | Buffer) => {
  const f = path.join(dir, `s${n++}.heapsnapshot`);
  writeFileSync(f, text);
  return f;
};

/** A small but complete snapshot: escapes, unicode, a weak edge, element and hidden edges. */
function sample(): SnapshotBuilder {
  const b = new SnapshotBuilder();
  const g = b.global();
  const foo = b.node('object', 'Foo', 24);
  const s = b.node('string', 'quote " backslash \\ tab \t é ✓ 😀', 40);
  const arr = b.node('array', '', 16);
  b.edge(g, 'property', 'foo', foo).edge(foo, 'property', 'label', s).edge(foo, 'internal', 'elements', arr);
  b.edge(arr, 'element', 0, s).edge(arr, 'hidden', 7, foo).edge(g, 'weak', 'cache', s);
  return b;
}

function snapshotOf(r: Awaited<ReturnType<typeof scanSnapshotFile>>) {
  return {
    types: [...r.nodeType], names: [...r.nodeName].map((i) => r.strings.get(i)), ids: [...r.nodeId], sizes: [...r.nodeSelfSize],
    firstEdge: [...r.firstEdge], edgeTypes: [...r.edgeType], edgeNames: [...r.edgeName], edgeTo: [...r.edgeTo],
    strings: Array.from({ length: r.strings.count }, (_, i) => r.strings.get(i)),
  };
}

/** The error a bad file gets, checked to be the same whether edges are read on one thread or two. */
async function formatError(file: string, chunkSize?: number): Promise<SnapshotFormatError> {
  const attempt = async (parallel: boolean) => {
    try {
      await scanSnapshotFile(file, { chunkSize, parallel });
    } catch (err) {
      expect(err).toBeInstanceOf(SnapshotFormatError);
      return err as SnapshotFormatError;
    }
    throw new Error(`expected ${file} to be rejected (parallel: ${parallel})`);
  };
  const one = await attempt(false);
  const two = await attempt(true);
  expect(two.message).toBe(one.message);
  return one;
}

describe('streaming parser', () => {
  const text = sample().toJSON();
  const file = write(text);

  it('reads every field, string and edge as written', async () => {
    const g = await loadHeapGraph(file);
    const parsed = JSON.parse(text) as { strings: string[]; nodes: number[]; edges: number[] };
    expect(g.nodeCount).toBe(6);
    expect(g.edgeCount).toBe(8);
    expect(Array.from({ length: g.strings.count }, (_, i) => g.strings.get(i))).toEqual(parsed.strings);
    expect([...g.nodeId]).toEqual(parsed.nodes.filter((_, i) => i % 7 === 2));
    expect(g.nodeNameString(4)).toBe('quote " backslash \\ tab \t é ✓ 😀');
    expect(g.edgeNameString(g.firstEdge[5]!)).toBe('0'); // element edge keeps its index
    expect([...g.edgeTo]).toEqual(parsed.edges.filter((_, i) => i % 3 === 2).map((v) => v / 7));
  });

  it('gives identical results for every chunk size from 1 byte to the whole file', async () => {
    const expected = snapshotOf(await scanSnapshotFile(file));
    for (let size = 1; size <= text.length; size++) {
      expect(snapshotOf(await scanSnapshotFile(file, { chunkSize: size })), `chunk size ${size}`).toEqual(expected);
    }
  });

  it('reads the edges on a second thread with the same result, at every chunk size', async () => {
    const expected = snapshotOf(await scanSnapshotFile(file, { parallel: false }));
    for (let size = 1; size <= text.length; size += 7) {
      expect(snapshotOf(await scanSnapshotFile(file, { chunkSize: size, parallel: true })), `chunk size ${size}`).toEqual(expected);
    }
  });

  it('reads .heapsnapshot.gz the same as the plain file', async () => {
    const gz = write(gzipSync(Buffer.from(text)));
    expect(snapshotOf(await scanSnapshotFile(gz, { chunkSize: 5 }))).toEqual(snapshotOf(await scanSnapshotFile(file)));
  });

  it('builds retainers for every edge, in source order', async () => {
    const g = await loadHeapGraph(file);
    expect(g.firstRetainer[g.nodeCount]).toBe(g.edgeCount);
    for (let to = 0; to < g.nodeCount; to++) {
      for (let r = g.firstRetainer[to]!; r < g.firstRetainer[to + 1]!; r++) {
        const e = g.retainerEdge(r);
        expect(g.edgeTo[e]).toBe(to);
        expect(g.edgeSource(e)).toBe(g.retainerNode[r]);
        expect(g.isRetainingSlot(r)).toBe(g.isRetaining(g.retainerNode[r]!, e));
      }
    }
  });
});

describe('retainer slots', () => {
  it('map back to their edges when one source has several edges to the same target', async () => {
    const b = new SnapshotBuilder();
    const g = b.global();
    const arr = b.node('array', '', 16);
    const x = b.node('object', 'X', 8);
    b.edge(g, 'property', 'arr', arr).edge(arr, 'element', 0, x).edge(arr, 'weak', 'w', x).edge(arr, 'element', 1, x).edge(g, 'property', 'x', x);
    const graph = await loadHeapGraph(b.write(path.join(dir, 'slots.heapsnapshot')));
    const slots = [];
    for (let r = graph.firstRetainer[x.ordinal]!; r < graph.firstRetainer[x.ordinal + 1]!; r++) {
      const e = graph.retainerEdge(r);
      slots.push(`${graph.nodeNameString(graph.retainerNode[r]!)}:${graph.edgeTypeName(e)}:${graph.edgeNameString(e)}:${graph.isRetainingSlot(r)}`);
    }
    expect(slots).toEqual(['global / :property:x:true', ':element:0:true', ':weak:w:false', ':element:1:true']);
  });
});

describe('validation: every bad input is a SnapshotFormatError with file, section and byte offset', () => {
  const text = sample().toJSON();
  const at = (needle: string, from = 0) => {
    const i = text.indexOf(needle, from);
    if (i < 0) throw new Error(`no ${needle}`);
    return Buffer.byteLength(text.slice(0, i));
  };

  it('0-byte file', async () => {
    const f = write('');
    const e = await formatError(f);
    expect([e.file, e.section, e.offset]).toEqual([f, 'file', 0]);
    expect(e.message).toMatch(/empty/);
    expect(e.exitCode).toBe(5);
  });

  it('JSON that is not a heap snapshot', async () => {
    expect((await formatError(write('[1, 2, 3]'))).message).toMatch(/not a heap snapshot: expected a JSON object/);
    const e = await formatError(write('{"name": "x", "version": [1, {"a": "}"}]}'));
    expect(e.message).toMatch(/not a heap snapshot: no "snapshot"/);
    const e2 = await formatError(write('{"nodes": [1,2,3]}'));
    expect(e2.message).toMatch(/not a heap snapshot: "nodes" comes before the "snapshot" header/);
    expect(e2.offset).toBe(1);
  });

  it('truncation inside each section, at every chunk size', async () => {
    const cuts: Array<[string, number]> = [
      ['meta', at('"node_types"')],
      ['nodes', at('"nodes"') + 20],
      ['edges', at('"edges"') + 15],
      ['strings', at('"strings"') + 30],
      ['trace_function_infos', at('"trace_function_infos"') + 24],
    ];
    for (const [section, cut] of cuts) {
      const f = write(Buffer.from(text).subarray(0, cut));
      for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
        const e = await formatError(f, chunk);
        expect(e.section, `cut in ${section}, chunk ${chunk}`).toBe(section);
        expect(e.offset).toBe(cut);
        expect(e.message).toMatch(/truncated/);
      }
    }
  });

  it('a file cut after the strings but before the final brace', async () => {
    const e = await formatError(write(text.slice(0, -1)));
    expect(e.offset).toBe(Buffer.byteLength(text) - 1);
    expect(e.message).toMatch(/before the closing/);
  });

  it('node_count larger and smaller than the nodes array', async () => {
    const more = text.replace('"node_count":6', '"node_count":7');
    const e = await formatError(write(more));
    expect(e.section).toBe('nodes');
    expect(e.message).toMatch(/node_count 7 × 7 fields needs 49/);
    expect(e.offset).toBe(Buffer.byteLength(more.slice(0, more.indexOf('],\n"edges"'))));
    const fewer = text.replace('"node_count":6', '"node_count":5');
    const e2 = await formatError(write(fewer));
    expect(e2.section).toBe('nodes');
    expect(e2.message).toMatch(/more nodes than snapshot.node_count \(5\)/);
  });

  it('edge_count that disagrees with the nodes and with the edges array', async () => {
    const e = await formatError(write(text.replace('"edge_count":8', '"edge_count":9')));
    expect(e.section).toBe('nodes');
    expect(e.message).toMatch(/edge_count fields add up to 8, but snapshot.edge_count is 9/);
    const e2 = await formatError(write(text.replace('"edge_count":8', '"edge_count":7')));
    expect(e2.message).toMatch(/more than snapshot.edge_count \(7\)/);
  });

  it('to_node out of range, and not a multiple of the node field count', async () => {
    const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
    const first = text.slice(edgesAt).split('\n')[0]!; // "2,1,21" style first record
    const [t, nm] = first.split(',');
    const bad = (to: number) => text.slice(0, edgesAt) + `${t},${nm},${to}` + text.slice(edgesAt + first.length);
    const e = await formatError(write(bad(42)));
    expect(e.section).toBe('edges');
    expect(e.message).toMatch(/to_node 42 is past the last node/);
    expect(e.offset).toBe(Buffer.byteLength(text.slice(0, edgesAt)) + `${t},${nm},`.length); // the value's first digit
    const e2 = await formatError(write(bad(8)));
    expect(e2.message).toMatch(/to_node 8 is not a multiple of the node field count \(7\)/);
  });

  it('string index out of range, for a node name and for an edge name, with the exact offset', async () => {
    const nodesAt = text.indexOf('"nodes":[') + '"nodes":['.length;
    const rec = text.slice(nodesAt).split('\n')[0]!; // root: 9,0,1,0,...
    const parts = rec.split(',');
    parts[1] = '999';
    const badNode = text.slice(0, nodesAt) + parts.join(',') + text.slice(nodesAt + rec.length);
    const e = await formatError(write(badNode));
    expect(e.section).toBe('nodes');
    expect(e.message).toMatch(/name index 999 is past the string table/);
    expect(e.offset).toBe(nodesAt + parts[0]!.length + 1);

    const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
    // The global's 'foo' property edge is the 3rd edge record (root element, root shortcut, global.foo).
    const lines = text.slice(edgesAt).split('\n,');
    const [t, , to] = lines[2]!.split(',');
    const lineStart = edgesAt + lines[0]!.length + 2 + lines[1]!.length + 2;
    const badEdge = text.slice(0, lineStart) + `${t},777,${to}` + text.slice(lineStart + lines[2]!.length);
    const e2 = await formatError(write(badEdge));
    expect(e2.section).toBe('edges');
    expect(e2.message).toMatch(/name index 777 is past the string table/);
    expect(e2.offset).toBe(lineStart + t!.length + 1);
  });

  it('NUL bytes, in the numbers and in the strings', async () => {
    for (const [needle, section] of [['"nodes":[', 'nodes'], ['"edges":[', 'edges'], ['"strings":["', 'strings'], ['"snapshot":', 'meta']] as const) {
      const pos = at(needle) + needle.length + 1;
      const buf = Buffer.from(text);
      buf[pos] = 0;
      const e = await formatError(write(buf));
      expect(e.section, needle).toBe(section);
      expect(e.offset).toBe(pos);
      expect(e.message).toMatch(/NUL/);
    }
  });

  it('a file of NUL bytes (preallocated, never written)', async () => {
    const e = await formatError(write(Buffer.alloc(4096)));
    expect([e.section, e.offset]).toEqual(['file', 0]);
    expect(e.message).toMatch(/NUL/);
  });

  it('bad meta: missing fields, broken JSON, impossible counts', async () => {
    const e = await formatError(write(text.replace('"self_size",', '')));
    expect(e.section).toBe('meta');
    expect(e.message).toMatch(/no "self_size" field/);
    const e2 = await formatError(write(text.replace('"node_count":6', '"node_count":-6')));
    expect(e2.message).toMatch(/node_count is not a non-negative integer/);
    const e3 = await formatError(write(text.replace('"node_count":6', '"node_count":600000000')));
    expect(e3.message).toMatch(/cannot fit in a \d+-byte file/);
    const e4 = await formatError(write(text.replace('"meta":{', '"meta":{,')));
    expect(e4.section).toBe('meta');
    expect(e4.message).toMatch(/not valid JSON/);
  });

  it('negative or fractional numbers, junk between values, and a node type past meta', async () => {
    const nodesAt = text.indexOf('"nodes":[') + '"nodes":['.length;
    const e = await formatError(write(text.slice(0, nodesAt) + '-' + text.slice(nodesAt)));
    expect([e.section, e.offset]).toEqual(['nodes', nodesAt]);
    const e2 = await formatError(write(text.slice(0, nodesAt) + '99' + text.slice(nodesAt + 1)));
    expect(e2.message).toMatch(/type 99 is not one of the 15 node types/);
    const e3 = await formatError(write(text.slice(0, nodesAt + 1) + ' 5' + text.slice(nodesAt + 1)));
    expect(e3.message).toMatch(/expected ',' between numbers/);
  });

  it('a missing file and a directory are I/O errors (exit 5), not format errors', async () => {
    await expect(scanSnapshotFile(path.join(dir, 'nope.heapsnapshot'))).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/no such file/) });
    await expect(scanSnapshotFile(dir)).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/directory/) });
  });

  it('a corrupt gzip stream', async () => {
    const gz = gzipSync(Buffer.from(text));
    gz[20] = gz[20]! ^ 0xff;
    gz[21] = gz[21]! ^ 0xff;
    const f = write(gz);
    await expect(scanSnapshotFile(f)).rejects.toMatchObject({ exitCode: 5 });
  });
});
