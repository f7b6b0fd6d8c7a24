/**
 * Watches the text of a heap snapshot as it streams in, cheaply, to answer two questions without
 * holding it: how big will it be (for progress), and did it arrive whole (the target can die right
 * after the last chunk, so the CDP call failing says nothing about the data; FACTS.md §2).
 *
 * Completeness: V8 writes `strings` as the last key of the top-level object. Before that key only
 * digits, commas and brackets follow the small header, so finding the literal `"strings":` (it
 * cannot occur inside a JSON string: a quote there is always escaped) needs only indexOf. From
 * there a tiny state machine follows quotes, escapes and brackets over the strings section (~8% of
 * the bytes), and the snapshot is complete when the top-level object closes outside a string with
 * nothing but whitespace after it. A cut inside a string that happens to end in `]}` is not taken
 * for the end.
 */

const STRINGS_KEY = '"strings":';
/** The header (meta, node_count, edge_count) is under 2 KB; stop looking for it after this much. */
const HEADER_LIMIT = 1 << 20;

export interface SnapshotHeader {
  nodeCount: number;
  edgeCount: number;
  nodeFields: number;
  edgeFields: number;
}

export class SnapshotStreamTracker {
  /** UTF-8 bytes seen so far. */
  bytes = 0;
  header: SnapshotHeader | undefined;
  /** Total size predicted from the header; undefined until the header has been read. */
  estimatedBytes: number | undefined;
  /** Set when the text cannot be a heap snapshot (e.g. does not start with `{`). */
  malformed: string | undefined;

  private headText = '';
  private tail = '';
  private inStrings = false;
  private inString = false;
  private escaped = false;
  private depth = 1; // inside the top-level object when the strings key is found
  private closed = false;

  get complete(): boolean {
    return this.closed && !this.malformed;
  }

  feed(chunk: string): void {
    this.bytes += Buffer.byteLength(chunk, 'utf8');
    if (this.malformed) return;
    if (this.header === undefined && this.headText.length < HEADER_LIMIT) this.readHeader(chunk);
    if (this.inStrings) {
      this.scan(chunk, 0);
      return;
    }
    // The key may straddle two chunks: search the end of the previous one with this one.
    const window = this.tail + chunk;
    const at = window.indexOf(STRINGS_KEY);
    if (at >= 0) {
      this.inStrings = true;
      this.scan(window, at + STRINGS_KEY.length);
    } else {
      this.tail = window.slice(-(STRINGS_KEY.length - 1));
    }
  }

  private scan(text: string, from: number): void {
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.closed) {
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          this.malformed = 'data after the end of the snapshot';
          return;
        }
      } else if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x5b /* [ */ || c === 0x7b /* { */) this.depth++;
      else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
        if (--this.depth === 0) this.closed = true;
      }
    }
  }

  private readHeader(chunk: string): void {
    this.headText += chunk.slice(0, HEADER_LIMIT - this.headText.length);
    if (!/^\s*\{/.test(this.headText) && this.headText.trim() !== '') {
      this.malformed = 'it does not start with {';
      return;
    }
    const cut = this.headText.indexOf('"nodes":');
    if (cut < 0) return;
    const head = this.headText.slice(0, cut);
    const nodeCount = intOf(/"node_count"\s*:\s*(\d+)/.exec(head));
    const edgeCount = intOf(/"edge_count"\s*:\s*(\d+)/.exec(head));
    const nodeFields = countOf(/"node_fields"\s*:\s*\[([^\]]*)\]/.exec(head));
    const edgeFields = countOf(/"edge_fields"\s*:\s*\[([^\]]*)\]/.exec(head));
    this.headText = '';
    if (nodeCount === undefined || edgeCount === undefined || !nodeFields || !edgeFields) {
      this.header = { nodeCount: 0, edgeCount: 0, nodeFields: 0, edgeFields: 0 };
      return; // no estimate; completeness is judged from the end anyway
    }
    this.header = { nodeCount, edgeCount, nodeFields, edgeFields };
    this.estimatedBytes = estimateSnapshotBytes(this.header, cut);
  }
}

/**
 * Predicted size of a snapshot from its header. Each number costs its digits plus a separator:
 * small fields (types, counts, flags) one digit; string indexes about digits(0.3 × nodes) (4M
 * strings for 11M nodes at 1 GB); node ids about digits(2 × nodes) (ids are odd and only grow);
 * `to_node` digits(nodes × node fields). Strings add ~8% (FACTS.md §3). Checked against Node
 * snapshots of 4 MB, 145 MB and 1050 MB: within 5%.
 */
export function estimateSnapshotBytes(h: SnapshotHeader, headerBytes = 1000): number {
  const stringIndex = digits(0.3 * h.nodeCount);
  const perNode = h.nodeFields + (h.nodeFields - 3) * 1.2 + stringIndex + digits(2 * h.nodeCount);
  const perEdge = h.edgeFields + (h.edgeFields - 2) + stringIndex * 0.8 + digits(h.nodeCount * h.nodeFields);
  return Math.round((headerBytes + h.nodeCount * perNode + h.edgeCount * perEdge) / 0.92);
}

function digits(n: number): number {
  return n < 10 ? 1 : Math.floor(Math.log10(n)) + 1;
}

function intOf(m: RegExpExecArray | null): number | undefined {
  return m ? Number(m[1]) : undefined;
}

function countOf(m: RegExpExecArray | null): number {
  return m ? m[1]!.split(',').filter((s) => s.trim() !== '').length : 0;
}
