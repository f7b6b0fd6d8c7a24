/**
 * The snapshot's string table, kept as the raw JSON bytes of the `strings` section plus offsets,
 * and decoded one string at a time on demand. At 1 GB a snapshot has ~4M strings; turning all of
 * them into JS strings costs 4-5 s and most of the parser's memory (FACTS.md §4), while a summary
 * needs a few thousand of them.
 */
export class StringTable {
  readonly count: number;
  private readonly bytes: Buffer;
  /** starts[i]..starts[i+1]: the raw (still JSON-escaped) bytes of string i, quotes excluded. */
  private readonly starts: Uint32Array | Float64Array;
  /** Bit i set: string i contains a backslash escape and needs JSON decoding. */
  private readonly escaped: Uint8Array;
  /** Decoded strings; a Map, since a summary decodes thousands of the millions there are. */
  private readonly cache = new Map<number, string>();

  constructor(bytes: Buffer, starts: Uint32Array | Float64Array, escaped: Uint8Array, count: number) {
    this.bytes = bytes;
    this.starts = starts;
    this.escaped = escaped;
    this.count = count;
  }

  /** Builds a table from JS strings (tests and the SnapshotBuilder). */
  static fromStrings(strings: readonly string[]): StringTable {
    const parts = strings.map((s) => Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8'));
    const starts = new Uint32Array(strings.length + 1);
    const escaped = new Uint8Array((strings.length + 7) >> 3);
    let at = 0;
    parts.forEach((p, i) => {
      starts[i] = at;
      at += p.length;
      if (p.includes(0x5c)) escaped[i >> 3]! |= 1 << (i & 7);
    });
    starts[strings.length] = at;
    return new StringTable(Buffer.concat(parts), starts, escaped, strings.length);
  }

  get(index: number): string {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    if (!(index >= 0 && index < this.count)) throw new RangeError(`string index ${index} out of range (${this.count} strings)`);
    const s = this.starts[index]!;
    const e = this.starts[index + 1]!;
    const value = (this.escaped[index >> 3]! & (1 << (index & 7)))
      ? (JSON.parse(`"${this.bytes.toString('utf8', s, e)}"`) as string)
      : this.bytes.toString('utf8', s, e);
    this.cache.set(index, value);
    return value;
  }

  /** Whether string `index` here has the same bytes as string `otherIndex` of `other` (no decoding, no allocation). */
  rawEquals(index: number, other: StringTable, otherIndex: number): boolean {
    const s = this.starts[index]!;
    const len = this.starts[index + 1]! - s;
    const t = other.starts[otherIndex]!;
    if (other.starts[otherIndex + 1]! - t !== len) return false;
    const x = this.bytes;
    const y = other.bytes;
    for (let k = 0; k < len; k++) if (x[s + k] !== y[t + k]) return false;
    return true;
  }

  /** The first index of a string equal to `text` (compared as raw bytes; strings stored with escapes never match), or -1. */
  indexOf(text: string): number {
    const want = Buffer.from(text, 'utf8');
    const len = want.length;
    for (let i = 0; i < this.count; i++) {
      const s = this.starts[i]!;
      if (this.starts[i + 1]! - s !== len || (this.escaped[i >> 3]! & (1 << (i & 7)))) continue;
      if (this.bytes.compare(want, 0, len, s, s + len) === 0) return i;
    }
    return -1;
  }

  /** Byte length of the raw string, without decoding (a cheap upper bound of its length). */
  rawLength(index: number): number {
    return this.starts[index + 1]! - this.starts[index]!;
  }

  /** Bytes held by the table itself (for memory reports). */
  get byteSize(): number {
    return this.bytes.byteLength + this.starts.byteLength + this.escaped.byteLength;
  }
}
