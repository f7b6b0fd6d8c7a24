/**
 * The matchers' messages (src/playwright/messages.ts) on documents from real analyses: the built
 * CLI's `check --json` and `weak --json` (run `npm run build` first) on the committed snapshots of
 * fixtures/snapshots/, and on built heaps whose class and edge names are hostile (newlines, terminal
 * escapes, C1 controls, markup), wrapped into the shapes the fixture writes (recorder.ts). A message
 * is read in a terminal and in Playwright's report: a heap string must never add a line or reach the
 * terminal raw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakFailureMessage, noLeakMessage, releaseMessage, releaseVerdict } from '../../src/playwright/messages.js';
import { VERSION, type LeakReportDocument, type WeakResult } from '../../src/playwright/recorder.js';
import { SnapshotBuilder, type BuiltNode } from '../helpers/builder.js';
import { runCli } from '../helpers/cli.js';
import { fixturesDir } from '../helpers/target.js';
import { WeakWorld } from '../helpers/weak-world.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-pw-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const snapshots = path.join(fixturesDir, 'snapshots');
const LISTENER = ['--baseline', 'listener-leak-baseline', '--target', 'listener-leak-target', '--final', 'listener-leak-final']
  .map((a) => (a.startsWith('--') ? a : path.join(snapshots, `${a}.heapsnapshot.gz`)));

/** A C0 or C1 control character: nothing of a heap string may put one in a message. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

async function cliJson<T>(args: string[], expectCode: number): Promise<T> {
  const r = await runCli([...args, '--json', '-q']);
  expect(r.code, r.stderr).toBe(expectCode);
  return JSON.parse(r.stdout) as T;
}

/** `check --json` as the fixture writes it: plus heapscope, source, test and harness. */
function asReport(check: Omit<LeakReportDocument, 'heapscope' | 'source' | 'harness'>, harness = 0): LeakReportDocument {
  return {
    ...check,
    heapscope: { version: VERSION, report: 'leaks' },
    source: 'page http://heapscope.test/',
    test: { title: 'closing the panel frees it', titlePath: ['', 'leaks.spec.ts', 'closing the panel frees it'], file: 'leaks.spec.ts',
      project: 'chromium', repeatEachIndex: 0, retry: 0, workerIndex: 0 },
    harness: { count: harness },
  };
}

function asWeak(report: Omit<WeakResult, 'heapscope' | 'source'>): WeakResult {
  return { ...report, heapscope: { version: VERSION, report: 'weak' }, source: 'node server.mjs (pid 4242)' };
}

describe('leak messages on the listener leak (fixtures/snapshots, a real Node 20 session)', () => {
  let strict: LeakReportDocument;
  beforeAll(async () => {
    strict = asReport(await cliJson(['check', ...LISTENER], 1));
  }, 60_000);

  it('leakFailureMessage: the verdict with what is over budget, one line and one path per cluster, where the report is', () => {
    expect(strict.leaks).toHaveLength(4);
    const lines = leakFailureMessage(strict).split('\n');
    expect(lines[0]).toMatch(/^heapscope: 61 leaked objects in 4 clusters, \d+(\.\d)? kB retained: over budget \(61 objects > 0 allowed, \d+(\.\d)? kB > 0 B allowed\)$/);
    expect(lines[1]).toBe('');
    const clusters = lines.slice(2, 10);
    strict.leaks.forEach((c, i) => {
      expect(clusters[2 * i]).toMatch(new RegExp(`^  ${c.count} × ${c.name}  \\d+(\\.\\d)? (B|kB)$`));
      expect(clusters[2 * i + 1]!.startsWith('      module listener-app.mjs → context.bus._events.theme')).toBe(true);
    });
    expect(lines.slice(10)).toEqual(['', `Report: heapscope-leaks.html and .json, attached (in ${snapshots})`]);
    expect(lines.join('\n')).not.toMatch(/more clusters/);
  });

  it('names only the budgets that are exceeded', async () => {
    const objectsOnly = asReport(await cliJson(['check', ...LISTENER, '--max-leaked-bytes', '1MB'], 1));
    expect(leakFailureMessage(objectsOnly).split('\n')[0]).toMatch(/: over budget \(61 objects > 0 allowed\)$/);
    const bytesOnly = asReport(await cliJson(['check', ...LISTENER, '--max-leaked-objects', '100'], 1));
    expect(leakFailureMessage(bytesOnly).split('\n')[0]).toMatch(/: over budget \(\d+(\.\d)? kB > 0 B allowed\)$/);
  });

  it('the footer says what ignoreClasses and the harness left out', async () => {
    const ignoring = asReport(await cliJson(['check', ...LISTENER, '--ignore-class', '^Widget$'], 1), 7);
    expect(ignoring.ignored.count).toBe(20);
    const tail = leakFailureMessage(ignoring).split('\n').slice(-3);
    expect(tail[0]).toBe(`Report: heapscope-leaks.html and .json, attached (in ${snapshots})`);
    expect(tail[1]).toMatch(/^ignoreClasses left out 20 objects \(\d+(\.\d)? kB\)$/);
    expect(tail[2]).toBe('Left out: 7 objects kept only by the test harness (injected scripts, CDP handles, console messages)');
  });

  it('noLeakMessage: a test that expected a leak over budget, and found the leak within it', async () => {
    const within = asReport(await cliJson(['check', ...LISTENER, '--max-leaked-bytes', '1MB', '--max-leaked-objects', '100'], 0));
    expect(within.pass).toBe(true);
    const lines = noLeakMessage(within).split('\n');
    expect(lines[0]).toMatch(/^heapscope: expected leaks over budget \(100 objects, 1\.0 MB\), found 61 leaked objects in 4 clusters, \d+(\.\d)? kB retained$/);
    expect(lines.filter((l) => /^  \d+ × /.test(l))).toHaveLength(4);
    expect(lines.at(-1)).toBe(`Report: heapscope-leaks.html and .json, attached (in ${snapshots})`);
  });
});

/** Class names a page or program can give its objects (Symbol.toStringTag does it in V8), largest retained size first. */
const HOSTILE = [
  'Evil\nClass',
  '\u001b[2J\u001b[31mRed\u001b[0m',
  'Tab\there\r\nCRLF',
  '<img src=x onerror=alert(1)>',
  'NEL\u0085C1\u009b31m',
  'nul\u0000byte',
  'Plain',
];
/** What oneLine makes of them: `\n` and tab spelled out, other controls U+FFFD. */
const SHOWN = ['Evil\\nClass', '\uFFFD[2J\uFFFD[31mRed\uFFFD[0m', 'Tab\\there\uFFFD\\nCRLF', '<img>', 'NEL\uFFFDC1\uFFFD31m'];

/** Three phases of a heap where each hostile class leaks one object, held by an old Holder through a hostile edge name. */
async function hostileSet(): Promise<string[]> {
  return Promise.all((['A', 'B', 'C'] as const).map(async (phase) => {
    const b = new SnapshotBuilder();
    const global = b.node('object', 'global / ', 32, { id: 901 });
    b.edge(b.root, 'shortcut', 'global', global);
    const list = b.node('object', 'Array', 16, { id: 903 });
    b.edge(global, 'property', 'holders', list);
    HOSTILE.forEach((name, i) => {
      const holder: BuiltNode = b.node('object', 'Holder', 16, { id: 1001 + 2 * i });
      b.edge(list, 'element', i, holder);
      if (phase !== 'A') b.edge(holder, 'property', `edge\n${i}\u001b[0m`, b.node('object', name, 900 - 100 * i, { id: 2001 + 2 * i }));
    });
    return b.write(path.join(dir, `hostile-${phase}.heapsnapshot`));
  }));
}

describe('leak messages with hostile class and edge names (built heaps, the real CLI analysis)', () => {
  let doc: LeakReportDocument;
  beforeAll(async () => {
    const [a, b, c] = await hostileSet();
    doc = asReport(await cliJson(['check', '--baseline', a!, '--target', b!, '--final', c!], 1));
  }, 60_000);

  it('the analysis kept the names as they are in the heap (a tag\'s attributes cut, as DevTools names elements)', () => {
    expect(doc.leaks.map((l) => l.name)).toEqual(HOSTILE.map((n) => (n.startsWith('<img') ? '<img>' : n)));
  });

  for (const [label, message] of [['leakFailureMessage', leakFailureMessage], ['noLeakMessage', noLeakMessage]] as const) {
    it(`${label}: every heap string on one line, no control character, at most 5 clusters then "… N more clusters"`, () => {
      const text = message(doc);
      const lines = text.split('\n');
      for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(CONTROL);
      const heads = lines.filter((l) => /^  1 × /.test(l));
      expect(heads).toEqual(SHOWN.map((name, i) => `  1 × ${name}  ${900 - 100 * i} B`));
      // Each cluster's path is the next line: the edge name quoted as a JSON string, the class as above.
      heads.forEach((h, i) => {
        const next = lines[lines.indexOf(h) + 1]!;
        expect(next).toBe(`      global / → holders → Array[${i}] → ["edge\\n${i}\\u001b[0m"] → ${SHOWN[i]} @${2001 + 2 * i}`);
      });
      expect(lines).toContain('  … 2 more clusters in the report');
      expect(text).not.toContain('nul');
      expect(text).not.toContain('Plain');
      // The lines are exactly: verdict, blank, 5 × (cluster, path), "more", blank, report.
      expect(lines).toHaveLength(15);
    });
  }

  it('exactly 5 clusters: no "more" line; 6: "1 more clusters"', () => {
    const five = { ...doc, leaks: doc.leaks.slice(0, 5) };
    expect(leakFailureMessage(five)).not.toMatch(/more clusters/);
    expect(leakFailureMessage({ ...doc, leaks: doc.leaks.slice(0, 6) }).split('\n')).toContain('  … 1 more clusters in the report');
  });
});

describe('toRelease on the FinalizationRegistry trap (fixtures/snapshots/finalization-tempdir, a real Node 20 heap)', () => {
  let weak: WeakResult;
  beforeAll(async () => {
    weak = asWeak(await cliJson(['weak', path.join(snapshots, 'finalization-tempdir.heapsnapshot.gz')], 0));
  }, 60_000);

  it('releaseVerdict: the TempWorkspaces a registry holds are strongly reachable: kept, so toRelease fails', () => {
    const v = releaseVerdict(weak, 'TempWorkspace');
    expect(v.matching.length).toBeGreaterThan(0);
    expect(v.kept).toEqual(v.matching);
    expect(v.pass).toBe(false);
    const byRegExp = releaseVerdict(weak, /^Temp/g);
    expect(byRegExp.matching.map((t) => t.id)).toEqual(v.matching.map((t) => t.id));
    // A global RegExp's lastIndex must not make every other target miss.
    expect(releaseVerdict(weak, /^Temp/g).matching).toHaveLength(v.matching.length);
    // Exact names: a string is not a pattern.
    expect(releaseVerdict(weak, 'Temp').matching).toEqual([]);
  });

  it('releaseMessage names each kept object, its holders and the cause, and what keeps it', () => {
    const v = releaseVerdict(weak, 'TempWorkspace');
    const lines = releaseMessage(weak, 'TempWorkspace', v, false).split('\n');
    expect(lines[0]).toBe(`heapscope: ${v.kept.length} of ${v.matching.length} TempWorkspace objects that weak references hold are still strongly reachable `
      + '(0 released; finalization-tempdir.heapsnapshot.gz):');
    const shown = Math.min(v.kept.length, 5);
    const entries = lines.filter((l) => l.startsWith('  TempWorkspace @'));
    expect(entries).toHaveLength(shown);
    for (const e of entries) expect(e).toMatch(/^  TempWorkspace @\d+ \(FinalizationRegistry @\d+(; finalization-held-value)?\), \d+(\.\d)? (B|kB) retained, kept by:$/);
    // The held-value trap is named where it is the cause (the fixture's trap is among those shown).
    const causes = v.kept.slice(0, shown).filter((t) => t.cause === 'finalization-held-value').length;
    expect(causes).toBeGreaterThan(0);
    expect(entries.filter((e) => e.includes('; finalization-held-value'))).toHaveLength(causes);
    const paths = lines.filter((l) => l.startsWith('      '));
    expect(paths).toHaveLength(shown);
    if (v.kept.length > 5) expect(lines).toContain(`  … ${v.kept.length - 5} more in the report`);
  });

  it('a class no weak reference holds: cannot judge; the program\'s weakly held classes are listed, Node\'s own are not', () => {
    const v = releaseVerdict(weak, 'Nope');
    expect(v).toEqual({ pass: false, matching: [], kept: [] });
    const internal = [...new Set(weak.targets.filter((t) => t.internal).map((t) => t.name))];
    expect(internal).toContain('Channel'); // diagnostics_channel's, Node's own
    expect(releaseMessage(weak, 'Nope', v, false)).toBe('heapscope: no object of class Nope is held by a WeakRef, WeakMap, WeakSet or '
      + 'FinalizationRegistry in finalization-tempdir.heapsnapshot.gz, so toRelease cannot judge it (weakly held classes: TempWorkspace)');
  });
});

/**
 * Before and after a page closed its widgets: 7 hostile-named Widgets are still in `open` (kept), 2
 * were released, 2 Gadgets are only weakly held after, 1 Gadget was released. Every one is held by
 * a WeakRef in `refs`.
 */
function weakMoment(after: boolean): WeakWorld {
  const w = new WeakWorld();
  const open = w.node('Array', 16, 5001);
  const refs = w.node('Array', 16, 5003);
  w.b.edge(w.global, 'property', 'open\n\u001b[31m', open).edge(w.global, 'property', 'refs', refs);
  let slot = 0;
  const track = (name: string, id: number, strong: boolean, gone: boolean) => {
    const target = gone && after ? undefined : w.node(name, 48, id);
    if (target && (strong || !after)) w.b.edge(open, 'element', slot, target);
    w.b.edge(refs, 'element', slot++, w.weakRef(target, { id: id + 1000 }));
  };
  for (let i = 0; i < 7; i++) track('Evil\nWidget\u001b[0m', 6001 + 2 * i, true, false);
  for (let i = 0; i < 2; i++) track('Evil\nWidget\u001b[0m', 6101 + 2 * i, false, true);
  for (let i = 0; i < 2; i++) track('Gadget', 6201 + 2 * i, false, false);
  track('Gadget', 6301, false, true);
  return w;
}

describe('toRelease with hostile names, more than 5 kept, and a pass (built heaps, the real CLI analysis)', () => {
  let weak: WeakResult;
  beforeAll(async () => {
    const [a, b] = [weakMoment(false), weakMoment(true)].map((w, i) => w.b.write(path.join(dir, `weak-${i ? 'after' : 'before'}.heapsnapshot`)));
    weak = asWeak(await cliJson(['weak', a!, b!], 0));
  }, 60_000);

  it('kept and released are judged against the baseline', () => {
    const widgets = releaseVerdict(weak, 'Evil\nWidget\u001b[0m');
    expect([widgets.matching.length, widgets.kept.length, widgets.pass]).toEqual([9, 7, false]);
    const gadgets = releaseVerdict(weak, /^Gadget$/);
    expect([gadgets.matching.length, gadgets.kept.length, gadgets.pass]).toEqual([3, 0, true]);
  });

  it('the failure is one line per heap string, 5 objects shown, then "… 2 more in the report"', () => {
    const cls = /^Evil/;
    const text = releaseMessage(weak, cls, releaseVerdict(weak, cls), false);
    const lines = text.split('\n');
    for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(CONTROL);
    expect(lines[0]).toBe('heapscope: 7 of 9 /^Evil/ objects that weak references hold are still strongly reachable '
      + '(2 released; weak-before.heapsnapshot → weak-after.heapsnapshot):');
    const entries = lines.filter((l) => l.startsWith('  Evil'));
    expect(entries).toHaveLength(5);
    for (const e of entries) expect(e).toMatch(/^  Evil\\nWidget\uFFFD\[0m @\d+ \(WeakRef @\d+\), 48 B retained, kept by:$/);
    for (const p of lines.filter((l) => l.startsWith('      '))) expect(p).toMatch(/^      global \/ → \["open\\n\\u001b\[31m"\] → Array\[\d\] → Evil\\nWidget\uFFFD\[0m @\d+$/);
    expect(lines).toContain('  … 2 more in the report');
    expect(lines).toHaveLength(1 + 5 * 2 + 1 + 1); // the text ends with a newline
    expect(lines.at(-1)).toBe('');
  });

  it('a class name given as a hostile string is shown on one line too', () => {
    const cls = 'Evil\nWidget\u001b[0m';
    const first = releaseMessage(weak, cls, releaseVerdict(weak, cls), false).split('\n')[0]!;
    expect(first).toMatch(/^heapscope: 7 of 9 Evil\\nWidget\uFFFD\[0m objects/);
    const none = releaseMessage(weak, 'Gone\r\n', releaseVerdict(weak, 'Gone\r\n'), false);
    expect(none).not.toMatch(CONTROL);
    expect(none).toContain('no object of class Gone\uFFFD\\n is held');
    expect(none).toContain('(weakly held classes: Evil\\nWidget\uFFFD[0m, Gadget)');
  });

  it('.not.toRelease on a class that was released fails with why', () => {
    const v = releaseVerdict(weak, 'Gadget');
    expect(releaseMessage(weak, 'Gadget', v, true)).toBe('heapscope: expected some Gadget to stay strongly held, but all 3 weakly held ones are '
      + 'released or weak-only (weak-before.heapsnapshot → weak-after.heapsnapshot)');
  });
});
