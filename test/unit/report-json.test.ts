/**
 * Reading leak reports (src/shared/report-json.ts, report-schema.ts): where bad JSON goes wrong
 * (in bytes), which JSON is a leak report, what the dashboard trims before sending, and that its
 * size limit is the hosts' own.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/analysis/compare-runs.js';
import { MAX_REQUEST_BYTES } from '../../src/host/electron/ipc.js';
import { MAX_FRAME } from '../../src/host/web/socket.js';
import { findJsonError, looksLikeLeakReport, MAX_COMPARE_REQUEST_BYTES, parseJsonText, ReportFormatError, slimReport } from '../../src/shared/report-json.js';
import { jsonPath, validateLeakReport } from '../../src/shared/report-schema.js';
import { asFixtureReport, listenerLeakReport } from '../helpers/leak-reports.js';

describe('findJsonError', () => {
  it('is undefined for every text JSON.parse accepts', () => {
    for (const ok of ['0', '-1.5e+3', '"a\\u00e9\\n"', 'true', ' null ', '[]', '{}', '[1,[2,{"a":[{}]}]]', '{"a":1,"b":{"c":"d"}}\n', '"🐛"']) {
      JSON.parse(ok);
      expect(findJsonError(ok), ok).toBeUndefined();
    }
  });

  it('names the index where each kind of error starts', () => {
    const cases: Array<[string, number, string]> = [
      ['', 0, 'unexpected end of the file'],
      ['{"a":}', 5, 'unexpected character "}"'],
      ['{"a":1', 6, 'unexpected end of the file'],
      ['{"a" 1}', 5, "expected ':' after a property name"],
      ['{a:1}', 1, 'expected a property name in double quotes, found "a"'],
      ['[1,2,,]', 5, 'unexpected character ","'],
      ['[1 2]', 3, "expected ',' or ']', found \"2\""],
      ['{"a":1}x', 7, 'unexpected text after the JSON value'],
      ['{"a":"b\nc"}', 7, 'a control character inside a string'],
      ['["\\x"]', 2, 'unknown escape \\x'],
      ['["\\u12g4"]', 2, 'a \\u escape needs four hex digits'],
      ['[01]', 2, 'not a number'],
      ['[tru', 4, 'unexpected end of the file'],
      ['[trux]', 1, 'unexpected character "t"'],
      ['"abc', 4, 'unexpected end of the file'],
      ['{"a":1,}', 7, 'expected a property name in double quotes, found "}"'],
    ];
    for (const [text, index, reason] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      const found = findJsonError(text);
      expect(found?.index, text).toBe(index);
      expect(found?.reason, text).toContain(reason);
    }
  });

  it('a nesting 200,000 deep is scanned without overflowing', () => {
    const deep = `${'['.repeat(200_000)}1${']'.repeat(199_999)}`;
    expect(findJsonError(deep)).toEqual({ index: deep.length, reason: 'unexpected end of the file' });
  });
});

describe('parseJsonText', () => {
  it('a ReportFormatError with the byte offset: multi-byte characters and a byte-order mark counted as bytes', () => {
    const text = '{"name":"Ünï 🐛","count":}';
    const index = text.indexOf('}');
    const bytes = Buffer.byteLength(text.slice(0, index));
    expect(bytes).toBe(index + 1 + 1 + 2); // Ü, ï: 2 bytes for 1 code unit each; 🐛: 4 bytes for 2 code units
    for (const [prefix, extra] of [['', 0], ['\ufeff', 3]] as const) {
      let err: unknown;
      try {
        parseJsonText(prefix + text, 'r.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ReportFormatError);
      const e = err as ReportFormatError;
      expect(e.offset).toBe(bytes + extra);
      expect(e.file).toBe('r.json');
      expect(e.exitCode).toBe(5);
      expect(e.message).toBe(`r.json: not valid JSON at byte ${bytes + extra}: unexpected character "}"`);
    }
    expect(parseJsonText('\ufeff{"a":1}', 'x')).toEqual({ a: 1 });
  });
});

describe('leak reports', () => {
  it('looksLikeLeakReport: CLI documents and the fixture\'s, not other JSON', async () => {
    const cli = await listenerLeakReport();
    expect(looksLikeLeakReport(cli)).toBe(true);
    expect(looksLikeLeakReport(asFixtureReport(cli, { titlePath: ['a.spec.ts', 't'] }))).toBe(true);
    expect(looksLikeLeakReport({ heapscope: { report: 'leaks' }, leaks: [] })).toBe(true);
    for (const other of [null, [], 'x', { leaks: [] }, { leaks: 'x', totalRetainedSize: 0, baseline: 'a', final: 'c' }, { status: 'passed', failedTests: [] }]) {
      expect(looksLikeLeakReport(other), JSON.stringify(other)).toBe(false);
    }
  });

  it('slimReport drops ids always and retainerPath where path says the shape; the result still validates the same', async () => {
    const cli = await listenerLeakReport();
    const slim = slimReport(cli) as typeof cli;
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(cli).length / 2);
    for (const l of slim.leaks) {
      expect(l).not.toHaveProperty('ids');
      expect(l).not.toHaveProperty('retainerPath');
    }
    const compared = compareRuns({ label: 'full', reports: [validateLeakReport(cli, 'c')] }, { label: 'slim', reports: [validateLeakReport(slim, 's')] });
    expect(compared.counts).toEqual({ fixed: 0, new: 0, persists: cli.leaks.length });
    const old = structuredClone(cli);
    delete (old.leaks[0] as Partial<(typeof old.leaks)[number]>).path;
    expect((slimReport(old) as typeof cli).leaks[0]!.retainerPath).toEqual(cli.leaks[0]!.retainerPath);
    // Not shaped as a report: left as it is, for validation to name.
    expect(slimReport([1])).toEqual([1]);
    expect((slimReport({ leaks: [7] }) as { leaks: unknown[] }).leaks).toEqual([7]);
  });

  it('validateLeakReport keeps what compare reads and ignores additive fields', async () => {
    const fixture = asFixtureReport(await listenerLeakReport(), { titlePath: ['a.spec.ts', 't'], repeatEachIndex: 3, retry: 1 });
    const read = validateLeakReport({ ...fixture, futureField: { x: 1 } }, 'f');
    expect(read.test).toMatchObject({ titlePath: ['a.spec.ts', 't'], project: 'chromium', repeatEachIndex: 3, retry: 1 });
    expect(read.leaks).toHaveLength(fixture.leaks.length);
  });

  it('jsonPath writes keys as a reader looks for them', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['leaks', 2, 'retainerPath', 0, 'name'])).toBe('$.leaks[2].retainerPath[0].name');
    expect(jsonPath(['odd key', 'a-b'])).toBe('$["odd key"]["a-b"]');
  });

  it('the dashboard\'s request limit is the limit both hosts enforce', () => {
    expect(MAX_COMPARE_REQUEST_BYTES).toBe(MAX_FRAME);
    expect(MAX_COMPARE_REQUEST_BYTES).toBe(MAX_REQUEST_BYTES);
  });
});
