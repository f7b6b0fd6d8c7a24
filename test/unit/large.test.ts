import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadHeapGraph } from '../../src/snapshot/load.js';
import { analyze, summarizeClasses } from '../../src/analysis/summary.js';

/**
 * Sizes that break the plain approach: more than 2^24 nodes (the most a JS Set or Map holds; 1 GB
 * Chromium snapshots have ~17M) and a file over 512 MiB (V8's longest string, so JSON.parse of the
 * whole file is impossible). Written as a stream, padded with whitespace between records, which is
 * legal JSON and cheap to write.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NODES = 2 ** 24 + 10;
const PAD = ' '.repeat(24); // ~30 bytes per node record: 17M nodes → > 512 MiB

async function writeLarge(file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'], 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
  };
  await write(`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${NODES},"edge_count":1},\n"nodes":[9,0,1,0,1,0,0`);
  // Node 1 is "(GC roots)"; the rest are 'Blob' objects of 16 bytes each with odd, growing ids.
  await write(`\n,9,1,3,0,0,0,0${PAD}`);
  let chunk = '';
  for (let i = 2; i < NODES; i++) {
    chunk += `\n,3,2,${2 * i + 1},16,0,0,0${PAD}`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}],\n"edges":[1,1,7],\n"strings":["","(GC roots)","Blob"]}`);
  out.end();
  await once(out, 'finish');
}

it('loads and summarises a file over 512 MiB with more than 2^24 nodes', async () => {
  const file = path.join(dir, 'large.heapsnapshot');
  await writeLarge(file);
  expect(statSync(file).size).toBeGreaterThan(512 * 1024 * 1024);
  const graph = await loadHeapGraph(file);
  expect(graph.nodeCount).toBe(NODES);
  expect(graph.nodeId[NODES - 1]).toBe(2 * (NODES - 1) + 1);
  const blob = summarizeClasses(analyze(graph)).find((c) => c.name === 'Blob');
  expect(blob).toMatchObject({ count: NODES - 2, selfSize: 16 * (NODES - 2), retainedSize: 16 * (NODES - 2) });
}, 300_000);
