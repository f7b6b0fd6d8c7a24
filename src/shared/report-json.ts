/**
 * Leak reports as files: reading their JSON (a syntax error names its byte offset), telling a leak
 * report from other JSON, and trimming one to what `compare` reads. Pure, no zod: the CLI, the
 * hosts and the dashboard (which reads dropped files itself) share it. Validation of the shape is
 * report-schema.ts (zod), run by the CLI and the hosts only.
 */
import { ExitCode, HeapscopeError } from './errors.js';

/** The file the heapscope Playwright fixture writes into each test's output folder. */
export const LEAK_REPORT_FILE = 'heapscope-leaks.json';

/**
 * The largest `reports.compare` request the dashboard may send: the web host's WebSocket frame
 * limit (src/host/web/socket.ts MAX_FRAME; Electron IPC refuses the same size). A frame over it
 * closes the connection, so the dashboard checks before sending and says this number.
 */
export const MAX_COMPARE_REQUEST_BYTES = 1024 * 1024;

/** A leak report that cannot be read as one: bad JSON (`offset`, in bytes) or a bad field (`field`, a JSON path like `$.leaks[2].count`). */
export class ReportFormatError extends HeapscopeError {
  readonly file: string;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  constructor(file: string, message: string, where: { offset?: number; field?: string } = {}) {
    super(`${file}: ${message}`, ExitCode.badFile);
    this.file = file;
    this.offset = where.offset;
    this.field = where.field;
  }
}

/** JSON.parse, but a syntax error is a ReportFormatError naming the file and the byte offset where the text goes wrong. */
export function parseJsonText(text: string, file: string): unknown {
  // A byte-order mark is not JSON, but editors on some systems write one: skip it (3 bytes in UTF-8).
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    const found = findJsonError(body);
    if (!found) throw new ReportFormatError(file, `not valid JSON: ${(err as Error).message}`);
    const offset = (bom ? 3 : 0) + utf8Length(body, found.index);
    throw new ReportFormatError(file, `not valid JSON at byte ${offset}: ${found.reason}`, { offset });
  }
}

/**
 * A JSON document that is a leak report (a `leaks`/`check --json` document or the fixture's
 * heapscope-leaks.json): an object with a `leaks` array and the fixture's `heapscope.report`
 * marker, or the CLI's totals. Used to pick reports out of a folder of other JSON; the shape is
 * validated afterwards (report-schema.ts).
 */
export function looksLikeLeakReport(doc: unknown): boolean {
  if (!isRecord(doc) || !Array.isArray(doc.leaks)) return false;
  const marker = doc.heapscope;
  if (isRecord(marker) && marker.report === 'leaks') return true;
  return 'totalRetainedSize' in doc && 'baseline' in doc && 'final' in doc;
}

/**
 * The report without what `compare` never reads: each cluster's `ids`, and its `retainerPath` when
 * the cluster has its `path` line (older reports have only the path, and keep it). Anything that
 * is not shaped as expected is left as it is, for validation to name.
 */
export function slimReport(doc: unknown): unknown {
  if (!isRecord(doc) || !Array.isArray(doc.leaks)) return doc;
  return {
    ...doc,
    leaks: doc.leaks.map((leak: unknown) => {
      if (!isRecord(leak)) return leak;
      const { ids: _ids, retainerPath, ...rest } = leak;
      return typeof leak.path === 'string' ? rest : { ...rest, retainerPath };
    }),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function utf8Length(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      n += 4; // a surrogate pair is one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Where a JSON text first goes wrong (a UTF-16 index) and why; undefined if it is valid. JSON.parse
 * on Node 20 names a position for some errors only (`Unexpected token '}', "…" is not valid JSON`
 * has none), so the text is scanned again, iteratively (a deeply nested file must not overflow).
 */
export function findJsonError(text: string): { index: number; reason: string } | undefined {
  const n = text.length;
  const stack: string[] = [];
  let i = 0;
  type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after';
  let state: State = 'value';
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  const fail = (reason: string) => ({ index: i, reason: i >= n ? 'unexpected end of the file' : reason });
  const unexpected = () => `unexpected character ${JSON.stringify(text[i])}`;
  for (;;) {
    ws();
    if (state === 'after' && stack.length === 0) return i < n ? fail('unexpected text after the JSON value') : undefined;
    if (i >= n) return fail('');
    const ch = text[i]!;
    // An empty array or object closes at once; otherwise these expect a value or a key.
    if ((state === 'valueOrEnd' && ch === ']') || (state === 'keyOrEnd' && ch === '}')) {
      stack.pop();
      i++;
      state = 'after';
      continue;
    }
    if (state === 'valueOrEnd') state = 'value';
    if (state === 'keyOrEnd') state = 'key';
    switch (state) {
      case 'value': {
        if (ch === '{') {
          stack.push('{');
          i++;
          state = 'keyOrEnd';
        } else if (ch === '[') {
          stack.push('[');
          i++;
          state = 'valueOrEnd';
        } else if (ch === '"') {
          const bad = scanString();
          if (bad) return bad;
          state = 'after';
        } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
          const bad = scanNumber();
          if (bad) return bad;
          state = 'after';
        } else {
          const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
          if (!word) {
            // A literal cut short (`tru` at the end) is an early end, not a bad character.
            if (['true', 'false', 'null'].some((w) => w.startsWith(text.slice(i)))) {
              i = n;
              return fail('');
            }
            return fail(unexpected());
          }
          i += word.length;
          state = 'after';
        }
        continue;
      }
      case 'key': {
        if (ch !== '"') return fail(`expected a property name in double quotes, found ${JSON.stringify(ch)}`);
        const bad = scanString();
        if (bad) return bad;
        state = 'colon';
        continue;
      }
      case 'colon':
        if (ch !== ':') return fail(`expected ':' after a property name, found ${JSON.stringify(ch)}`);
        i++;
        state = 'value';
        continue;
      case 'after': {
        const top = stack[stack.length - 1];
        const close = top === '{' ? '}' : ']';
        if (ch === ',') {
          i++;
          state = top === '{' ? 'key' : 'value';
        } else if (ch === close) {
          stack.pop();
          i++;
        } else {
          return fail(`expected ',' or '${close}', found ${JSON.stringify(ch)}`);
        }
        continue;
      }
    }
  }

  function scanString(): { index: number; reason: string } | undefined {
    i++; // the opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('a control character inside a string (write it as an escape such as \\n)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) {
          i = n;
          break;
        }
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('a \\u escape needs four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return fail(`unknown escape \\${e}`);
        }
        continue;
      }
      i++;
    }
    return fail('');
  }

  function scanNumber(): { index: number; reason: string } | undefined {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('not a number');
    i += m[0].length;
    // `01`, `1.`, `1e` and the like: the number stops short of what follows.
    if (i < n && /[0-9.eE+-]/.test(text[i]!)) return fail(`not a number (${JSON.stringify(text.slice(i - m[0].length, i + 1))})`);
    return undefined;
  }
}
