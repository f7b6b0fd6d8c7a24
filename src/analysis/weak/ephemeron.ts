import type { HeapGraph } from '../../snapshot/graph.js';
import { Name, type Names } from './names.js';

// The ids in "N / part of key (K @kid) -> value (V @vid) pair in WeakMap (table @tid)". K and V are
// node names, which a program chooses (constructor names): every "@id) -> value (" is a candidate
// key id, and the one whose node has the edge itself wins.
const KEY_ID = / @(\d+)\) -> value \(/g;

/**
 * Live entries of a WeakMap's or WeakSet's ephemeron table, as `onEntry(key, value)` (ordinals;
 * value -1 when it has no node, e.g. a small integer).
 *
 * V8 (heap-snapshot-generator.cc, ExtractEphemeronHashTableReferences) writes per entry: `weak`
 * edges from the table to key and value when they are heap objects worth showing (not Oddballs,
 * not Smis), and, when both key and value have nodes, two `internal` edges to the value with one
 * shared name "… pair in WeakMap (table @tid)", one from the key and one from the table. So:
 * - entries with a pair edge give key (named by id in the edge name, confirmed by the key's own
 *   edge) and value; the WeakSet's value `true` is an Oddball and has no weak edge (README: one
 *   weak edge per WeakSet entry);
 * - dead entries leave a junk pair whose key is the hole (`system / Oddball`): skipped;
 * - a weak edge to a node that no pair names is a key whose value is a Smi (no pair is written).
 */
export function readEphemeronTable(
  g: HeapGraph, names: Names, ordinalOf: (id: number) => number, table: number,
  onEntry: (key: number, value: number) => void,
): void {
  const tableId = g.nodeId[table]!;
  const { internal, weak } = g.edgeTypes;
  const paired = new Set<number>();
  const weakTargets: number[] = [];
  const end = g.firstEdge[table + 1]!;
  for (let e = g.firstEdge[table]!; e < end; e++) {
    const type = g.edgeType[e]!;
    const to = g.edgeTo[e]!;
    if (type === weak) {
      weakTargets.push(to);
      continue;
    }
    if (type !== internal) continue;
    const pair = g.ephemeronEdge(g.edgeName[e]!);
    if (!pair || pair.table !== tableId) continue;
    const key = keyOfPair(g, ordinalOf, g.edgeName[e]!, to, table);
    paired.add(to);
    if (key < 0) continue;
    paired.add(key);
    if (names.node(key) === Name.oddball) continue; // a dead entry: the hole
    onEntry(key, to);
  }
  for (const to of weakTargets) {
    if (paired.has(to) || names.node(to) === Name.oddball) continue;
    paired.add(to);
    onEntry(to, -1);
  }
}

/** The key of a pair edge: the node named in the edge's name that has the same edge to the value. */
function keyOfPair(g: HeapGraph, ordinalOf: (id: number) => number, nameIndex: number, value: number, table: number): number {
  const text = g.strings.get(nameIndex);
  let fallback = -1;
  for (const m of text.matchAll(KEY_ID)) {
    const key = ordinalOf(Number(m[1]));
    if (key < 0 || key === table) continue;
    if (fallback < 0) fallback = key;
    const end = g.firstEdge[key + 1]!;
    for (let e = g.firstEdge[key]!; e < end; e++) {
      if (g.edgeTo[e] === value && g.edgeName[e] === nameIndex && g.edgeType[e] === g.edgeTypes.internal) return key;
    }
  }
  return fallback;
}
