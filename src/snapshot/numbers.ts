/**
 * The hot loops of the parser: comma-separated non-negative integers read straight into the
 * destination typed arrays. They are plain functions over locals, with every field of the record
 * stored and checked in the same pass: as methods reading `this` per byte, or with an intermediate
 * batch, V8 11.3 ran them 2-3× slower. A loop stops at the end of the chunk, at a byte that is not a
 * digit, comma or whitespace (the caller tells ']' from junk), or at the first invalid value
 * (`cursor.error` and `cursor.errorAt` say what and where).
 */

export const IN_NUMBER = 1;
export const AFTER_NUMBER = 2;
export const AFTER_COMMA = 4;

/** Where a number array stands between chunks. */
export interface NumberCursor {
  value: number;
  flags: number;
  /** File offset of the current number's first digit. */
  start: number;
  field: number;
  ordinal: number;
  error: string | null;
  errorAt: number;
}

export function newCursor(): NumberCursor {
  return { value: 0, flags: 0, start: 0, field: 0, ordinal: 0, error: null, errorAt: 0 };
}

export const K_IGNORE = 0, K_TYPE = 1, K_NAME = 2, K_ID = 3, K_SELF = 4, K_EDGES = 5, K_DETACHED = 6, K_TO = 7;
const MAX_U32 = 0xffffffff;

export interface NodeColumns {
  kinds: Uint8Array;
  count: number;
  typeCount: number;
  edgeCount: number;
  type: Uint8Array;
  name: Uint32Array;
  id: Uint32Array;
  selfSize: Float64Array;
  /** firstEdge[o + 1] = firstEdge[o] + edge_count of node o. */
  firstEdge: Uint32Array;
  detachedness: Uint8Array | null;
}

export interface EdgeColumns {
  kinds: Uint8Array;
  count: number;
  typeCount: number;
  nodeFieldCount: number;
  nodeCount: number;
  type: Uint8Array;
  name: Uint32Array;
  /** Target node ordinal: to_node / node field count. */
  to: Uint32Array;
}

export function scanNodeValues(buf: Uint8Array, i: number, n: number, base: number, c: NumberCursor, a: NodeColumns): number {
  const { kinds, count, typeCount, edgeCount, type, name, id, selfSize, firstEdge, detachedness } = a;
  const fieldCount = kinds.length;
  let v = c.value;
  let inNumber = (c.flags & IN_NUMBER) !== 0;
  let afterNumber = (c.flags & AFTER_NUMBER) !== 0;
  let afterComma = (c.flags & AFTER_COMMA) !== 0;
  let start = c.start;
  let f = c.field;
  let o = c.ordinal;
  let error: string | null = null;
  for (; i < n; i++) {
    const b = buf[i]!;
    const d = b - 0x30;
    if (d >= 0 && d <= 9) {
      if (inNumber) { v = v * 10 + d; continue; }
      if (afterNumber) break;
      inNumber = true;
      start = base + i;
      v = d;
      continue;
    }
    if (inNumber) {
      inNumber = false;
      afterNumber = true;
      afterComma = false;
      if (o >= count) { error = `more nodes than snapshot.node_count (${count})`; break; }
      const kind = kinds[f];
      if (kind === K_TYPE) {
        if (v >= typeCount) { error = `node ${o}: type ${v} is not one of the ${typeCount} node types in meta`; break; }
        type[o] = v;
      } else if (kind === K_NAME) {
        if (v > MAX_U32) { error = `node ${o}: name index ${v} out of range`; break; }
        name[o] = v;
      } else if (kind === K_ID) {
        if (v > MAX_U32) { error = `node ${o}: id ${v} out of range`; break; }
        id[o] = v;
      } else if (kind === K_SELF) {
        selfSize[o] = v;
      } else if (kind === K_EDGES) {
        const end = firstEdge[o]! + v;
        if (end > edgeCount) { error = `node ${o}: edge counts add up to more than snapshot.edge_count (${edgeCount})`; break; }
        firstEdge[o + 1] = end;
      } else if (kind === K_DETACHED) {
        detachedness![o] = v > 255 ? 255 : v;
      }
      if (++f === fieldCount) { f = 0; o++; }
    }
    if (b === 0x2c) {
      if (!afterNumber) break;
      afterNumber = false;
      afterComma = true;
      continue;
    }
    if (b === 0x0a || b === 0x20 || b === 0x0d || b === 0x09) continue;
    break;
  }
  c.value = v;
  c.flags = (inNumber ? IN_NUMBER : 0) | (afterNumber ? AFTER_NUMBER : 0) | (afterComma ? AFTER_COMMA : 0);
  c.start = start;
  c.field = f;
  c.ordinal = o;
  c.error = error;
  c.errorAt = start;
  return i;
}

export function scanEdgeValues(buf: Uint8Array, i: number, n: number, base: number, c: NumberCursor, a: EdgeColumns): number {
  const { kinds, count, typeCount, nodeFieldCount, nodeCount, type, name, to } = a;
  const fieldCount = kinds.length;
  const limit = nodeCount * nodeFieldCount;
  let v = c.value;
  let inNumber = (c.flags & IN_NUMBER) !== 0;
  let afterNumber = (c.flags & AFTER_NUMBER) !== 0;
  let afterComma = (c.flags & AFTER_COMMA) !== 0;
  let start = c.start;
  let f = c.field;
  let e = c.ordinal;
  let error: string | null = null;
  for (; i < n; i++) {
    const b = buf[i]!;
    const d = b - 0x30;
    if (d >= 0 && d <= 9) {
      if (inNumber) { v = v * 10 + d; continue; }
      if (afterNumber) break;
      inNumber = true;
      start = base + i;
      v = d;
      continue;
    }
    if (inNumber) {
      inNumber = false;
      afterNumber = true;
      afterComma = false;
      if (e >= count) { error = `more edges than snapshot.edge_count (${count})`; break; }
      const kind = kinds[f];
      if (kind === K_TO) {
        if (v % nodeFieldCount !== 0) { error = `edge ${e}: to_node ${v} is not a multiple of the node field count (${nodeFieldCount})`; break; }
        if (v >= limit) { error = `edge ${e}: to_node ${v} is past the last node (${nodeCount} nodes × ${nodeFieldCount} fields)`; break; }
        to[e] = v / nodeFieldCount;
      } else if (kind === K_TYPE) {
        if (v >= typeCount) { error = `edge ${e}: type ${v} is not one of the ${typeCount} edge types in meta`; break; }
        type[e] = v;
      } else if (kind === K_NAME) {
        if (v > MAX_U32) { error = `edge ${e}: name or index ${v} out of range`; break; }
        name[e] = v;
      }
      if (++f === fieldCount) { f = 0; e++; }
    }
    if (b === 0x2c) {
      if (!afterNumber) break;
      afterNumber = false;
      afterComma = true;
      continue;
    }
    if (b === 0x0a || b === 0x20 || b === 0x0d || b === 0x09) continue;
    break;
  }
  c.value = v;
  c.flags = (inNumber ? IN_NUMBER : 0) | (afterNumber ? AFTER_NUMBER : 0) | (afterComma ? AFTER_COMMA : 0);
  c.start = start;
  c.field = f;
  c.ordinal = e;
  c.error = error;
  c.errorAt = start;
  return i;
}

/** The small `locations` array: values appended to a growable column. */
export function scanPlainValues(buf: Uint8Array, i: number, n: number, base: number, c: NumberCursor, out: { values: Uint32Array; count: number }): number {
  let v = c.value;
  let inNumber = (c.flags & IN_NUMBER) !== 0;
  let afterNumber = (c.flags & AFTER_NUMBER) !== 0;
  let afterComma = (c.flags & AFTER_COMMA) !== 0;
  let start = c.start;
  let error: string | null = null;
  for (; i < n; i++) {
    const b = buf[i]!;
    const d = b - 0x30;
    if (d >= 0 && d <= 9) {
      if (inNumber) { v = v * 10 + d; continue; }
      if (afterNumber) break;
      inNumber = true;
      start = base + i;
      v = d;
      continue;
    }
    if (inNumber) {
      inNumber = false;
      afterNumber = true;
      afterComma = false;
      if (v > MAX_U32) { error = `value ${v} out of range`; break; }
      if (out.count === out.values.length) {
        const grown = new Uint32Array(out.values.length * 2);
        grown.set(out.values);
        out.values = grown;
      }
      out.values[out.count++] = v;
    }
    if (b === 0x2c) {
      if (!afterNumber) break;
      afterNumber = false;
      afterComma = true;
      continue;
    }
    if (b === 0x0a || b === 0x20 || b === 0x0d || b === 0x09) continue;
    break;
  }
  c.value = v;
  c.flags = (inNumber ? IN_NUMBER : 0) | (afterNumber ? AFTER_NUMBER : 0) | (afterComma ? AFTER_COMMA : 0);
  c.start = start;
  c.error = error;
  c.errorAt = start;
  return i;
}
