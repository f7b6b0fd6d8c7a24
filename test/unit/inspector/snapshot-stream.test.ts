import { describe, expect, it } from 'vitest';
import { estimateSnapshotBytes, SnapshotStreamTracker } from '../../../src/inspector/snapshot-stream.js';

// The shape V8 writes (FACTS.md §3), small, with strings that try to fool an end-of-text check.
const SNAPSHOT = `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],`
  + `"node_types":[["hidden","array","string"],"string","number","number","number","number","number"],`
  + `"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element"],"string_or_number","node"],`
  + `"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],"location_fields":[]},`
  + `"node_count":2,"edge_count":1,"trace_function_count":0},\n`
  + `"nodes":[9,0,1,0,1,0,0\n,2,1,3,16,0,0,0],\n"edges":[1,0,7],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n`
  + `"strings":["","a]}","quote \\" and ]} and \\\\","\\\\\\"strings\\":[","end ]}\\n"]}`;

function feed(text: string, size: number): SnapshotStreamTracker {
  const t = new SnapshotStreamTracker();
  for (let i = 0; i < text.length; i += size) t.feed(text.slice(i, i + size));
  return t;
}

describe('SnapshotStreamTracker', () => {
  it('the fixture is a valid snapshot', () => {
    expect(JSON.parse(SNAPSHOT).strings).toHaveLength(5);
  });

  it.each([1, 2, 3, 7, 10, 64, 100_000])('is complete at the end, fed %i characters at a time', (size) => {
    const t = feed(SNAPSHOT, size);
    expect(t.complete).toBe(true);
    expect(t.bytes).toBe(Buffer.byteLength(SNAPSHOT));
    expect(t.header).toEqual({ nodeCount: 2, edgeCount: 1, nodeFields: 7, edgeFields: 3 });
    expect(t.estimatedBytes).toBeGreaterThan(0);
  });

  it('is incomplete for every cut short of the end, even cuts that end in ]}', () => {
    for (let cut = 0; cut < SNAPSHOT.length; cut++) {
      for (const size of [1, 5, 4096]) {
        const t = feed(SNAPSHOT.slice(0, cut), size);
        if (t.complete) throw new Error(`complete after ${cut} of ${SNAPSHOT.length} characters: ...${SNAPSHOT.slice(cut - 10, cut)}`);
      }
    }
  });

  it('accepts trailing whitespace and refuses anything else after the end', () => {
    expect(feed(`${SNAPSHOT}\n  `, 3).complete).toBe(true);
    const t = feed(`${SNAPSHOT},{}`, 3);
    expect(t.complete).toBe(false);
    expect(t.malformed).toMatch(/after the end/);
  });

  it('flags text that is not a snapshot', () => {
    const t = feed('<html>not a snapshot</html>', 4);
    expect(t.complete).toBe(false);
    expect(t.malformed).toBeDefined();
  });

  it('counts UTF-8 bytes, not characters', () => {
    const t = new SnapshotStreamTracker();
    t.feed('{"snapshot":{}, "strings":["é€"]}');
    expect(t.bytes).toBe(Buffer.byteLength('{"snapshot":{}, "strings":["é€"]}'));
    expect(t.complete).toBe(true);
  });
});

describe('estimateSnapshotBytes', () => {
  // Node 20 snapshots measured on this machine (FACTS.md §3, and fixtures/targets/generator.mjs).
  it.each([
    [42_610, 191_853, 4_299_530],
    [1_542_875, 6_692_714, 166_137_897],
    [3_043_075, 13_193_214, 333_222_165],
    [11_100_000, 37_800_000, 1_050_000_000],
  ])('%i nodes, %i edges -> about %i bytes', (nodeCount, edgeCount, actual) => {
    const estimate = estimateSnapshotBytes({ nodeCount, edgeCount, nodeFields: 7, edgeFields: 3 });
    expect(Math.abs(estimate - actual) / actual).toBeLessThan(0.15);
  });
});
