/**
 * describeUrl (src/playwright/page-channel.ts): how a page is named in heapscope's errors and
 * reports. Query strings, fragments and credentials may carry tokens and are dropped; a data: URL
 * is its whole content and is not shown; the text is one line of at most 120 characters.
 */
import { describe, expect, it } from 'vitest';
import { describeUrl } from '../../src/playwright/page-channel.js';

describe('describeUrl', () => {
  it('drops the query, the fragment and credentials', () => {
    expect(describeUrl('https://app.example/notes/1?token=s3cr3t#section-2')).toBe('https://app.example/notes/1');
    expect(describeUrl('https://user:pa55@app.example:8443/admin?x=1')).toBe('https://app.example:8443/admin');
    expect(describeUrl('http://127.0.0.1:4173/?')).toBe('http://127.0.0.1:4173/');
    expect(describeUrl('https://app.example#only-a-fragment')).toBe('https://app.example/');
    for (const u of ['https://a.example/p?token=abc', 'https://a.example/p#access_token=abc', 'https://me:abc@a.example/p']) {
      expect(describeUrl(u)).not.toContain('abc');
    }
  });

  it('keeps the whole address of URLs without an origin of their own, less query and fragment', () => {
    expect(describeUrl('about:blank')).toBe('about:blank');
    expect(describeUrl('file:///srv/app/index.html?debug#top')).toBe('file:///srv/app/index.html');
    expect(describeUrl('chrome-error://chromewebdata/')).toBe('chrome-error://chromewebdata/');
    expect(describeUrl('blob:https://app.example/6f1c2d9e-0a4b?x=1')).toBe('blob:https://app.example/6f1c2d9e-0a4b');
    expect(describeUrl('javascript:alert(1)//?token=abc')).toBe('javascript:alert(1)//');
  });

  it('never shows a data: URL\'s content', () => {
    expect(describeUrl('data:text/html,<h1>secret</h1><script>alert(1)</script>')).toBe('data: URL');
    expect(describeUrl('data:text/html;base64,PGgxPmhpPC9oMT4=')).toBe('data: URL');
    expect(describeUrl('DATA:,x')).toBe('data: URL');
  });

  it('leaves no control character in the text', () => {
    // Text that is not a URL keeps its words; C0 and C1 controls (a terminal escape, NEL) become `?`.
    expect(describeUrl('not a url \u001b[31mred\u0085next\u0000')).toBe('not a url ?[31mred?next?');
    // The URL parser itself removes tabs and newlines and percent-encodes other controls in a path.
    expect(describeUrl('https://app.example/a\nb\tc')).toBe('https://app.example/abc');
    expect(describeUrl('https://app.example/a\u001bb\u007f')).toBe('https://app.example/a%1Bb%7F');
    for (const u of ['x\ny', 'https://a.example/\r\n', '\u009b2J', 'https://a.example/\u0085']) {
      // eslint-disable-next-line no-control-regex
      expect(describeUrl(u)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });

  it('cuts long URLs to 120 characters, the last an ellipsis; 120 fit', () => {
    const base = 'https://app.example/';
    const exact = base + 'a'.repeat(120 - base.length);
    expect(describeUrl(exact)).toBe(exact);
    const long = base + 'b'.repeat(500);
    const out = describeUrl(long);
    expect(out).toHaveLength(120);
    expect(out).toBe(`${long.slice(0, 119)}…`);
    expect(describeUrl(`${exact}x`)).toBe(`${exact.slice(0, 119)}…`);
    // The query goes before the cut: a short path with a long token is not cut at all.
    expect(describeUrl(`${base}p?token=${'t'.repeat(400)}`)).toBe(`${base}p`);
  });

  it('names international hosts in punycode and paths percent-encoded (one stable ASCII form)', () => {
    expect(describeUrl('https://bücher.example/straße?q=1')).toBe('https://xn--bcher-kva.example/stra%C3%9Fe');
  });

  it('an empty URL stays empty', () => {
    expect(describeUrl('')).toBe('');
  });
});
