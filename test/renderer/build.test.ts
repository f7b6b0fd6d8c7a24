/**
 * The built dashboard fits the web host's CSP (`script-src 'self'; style-src 'self'`): every script
 * and stylesheet is a file, nothing inline, and the bundle never injects a <style> at run time.
 * Reads dist/renderer, which `npm test` builds first (`npm run build` runs vite after tsc).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const out = path.resolve('dist/renderer');
const html = path.join(out, 'index.html');

describe('dist/renderer', () => {
  it('is built', () => {
    expect(existsSync(html), `${html} is missing: run \`npm run build\``).toBe(true);
  });

  it('loads one module script and one stylesheet from files, with nothing inline', () => {
    const text = readFileSync(html, 'utf8');
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0][1]).toMatch(/\bsrc="\.\/assets\/index-[\w-]+\.js"/);
    expect(scripts[0][1]).toMatch(/\btype="module"/);
    expect(scripts[0][2].trim()).toBe('');
    expect(text).not.toMatch(/<style\b/i);
    expect(text).not.toMatch(/\sstyle=/i);
    expect(text).not.toMatch(/\son[a-z]+=/i);
    const sheets = [...text.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/gi)];
    expect(sheets).toHaveLength(1);
    expect(sheets[0][0]).toMatch(/href="\.\/assets\/[\w-]+\.css"/);
  });

  it('ships one entry script and one stylesheet, and the script injects no styles', () => {
    const assets = readdirSync(path.join(out, 'assets'));
    const entries = assets.filter((f) => /^index-[\w-]+\.js$/.test(f));
    const sheets = assets.filter((f) => f.endsWith('.css'));
    expect(entries).toHaveLength(1);
    expect(sheets).toHaveLength(1);
    // Anything else is a worker (the retention graph's layout), loaded from 'self' too.
    for (const f of assets) expect(f).toMatch(/^(index-[\w-]+\.js|[\w.-]+\.worker-[\w-]+\.js|[\w-]+\.css)$/);
    const js = readFileSync(path.join(out, 'assets', entries[0]), 'utf8');
    expect(js).not.toMatch(/createElement\(\s*["'`]style["'`]\s*\)/);
    expect(js).not.toMatch(/\bnew Function\(|\beval\(/);
    expect(readFileSync(path.join(out, 'assets', sheets[0]), 'utf8')).toContain('--row-height');
  });
});
