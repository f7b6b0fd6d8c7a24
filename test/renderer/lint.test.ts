/**
 * The renderer's security rules hold over the whole tree, and the rules themselves bite: a file
 * that renders heap strings as markup (`{@html}`, innerHTML) is an error (issue 4, Security).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/target.js';

const eslint = new ESLint({ cwd: repoRoot });
// Probes live inside renderer/ (the rules are scoped there) in a folder removed afterwards.
const probeDir = mkdtempSync(path.join(repoRoot, 'renderer', '.lint-probe-'));
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

async function lintProbe(name: string, text: string): Promise<string[]> {
  const file = path.join(probeDir, name);
  writeFileSync(file, text);
  const [result] = await eslint.lintFiles([file]);
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('renderer lint', () => {
  it('the whole renderer passes, {@html} and markup properties nowhere', async () => {
    const results = await eslint.lintFiles(['renderer']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(30); // the tree was really linted, .svelte files included
    expect(results.some((r) => r.filePath.endsWith('.svelte'))).toBe(true);
  }, 120_000);

  it('{@html} in a component is an error', async () => {
    const messages = await lintProbe('Probe.svelte', '<script lang="ts">\n  let { name }: { name: string } = $props();\n</script>\n\n<p>{@html name}</p>\n');
    expect(messages.some((m) => m.startsWith('svelte/no-at-html-tags'))).toBe(true);
  });

  it('innerHTML and insertAdjacentHTML in a module are errors', async () => {
    const messages = await lintProbe('probe.ts', 'export function show(el: HTMLElement, s: string): void {\n  el.innerHTML = s;\n  el.insertAdjacentHTML("beforeend", s);\n}\n');
    expect(messages.filter((m) => m.startsWith('no-restricted-properties'))).toHaveLength(2);
  });
});
