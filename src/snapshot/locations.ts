import type { SnapshotLayout } from './format.js';

/**
 * Source locations (`locations`: object_index, script_id, line, column per record), reshaped for
 * use: each node points at one distinct (script, line, column) triple, or -1. V8 writes one record
 * per object with a known constructor, so a 1 GB snapshot of one class's instances holds millions of
 * identical records (~100 MB); after this they are one triple and 4 bytes a node.
 */
export interface Locations {
  /** Per node ordinal: index of its triple, or -1 (the last record for a node wins, as in DevTools). */
  nodeLocation: Int32Array;
  script: Uint32Array;
  line: Uint32Array;
  column: Uint32Array;
}

export function compactLocations(raw: Uint32Array, layout: SnapshotLayout): Locations {
  const nodeLocation = new Int32Array(layout.nodeCount).fill(-1);
  const f = layout.locationFieldCount;
  const { locationObjectIndexOffset: oo, locationScriptIdOffset: so, locationLineOffset: lo, locationColumnOffset: co } = layout;
  const script: number[] = [];
  const line: number[] = [];
  const column: number[] = [];
  if (f > 0 && oo >= 0 && so >= 0 && lo >= 0 && co >= 0) {
    const nfc = layout.nodeFieldCount;
    // Packed as one double while exact (script < 2^11, line and column < 2^21); a string key beyond.
    const packed = new Map<number, number>();
    const other = new Map<string, number>();
    for (let r = 0; r + f <= raw.length; r += f) {
      const nodeIndex = raw[r + oo]!;
      if (nodeIndex % nfc !== 0 || nodeIndex / nfc >= layout.nodeCount) continue;
      const s = raw[r + so]!;
      const l = raw[r + lo]!;
      const c = raw[r + co]!;
      let id: number | undefined;
      if (s < 2048 && l < 2097152 && c < 2097152) {
        const key = (s * 2097152 + l) * 2097152 + c;
        id = packed.get(key);
        if (id === undefined) packed.set(key, (id = script.length));
      } else {
        const key = `${s},${l},${c}`;
        id = other.get(key);
        if (id === undefined) other.set(key, (id = script.length));
      }
      if (id === script.length) {
        script.push(s);
        line.push(l);
        column.push(c);
      }
      nodeLocation[nodeIndex / nfc] = id;
    }
  }
  return { nodeLocation, script: Uint32Array.from(script), line: Uint32Array.from(line), column: Uint32Array.from(column) };
}
