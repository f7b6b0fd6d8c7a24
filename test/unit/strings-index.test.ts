/**
 * StringTable.indexOf: finds a string by its raw bytes without decoding the table (harness.ts looks
 * up edge names such as `native_context` in tables of millions of strings). Strings stored with a
 * JSON escape are never found, by design: V8 escapes quotes, backslashes, control characters and
 * every non-ASCII character (`\u00e9`), and none of the names looked up has any.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHeapGraph } from '../../src/snapshot/load.js';
import { StringTable } from '../../src/snapshot/strings.js';
import { SnapshotBuilder } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-strings-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('StringTable.indexOf', () => {
  const strings = ['', 'map', 'native_context', 'global_proxy_object', 'a"b', 'line\nbreak', 'back\\slash', 'tab\there', 'café', '日本語', 'rocket 🚀', 'cafe!'];
  const table = StringTable.fromStrings(strings);

  it('finds plain strings at their index, the empty string included', () => {
    expect(table.indexOf('')).toBe(0);
    expect(table.indexOf('map')).toBe(1);
    expect(table.indexOf('native_context')).toBe(2);
    expect(table.indexOf('global_proxy_object')).toBe(3);
  });

  it('never matches a string stored with escapes, though get() decodes it', () => {
    for (const s of ['a"b', 'line\nbreak', 'back\\slash', 'tab\there']) {
      expect(table.get(strings.indexOf(s)), s).toBe(s);
      expect(table.indexOf(s), s).toBe(-1);
    }
    // Nor does the escaped text itself (`a\"b` as typed in the file) match the stored bytes.
    expect(table.indexOf('a\\"b')).toBe(-1);
    expect(table.indexOf('line\\nbreak')).toBe(-1);
  });

  it('compares multi-byte UTF-8 stored raw by bytes, not by characters', () => {
    expect(table.indexOf('café')).toBe(8);
    expect(table.indexOf('日本語')).toBe(9);
    expect(table.indexOf('rocket 🚀')).toBe(10);
    // 'cafe!' has as many bytes as 'café' (5) and differs in them; 'cafe' as many characters.
    expect(table.indexOf('cafe!')).toBe(11);
    expect(table.indexOf('cafe')).toBe(-1);
    expect(table.indexOf('日本')).toBe(-1);
    // NFD é (e + combining accent) is other bytes than the NFC é stored.
    expect(table.indexOf('cafe\u0301')).toBe(-1);
  });

  it('answers -1 for absent strings: other case, prefixes, suffixes, longer strings', () => {
    for (const s of ['Map', 'ma', 'maps', 'native', '_context', 'global_proxy_object ', 'nothing here']) expect(table.indexOf(s), s).toBe(-1);
    expect(StringTable.fromStrings([]).indexOf('')).toBe(-1);
  });

  it('returns the first of equal strings', () => {
    expect(StringTable.fromStrings(['x', 'dup', 'y', 'dup']).indexOf('dup')).toBe(1);
  });

  it('reads the escape bit of every string, past the first byte of the bitmap', () => {
    const many = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? `s${i}\n` : `s${i}`));
    const t = StringTable.fromStrings(many);
    many.forEach((s, i) => expect(t.indexOf(s), s).toBe(s.includes('\n') ? -1 : i));
    // The escaped ones' plain prefixes are absent strings.
    expect(t.indexOf('s3')).toBe(-1);
    expect(t.indexOf('s38')).toBe(-1);
  });

  it('on a parsed file: V8\'s \\u escapes are never matched, raw UTF-8 and plain names are', async () => {
    const b = new SnapshotBuilder();
    const g = b.node('object', 'global / ', 32);
    b.edge(b.root, 'shortcut', 'global', g);
    b.edge(g, 'internal', 'native_context', b.node('object', 'café escaped', 8));
    b.edge(g, 'property', 'global_proxy_object', b.node('object', 'naïve raw', 8));
    b.edge(g, 'property', 'quote "q"', b.node('string', 'x', 8));
    // V8 writes non-ASCII as \uXXXX; the builder writes UTF-8 raw (JSON allows both).
    const file = path.join(dir, 'escapes.heapsnapshot');
    writeFileSync(file, b.toJSON().replace('"café escaped"', '"caf\\u00e9 escaped"'));
    const strings = (await loadHeapGraph(file)).strings;
    const all = Array.from({ length: strings.count }, (_, i) => strings.get(i));
    expect(all).toContain('café escaped');
    expect(strings.indexOf('café escaped')).toBe(-1);
    expect(strings.indexOf('naïve raw')).toBe(all.indexOf('naïve raw'));
    expect(strings.indexOf('native_context')).toBe(all.indexOf('native_context'));
    expect(strings.indexOf('global_proxy_object')).toBe(all.indexOf('global_proxy_object'));
    expect(all).toContain('quote "q"');
    expect(strings.indexOf('quote "q"')).toBe(-1);
    // The file's own bytes for it (`quote \"q\"`) are equal to the query's: the escape bit alone refuses them.
    expect(strings.indexOf('quote \\"q\\"')).toBe(-1);
    expect(strings.indexOf('caf\\u00e9 escaped')).toBe(-1);
    expect(strings.indexOf('')).toBe(0);
    expect(strings.indexOf('map')).toBe(-1);
  });
});
