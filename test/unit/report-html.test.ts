/**
 * The fixture's HTML leak report (src/playwright/report-html.ts) carries heap strings a page under
 * test chose: class names, edge names, ignore patterns built from them, the page's address, the
 * test's title. Built heaps with markup in every such place go through the real CLI analysis
 * (`check --json`; run `npm run build` first), are wrapped as the fixture wraps them, and the page
 * is checked as text (no tag, attribute or script of a heap string's making; a CSP meta) and in
 * Chromium (/usr/bin/chromium): nothing runs, and every string reads back exactly as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION, type LeakReportDocument } from '../../src/playwright/recorder.js';
import { leakReportHtml } from '../../src/playwright/report-html.js';
import { SnapshotBuilder } from '../helpers/builder.js';
import { CHROMIUM, chromiumMissing } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-report-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each payload sets window.__pwned to its number if it ever runs. */
const CLASSES = [
  'Widget"><svg/onload=window.__pwned=1>',
  '</script><script>window.__pwned=2</script>',
  'Panel\' onmouseover=\'window.__pwned=3',
  '&lt;already escaped&gt; & <b>bold</b>',
];
const EDGE = '<img src=x onerror=window.__pwned=4>';
const QUOTED_EDGE = '"quoted" & \'single\'';
/** A class name with no space: DevTools-style names keep it whole (a tag with attributes would be cut). */
const IGNORED = '<iframe/srcdoc=x>Ignored';
const IGNORE_PATTERN = `^${IGNORED}$`;
/** As the report keeps it: the RegExp's source (`/` escaped). */
const IGNORE_SOURCE = new RegExp(IGNORE_PATTERN).source;
const SOURCE = 'node server.mjs --title=<script>window.__pwned=5</script> (pid 4242)';
const TITLE = '<img src=x onerror=window.__pwned=6> "closes" & \'frees\'';
const FINAL_FILE = 'final<img src=x onerror=window.__pwned=7>.heapsnapshot';

async function hostileSet(): Promise<string[]> {
  return Promise.all((['A', 'B', 'C'] as const).map(async (phase) => {
    const b = new SnapshotBuilder();
    const global = b.node('object', 'global / ', 32, { id: 901 });
    b.edge(b.root, 'shortcut', 'global', global);
    const holder = b.node('object', 'Registry', 16, { id: 903 });
    b.edge(global, 'property', EDGE, holder);
    if (phase !== 'A') {
      CLASSES.forEach((name, i) => b.edge(holder, 'property', i === 0 ? QUOTED_EDGE : `k${i}`, b.node('object', name, 400 - 50 * i, { id: 2001 + 2 * i })));
      b.edge(holder, 'property', 'ignored', b.node('object', IGNORED, 100, { id: 2101 }));
    }
    return b.write(path.join(dir, phase === 'C' ? FINAL_FILE : `${phase}.heapsnapshot`));
  }));
}

let doc: LeakReportDocument;
let html: string;

beforeAll(async () => {
  const [a, b, c] = await hostileSet();
  const r = await runCli(['check', '--baseline', a!, '--target', b!, '--final', c!, '--ignore-class', IGNORE_PATTERN, '--json', '-q']);
  expect(r.code, r.stderr).toBe(1);
  doc = {
    ...JSON.parse(r.stdout),
    heapscope: { version: VERSION, report: 'leaks' },
    source: SOURCE,
    test: { title: TITLE, titlePath: ['', 'leaks.spec.ts', TITLE], file: 'leaks.spec.ts', project: 'chromium', repeatEachIndex: 0, retry: 0, workerIndex: 0 },
    harness: { count: 2 },
  };
  html = leakReportHtml(doc);
}, 60_000);

/** What the page shows, read in Chromium. */
interface Seen {
  pwned: number | null; foreign: number; title: string; heading: string;
  classes: string[]; shapes: string[]; edges: string[]; dd: string[]; ignore: string[];
}

/** The tags the report itself writes: anything else came from a heap string. */
const OWN_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'span', 'div', 'p', 'dl', 'dt', 'dd', 'code',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'ol', 'li']);

describe('leakReportHtml with markup in heap strings', () => {
  it('the analysis carried every hostile string into the document', () => {
    expect(doc.leaks.map((l) => l.name)).toEqual(CLASSES);
    expect(doc.leaks.every((l) => l.retainerPath.some((s) => s.edge === EDGE))).toBe(true);
    expect(doc.leaks[0]!.retainerPath.at(-1)!.edge).toBe(QUOTED_EDGE);
    expect(doc.budgets.ignoreClass).toEqual([IGNORE_SOURCE]);
    expect(doc.ignored.count).toBe(1);
  });

  it('has no script, a CSP meta that allows none, and no tag or attribute a heap string made', () => {
    expect(html).not.toMatch(/<script/i);
    const csp = html.indexOf('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
    expect(csp).toBeGreaterThan(0);
    expect(csp).toBeLessThan(html.indexOf('<title>'));
    const tags = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
    expect(tags.filter((t) => !OWN_TAGS.has(t))).toEqual([]);
    for (const tag of html.match(/<[a-zA-Z][^>]*>/g)!) {
      expect(tag, tag).not.toMatch(/\s(on[a-z]+|src|href|srcdoc|style)\s*=/i);
    }
  });

  it('escapes each heap string wherever it appears: class, path, edge names, ignore pattern, source, title, file names', () => {
    for (const s of [...CLASSES, EDGE, QUOTED_EDGE, IGNORE_SOURCE, SOURCE, TITLE, FINAL_FILE]) expect(html, s).not.toContain(s);
    expect(html).toContain('<td>Widget&quot;&gt;&lt;svg/onload=window.__pwned=1&gt;<div class="t">object</div></td>');
    expect(html).toContain('<td>&lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;<div class="t">object</div></td>');
    expect(html).toContain('Panel&#39; onmouseover=&#39;window.__pwned=3');
    // Escaped text is escaped again: the page must show `&lt;`, not `<`.
    expect(html).toContain('&amp;lt;already escaped&amp;gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('<span class="e">&lt;img src=x onerror=window.__pwned=4&gt;</span>');
    expect(html).toContain('<span class="e">&quot;quoted&quot; &amp; &#39;single&#39;</span>');
    expect(html).toContain('<code>^&lt;iframe\\/srcdoc=x&gt;Ignored$</code>');
    expect(html).toContain('<dd>node server.mjs --title=&lt;script&gt;window.__pwned=5&lt;/script&gt; (pid 4242)</dd>');
    expect(html).toContain('<title>heapscope leaks: leaks.spec.ts › &lt;img src=x onerror=window.__pwned=6&gt; &quot;closes&quot; &amp; &#39;frees&#39;</title>');
    expect(html).toContain('final&lt;img src=x onerror=window.__pwned=7&gt;.heapsnapshot');
  });

  it('a report without a test is titled by its final snapshot file, escaped', () => {
    const { test: _test, ...bare } = doc;
    const page = leakReportHtml(bare);
    expect(page).toContain('<title>heapscope leaks: final&lt;img src=x onerror=window.__pwned=7&gt;.heapsnapshot</title>');
    expect(page).not.toMatch(/<img/i);
  });

  const missing = chromiumMissing();
  if (missing) process.stdout.write(`report-html: skipping the Chromium check: ${missing}\n`);
  it.skipIf(missing !== undefined)('in Chromium: nothing runs, no element of a heap string\'s making exists, every string reads back as it was', async () => {
    const file = path.join(dir, 'heapscope-leaks.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      await page.goto(pathToFileURL(file).href);
      // A string expression: this program is compiled without the DOM library.
      const seen = await page.evaluate<Seen>(`(() => {
        const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent ?? '');
        return {
          pwned: window.__pwned ?? null,
          foreign: document.querySelectorAll('script, img, svg, iframe, object, embed, a, form, b, input').length,
          title: document.title,
          heading: document.querySelector('h1 + div')?.textContent ?? '',
          classes: [...document.querySelectorAll('tbody tr')].map((tr) => tr.children[1].firstChild.textContent ?? ''),
          shapes: text('td > code'),
          edges: text('span.e'),
          dd: text('dd'),
          ignore: text('dd code'),
        };
      })()`);
      expect(dialogs).toEqual([]);
      expect(seen.pwned).toBeNull();
      expect(seen.foreign).toBe(0);
      expect(seen.title).toBe(`heapscope leaks: leaks.spec.ts › ${TITLE}`);
      expect(seen.heading).toBe(`leaks.spec.ts › ${TITLE}`);
      expect(seen.classes).toEqual(CLASSES);
      expect(seen.shapes).toEqual(doc.leaks.map((l) => l.path));
      expect(seen.edges).toContain(EDGE);
      expect(seen.edges).toContain(QUOTED_EDGE);
      expect(seen.ignore).toEqual([IGNORE_SOURCE]);
      expect(seen.dd).toContain(SOURCE);
      expect(seen.dd.some((d) => d.endsWith(`→ ${FINAL_FILE}`))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
