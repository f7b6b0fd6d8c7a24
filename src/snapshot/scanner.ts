import { SnapshotFormatError, type SnapshotSection } from './errors.js';
import { readLayout, type SnapshotLayout } from './format.js';
import { StringTable } from './strings.js';
import {
  AFTER_COMMA, K_DETACHED, K_EDGES, K_ID, K_NAME, K_SELF, K_TO, K_TYPE, newCursor, scanEdgeValues, scanNodeValues,
  scanPlainValues, type EdgeColumns, type NodeColumns, type NumberCursor,
} from './numbers.js';

/**
 * A push scanner for the .heapsnapshot JSON: bytes in, flat typed arrays out. Only `snapshot`
 * (the meta header) goes through JSON.parse; `nodes`, `edges` and `locations` are read digit by
 * digit into pre-sized typed arrays, `strings` are copied raw and decoded later on demand, and the
 * trace sections are skipped. Chunks may split the input anywhere (tests feed it 1 byte at a time),
 * so all state lives in fields, never in locals that outlive one `feed`.
 */

// Top-level states.
const S_START = 0, S_KEY_OR_END = 1, S_KEY = 2, S_COLON = 3, S_VALUE = 4, S_CAPTURE = 5, S_SKIP = 6,
  S_NUMBERS = 7, S_STRINGS = 8, S_AFTER_VALUE = 9, S_DONE = 10, S_ARRAY_OPEN = 11, S_SKIP_EDGES = 12;
// What a number array is read into.
const T_NODES = 0, T_EDGES = 1, T_LOCATIONS = 2;

const MAX_U32 = 0xffffffff;
const MAX_META_BYTES = 64 << 20;

export interface ScanResult {
  layout: SnapshotLayout;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Float64Array;
  /** firstEdge[i]..firstEdge[i+1]: node i's edges (edge ordinals). Length nodeCount + 1. */
  firstEdge: Uint32Array;
  nodeDetachedness: Uint8Array | null;
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  /** Target node ordinal (to_node / node field count). */
  edgeTo: Uint32Array;
  strings: StringTable;
  /** Flat [object ordinal, script id, line, column] quadruples, as in the file. */
  locations: Uint32Array;
  /** File offsets of the `[` of each number section, for re-locating a bad value later. */
  sectionOffsets: Partial<Record<'nodes' | 'edges', number>>;
}

/** Lets parse.ts read the edges section on another thread while this scanner reads the rest. */
export interface ScannerHooks {
  edgesElsewhere?: {
    /** The header is read; `columns` (shared memory) are where the edges go; `searchFrom` is a file offset past the header. */
    header(columns: EdgeColumns, searchFrom: number): void;
    /** File offsets of the edges array's '[' and ']'. */
    opened(offset: number): void;
    closed(offset: number): void;
  };
}

export class SnapshotScanner {
  private readonly file: string;
  private readonly sizeHint: number | undefined;
  private base = 0; // file offset of the current chunk's first byte
  private state = S_START;
  private key = '';
  private keyOffset = 0;
  private readonly seen = new Set<string>();
  // generic value capture/skip
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;
  private captureParts: Buffer[] = [];
  private captureBytes = 0;
  private valueOffset = 0;
  // number arrays
  private target = T_NODES;
  private cursor: NumberCursor = newCursor();
  private readonly nodeCursor = newCursor();
  private readonly edgeCursor = newCursor();
  private nodeColumns: NodeColumns | undefined;
  private edgeColumns: EdgeColumns | undefined;
  private layout: SnapshotLayout | undefined;
  private readonly locations = { values: new Uint32Array(64), count: 0 };
  private readonly sectionOffsets: ScanResult['sectionOffsets'] = {};
  // strings
  private sBytes: Buffer = Buffer.alloc(0);
  private sLength = 0;
  private sStarts = new Uint32Array(1024);
  private sEscaped = new Uint8Array(128);
  private sCount = 0;
  private sState = 0; // 0 expect first string or ], 1 in string, 2 after string, 3 after comma

  private readonly hooks: ScannerHooks | undefined;

  /** `sizeHint`: the total input size when known, to pre-size buffers and refuse impossible counts. */
  constructor(file: string, sizeHint?: number, hooks?: ScannerHooks) {
    this.file = file;
    this.sizeHint = sizeHint;
    this.hooks = hooks;
  }

  /**
   * Another thread reads the edges (parse.ts): only find the closing ']' here. The section holds
   * only digits, commas and whitespace, so the first ']' ends it; the other thread validates it.
   */
  private skipEdges(buf: Uint8Array, i: number): number {
    const end = buf.indexOf(0x5d, i);
    if (end < 0) return buf.length;
    this.hooks!.edgesElsewhere!.closed(this.base + end);
    this.state = S_AFTER_VALUE;
    return end + 1;
  }

  private fail(section: SnapshotSection, offset: number, detail: string): never {
    throw new SnapshotFormatError(this.file, section, offset, detail);
  }

  private sectionOfKey(): SnapshotSection {
    switch (this.key) {
      case 'snapshot': return 'meta';
      case 'nodes': case 'edges': case 'strings': case 'locations': case 'samples': case 'trace_tree':
      case 'trace_function_infos': return this.key;
      default: return 'file';
    }
  }

  private unexpected(section: SnapshotSection, offset: number, b: number, expected: string): never {
    if (b === 0) this.fail(section, offset, 'NUL byte in the file (a heap snapshot is JSON text; the file is corrupt or was preallocated and not fully written)');
    const shown = b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
    this.fail(section, offset, `unexpected ${shown}, expected ${expected}`);
  }

  feed(chunk: Uint8Array): void {
    const buf = chunk;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case S_NUMBERS: i = this.scanNumbers(buf, i); break;
        case S_SKIP_EDGES: i = this.skipEdges(buf, i); break;
        case S_STRINGS: i = this.scanStrings(buf, i); break;
        case S_SKIP: case S_CAPTURE: i = this.scanValue(buf, i); break;
        default: i = this.scanStructure(buf, i); break;
      }
    }
    this.base += n;
  }

  /** The `{ "key": value, ... }` skeleton around the sections. */
  private scanStructure(buf: Uint8Array, i: number): number {
    const b = buf[i]!;
    const at = this.base + i;
    if (this.state === S_KEY) {
      // Keys are short ASCII names; a quote ends one (snapshot keys never hold escapes).
      if (b === 0x22) { this.state = S_COLON; return i + 1; }
      if (b < 0x20 || this.key.length > 256) this.unexpected('file', at, b, 'a key name');
      this.key += String.fromCharCode(b);
      return i + 1;
    }
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) return i + 1;
    switch (this.state) {
      case S_START:
        if (b !== 0x7b) {
          if (b === 0xef && i + 2 < buf.length && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) return i + 3; // UTF-8 BOM
          this.fail('file', at, `not a heap snapshot: expected a JSON object ('{') but found ${b === 0 ? 'a NUL byte' : `'${String.fromCharCode(b)}'`}`);
        }
        this.state = S_KEY_OR_END;
        return i + 1;
      case S_KEY_OR_END:
        if (b === 0x22) { this.key = ''; this.keyOffset = at; this.state = S_KEY; return i + 1; }
        if (b === 0x7d && this.seen.size === 0) { this.state = S_DONE; return i + 1; }
        return this.unexpected('file', at, b, 'a key in quotes');
      case S_COLON:
        if (b !== 0x3a) this.unexpected('file', at, b, `':' after "${this.key}"`);
        this.state = S_VALUE;
        return i + 1;
      case S_VALUE:
        return this.startValue(b, at, i);
      case S_ARRAY_OPEN:
        if (b !== 0x5b) this.unexpected(this.sectionOfKey(), at, b, `'[' to open "${this.key}"`);
        this.state = this.key === 'strings' ? S_STRINGS : this.key === 'edges' && this.hooks?.edgesElsewhere ? S_SKIP_EDGES : S_NUMBERS;
        if (this.state === S_SKIP_EDGES) this.hooks!.edgesElsewhere!.opened(at);
        return i + 1;
      case S_AFTER_VALUE:
        if (b === 0x2c) { this.state = S_KEY_OR_END; return i + 1; }
        if (b === 0x7d) { this.state = S_DONE; return i + 1; }
        return this.unexpected('file', at, b, `',' or '}' after the "${this.key}" section`);
      case S_DONE:
        return this.unexpected('file', at, b, 'the end of the file after the closing }');
      default:
        throw new Error(`scanner state ${this.state}`);
    }
  }

  private startValue(b: number, at: number, i: number): number {
    const key = this.key;
    if (this.seen.has(key)) this.fail(this.sectionOfKey(), this.keyOffset, `duplicate "${key}" section`);
    this.seen.add(key);
    this.valueOffset = at;
    if (key === 'snapshot') {
      this.state = S_CAPTURE;
      this.beginValue();
      return i; // the capture scanner consumes the opening byte
    }
    if (key === 'nodes' || key === 'edges' || key === 'strings' || key === 'locations') {
      if (!this.layout) {
        this.fail(this.sectionOfKey(), this.keyOffset, this.seen.size === 1 || !this.seen.has('snapshot')
          ? `not a heap snapshot: "${key}" comes before the "snapshot" header`
          : `"${key}" comes before the "snapshot" header`);
      }
      if (key === 'edges' && !this.seen.has('nodes')) this.fail('edges', this.keyOffset, '"edges" comes before "nodes"');
      this.target = key === 'nodes' ? T_NODES : key === 'edges' ? T_EDGES : T_LOCATIONS;
      if (key === 'nodes' || key === 'edges') this.sectionOffsets[key] = at;
      if (key === 'strings') this.beginStrings();
      this.cursor = key === 'nodes' ? this.nodeCursor : key === 'edges' ? this.edgeCursor : newCursor();
      this.state = S_ARRAY_OPEN;
      return i; // S_ARRAY_OPEN checks the '['
    }
    this.state = S_SKIP; // trace_function_infos, trace_tree, samples and anything newer
    this.beginValue();
    return i;
  }

  private beginValue(): void {
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.scalar = false;
    this.captureParts = [];
    this.captureBytes = 0;
  }

  /** Skips or captures one JSON value of any shape, tracking strings so brackets inside them don't count. */
  private scanValue(buf: Uint8Array, i: number): number {
    const n = buf.length;
    const start = i;
    const capture = this.state === S_CAPTURE;
    const section = this.sectionOfKey();
    let done = false;
    for (; i < n; i++) {
      const b = buf[i]!;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === 0x5c) this.escape = true;
        else if (b === 0x22) { this.inString = false; if (this.depth === 0) { done = true; i++; break; } }
        else if (b < 0x20) this.unexpected(section, this.base + i, b, 'a JSON string character');
        continue;
      }
      if (b === 0x22) { this.inString = true; continue; }
      if (b === 0x7b || b === 0x5b) { this.depth++; continue; }
      if (b === 0x7d || b === 0x5d) {
        if (this.depth === 0) { done = true; break; } // end of a scalar at the top level; not ours
        if (--this.depth === 0) { done = true; i++; break; }
        continue;
      }
      if (this.depth === 0) {
        if (b === 0x2c) { done = true; break; }
        if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) { if (this.scalar) { done = true; break; } continue; }
        this.scalar = true;
      }
      if (b === 0) this.unexpected(section, this.base + i, b, 'JSON');
    }
    if (capture) {
      this.captureBytes += i - start;
      if (this.captureBytes > MAX_META_BYTES) this.fail('meta', this.valueOffset, `the "snapshot" header is larger than ${MAX_META_BYTES >> 20} MiB`);
      this.captureParts.push(Buffer.from(buf.subarray(start, i)));
    }
    if (done) {
      this.state = S_AFTER_VALUE;
      if (capture) this.endHeader();
    }
    return i;
  }

  private endHeader(): void {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.concat(this.captureParts).toString('utf8'));
    } catch (err) {
      this.fail('meta', this.valueOffset, `the "snapshot" header is not valid JSON (${(err as Error).message})`);
    }
    this.captureParts = [];
    const layout = readLayout(this.file, this.valueOffset, header);
    const { nodeCount, edgeCount, nodeFieldCount, edgeFieldCount } = layout;
    if (nodeFieldCount === 0 || edgeFieldCount === 0) this.fail('meta', this.valueOffset, 'meta lists no node or edge fields');
    // Every value takes at least two bytes ("0,"): refuse counts the input cannot hold before allocating for them.
    if (this.sizeHint !== undefined && (nodeCount * nodeFieldCount + edgeCount * edgeFieldCount) * 2 > this.sizeHint + 16) {
      this.fail('meta', this.valueOffset, `node_count ${nodeCount} and edge_count ${edgeCount} cannot fit in a ${this.sizeHint}-byte file`);
    }
    if (nodeCount > MAX_U32 - 1 || edgeCount > MAX_U32 - 1) this.fail('meta', this.valueOffset, 'more than 2^32 nodes or edges');
    this.layout = layout;
    const nodeKinds = new Uint8Array(nodeFieldCount);
    nodeKinds[layout.nodeTypeOffset] = K_TYPE;
    nodeKinds[layout.nodeNameOffset] = K_NAME;
    nodeKinds[layout.nodeIdOffset] = K_ID;
    nodeKinds[layout.nodeSelfSizeOffset] = K_SELF;
    nodeKinds[layout.nodeEdgeCountOffset] = K_EDGES;
    if (layout.nodeDetachednessOffset >= 0) nodeKinds[layout.nodeDetachednessOffset] = K_DETACHED;
    const edgeKinds = new Uint8Array(edgeFieldCount);
    edgeKinds[layout.edgeTypeOffset] = K_TYPE;
    edgeKinds[layout.edgeNameOffset] = K_NAME;
    edgeKinds[layout.edgeToNodeOffset] = K_TO;
    this.nodeColumns = {
      kinds: nodeKinds,
      count: nodeCount,
      typeCount: layout.nodeTypes.length,
      edgeCount,
      type: new Uint8Array(nodeCount),
      name: new Uint32Array(nodeCount),
      id: new Uint32Array(nodeCount),
      selfSize: new Float64Array(nodeCount),
      firstEdge: new Uint32Array(nodeCount + 1),
      detachedness: layout.nodeDetachednessOffset >= 0 ? new Uint8Array(nodeCount) : null,
    };
    const shared = this.hooks?.edgesElsewhere;
    const alloc = <T extends Uint8Array | Uint32Array>(make: (b: ArrayBufferLike) => T, bytes: number): T =>
      make(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.edgeColumns = {
      kinds: edgeKinds,
      count: edgeCount,
      typeCount: layout.edgeTypes.length,
      nodeFieldCount,
      nodeCount,
      type: alloc((b) => new Uint8Array(b), edgeCount),
      name: alloc((b) => new Uint32Array(b), edgeCount * 4),
      to: alloc((b) => new Uint32Array(b), edgeCount * 4),
    };
    shared?.header(this.edgeColumns, this.base);
  }

  private scanNumbers(buf: Uint8Array, i: number): number {
    const n = buf.length;
    const c = this.cursor;
    const stop = this.target === T_NODES ? scanNodeValues(buf, i, n, this.base, c, this.nodeColumns!)
      : this.target === T_EDGES ? scanEdgeValues(buf, i, n, this.base, c, this.edgeColumns!)
      : scanPlainValues(buf, i, n, this.base, c, this.locations);
    const section = this.numberSection();
    if (c.error !== null) this.fail(section, c.errorAt, c.error);
    if (stop === n) return n;
    const b = buf[stop]!;
    if (b === 0x5d && !(c.flags & AFTER_COMMA)) {
      this.endNumbers(this.base + stop);
      this.state = S_AFTER_VALUE;
      return stop + 1;
    }
    const expected = b >= 0x30 && b <= 0x39 ? "',' between numbers"
      : b === 0x2c ? 'a number'
      : b === 0x5d ? 'a number after the comma'
      : b === 0x2d || b === 0x2e ? 'a non-negative integer' : "a digit, ',' or ']'";
    return this.unexpected(section, this.base + stop, b, expected);
  }

  private numberSection(): SnapshotSection {
    return this.target === T_NODES ? 'nodes' : this.target === T_EDGES ? 'edges' : 'locations';
  }

  private endNumbers(at: number): void {
    const layout = this.layout!;
    const c = this.cursor;
    if (this.target === T_NODES) {
      if (c.ordinal !== layout.nodeCount || c.field !== 0) {
        this.fail('nodes', at, `nodes holds ${c.ordinal * layout.nodeFieldCount + c.field} values, but snapshot.node_count ${layout.nodeCount} × ${layout.nodeFieldCount} fields needs ${layout.nodeCount * layout.nodeFieldCount}`);
      }
      const sum = layout.nodeCount > 0 ? this.nodeColumns!.firstEdge[layout.nodeCount]! : 0;
      if (sum !== layout.edgeCount) this.fail('nodes', at, `the nodes' edge_count fields add up to ${sum}, but snapshot.edge_count is ${layout.edgeCount}`);
    } else if (this.target === T_EDGES) {
      if (c.ordinal !== layout.edgeCount || c.field !== 0) {
        this.fail('edges', at, `edges holds ${c.ordinal * layout.edgeFieldCount + c.field} values, but snapshot.edge_count ${layout.edgeCount} × ${layout.edgeFieldCount} fields needs ${layout.edgeCount * layout.edgeFieldCount}`);
      }
    }
  }

  private beginStrings(): void {
    // Strings are the last section: what is left of the file bounds their size.
    const left = this.sizeHint !== undefined ? Math.max(0, this.sizeHint - this.base) : 1 << 20;
    this.sBytes = Buffer.allocUnsafe(Math.min(left, 0x7fffffff) || 1);
    this.sLength = 0;
    this.sState = 0;
  }

  private ensureStringBytes(extra: number): void {
    const need = this.sLength + extra;
    if (need <= this.sBytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.sBytes.length * 2));
    this.sBytes.copy(grown, 0, 0, this.sLength);
    this.sBytes = grown;
  }

  private scanStrings(buf: Uint8Array, i: number): number {
    const n = buf.length;
    while (i < n) {
      if (this.sState === 1) {
        // Copy the run up to the closing quote in one go; only quotes, backslashes and control bytes stop it.
        let j = i;
        while (j < n) {
          const b = buf[j]!;
          if (this.escape) { this.escape = false; j++; continue; }
          if (b === 0x22) break;
          if (b === 0x5c) { this.escape = true; this.markEscaped(); j++; continue; }
          if (b < 0x20) this.unexpected('strings', this.base + j, b, 'a string character (control bytes must be escaped)');
          j++;
        }
        if (j > i) {
          this.ensureStringBytes(j - i);
          this.sBytes.set(buf.subarray(i, j), this.sLength);
          this.sLength += j - i;
        }
        if (j < n) { this.endString(); this.sState = 2; j++; }
        i = j;
        continue;
      }
      const b = buf[i]!;
      const at = this.base + i;
      i++;
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      if (b === 0x22 && (this.sState === 0 || this.sState === 3)) { this.beginString(); this.sState = 1; continue; }
      if (b === 0x2c && this.sState === 2) { this.sState = 3; continue; }
      if (b === 0x5d && (this.sState === 0 || this.sState === 2)) { this.state = S_AFTER_VALUE; return i; }
      this.unexpected('strings', at, b, this.sState === 2 ? "',' or ']'" : 'a string in quotes');
    }
    return i;
  }

  private beginString(): void {
    if (this.sCount + 1 >= this.sStarts.length) {
      const grown = new Uint32Array(this.sStarts.length * 2);
      grown.set(this.sStarts);
      this.sStarts = grown;
      const esc = new Uint8Array(grown.length >> 3);
      esc.set(this.sEscaped);
      this.sEscaped = esc;
    }
    if (this.sLength > MAX_U32) this.fail('strings', this.base, 'string table larger than 4 GiB');
    this.sStarts[this.sCount] = this.sLength;
    this.escape = false;
  }

  private markEscaped(): void {
    this.sEscaped[this.sCount >> 3]! |= 1 << (this.sCount & 7);
  }

  private endString(): void {
    this.sCount++;
    this.sStarts[this.sCount] = this.sLength;
  }

  /** Called at end of input: everything must have been seen and closed. */
  finish(): ScanResult {
    const end = this.base;
    if (end === 0) this.fail('file', 0, 'the file is empty (0 bytes)');
    if (this.state !== S_DONE) {
      const where = this.describeTruncation();
      this.fail(where.section, end, `the file ends ${where.detail} (truncated at ${end} bytes?)`);
    }
    for (const key of ['snapshot', 'nodes', 'edges', 'strings'] as const) {
      if (!this.seen.has(key)) {
        const isSnapshot = this.seen.has('snapshot') || this.seen.has('nodes');
        this.fail(key === 'snapshot' ? 'meta' : key, end, isSnapshot ? `the "${key}" section is missing` : `not a heap snapshot: no "snapshot", "nodes", "edges" and "strings" sections (keys: ${[...this.seen].join(', ') || 'none'})`);
      }
    }
    const layout = this.layout!;
    const nodes = this.nodeColumns!;
    const edges = this.edgeColumns!;
    const loc = this.locations;
    const strings = new StringTable(this.sBytes.subarray(0, this.sLength), this.sStarts.subarray(0, this.sCount + 1),
      this.sEscaped, this.sCount);
    return {
      layout,
      nodeType: nodes.type,
      nodeName: nodes.name,
      nodeId: nodes.id,
      nodeSelfSize: nodes.selfSize,
      firstEdge: nodes.firstEdge,
      nodeDetachedness: nodes.detachedness,
      edgeType: edges.type,
      edgeName: edges.name,
      edgeTo: edges.to,
      strings,
      locations: loc.values.subarray(0, loc.count - (loc.count % Math.max(1, layout.locationFieldCount))),
      sectionOffsets: this.sectionOffsets,
    };
  }

  private describeTruncation(): { section: SnapshotSection; detail: string } {
    const layout = this.layout;
    switch (this.state) {
      case S_NUMBERS:
      case S_SKIP_EDGES:
      case S_ARRAY_OPEN:
        if (this.key === 'nodes' && layout) return { section: 'nodes', detail: `inside the nodes array after ${this.nodeCursor.ordinal} of ${layout.nodeCount} nodes` };
        if (this.key === 'edges' && layout) return { section: 'edges', detail: `inside the edges array after ${this.edgeCursor.ordinal} of ${layout.edgeCount} edges` };
        return { section: this.sectionOfKey(), detail: `inside the "${this.key}" array` };
      case S_STRINGS:
        return { section: 'strings', detail: `inside the strings array after ${this.sCount} strings` };
      case S_CAPTURE:
        return { section: 'meta', detail: 'inside the "snapshot" header' };
      case S_SKIP:
        return { section: this.sectionOfKey(), detail: `inside the "${this.key}" section` };
      case S_START:
        return { section: 'file', detail: 'before any JSON value (only whitespace)' };
      default: {
        const last = this.lastSection();
        return { section: last, detail: `after the "${this.key}" section, before the closing '}'` };
      }
    }
  }

  private lastSection(): SnapshotSection {
    return this.sectionOfKey();
  }
}
