import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { runCli } from '../helpers/cli.js';
import { fixturesDir } from '../helpers/target.js';

/**
 * `diff` follows Chrome DevTools' Comparison view: the same rows, counts and sizes, computed by
 * DevTools' own code (./diff-runner.mjs) on the committed three-snapshot set of one session. The one
 * intended difference: DevTools reports the even-id embedder nodes (`Node / …`, `(synthetic)` roots),
 * which V8 renumbers in every snapshot, as one deleted and one new object; heapscope pairs them by
 * name and leaves them out. Those classes are checked for exactly that.
 */
const runner = fileURLToPath(new URL('./diff-runner.mjs', import.meta.url));
const snap = (phase: string) => path.join(fixturesDir, 'snapshots', `listener-leak-${phase}.heapsnapshot.gz`);

interface Row { key: string; name: string; added: number; removed: number; addedSize: number; removedSize: number }

function devtoolsDiff(before: string, after: string): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, before, after], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Row[]) : reject(new Error(`diff-runner exit ${code}: ${err}`))));
  });
}

/** Class keys that contain an even-id (embedder) node in either snapshot. */
async function embedderKeys(files: string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const f of files) {
    const s = await LoadedSnapshot.load(f);
    for (let o = 0; o < s.graph.nodeCount; o++) if ((s.graph.nodeId[o]! & 1) === 0) keys.add(s.classes.keys[s.classes.classOf[o]!]!);
  }
  return keys;
}

const text = (r: Row) => `${r.key} | ${r.name} | +${r.added} -${r.removed} | +${r.addedSize} -${r.removedSize}`;

describe('diff equals Chrome DevTools\' Comparison view', () => {
  for (const [a, b] of [['baseline', 'target'], ['target', 'final'], ['baseline', 'final']] as const) {
    it(`${a} → ${b}`, async () => {
      const [oracle, cli, embedder] = await Promise.all([
        devtoolsDiff(snap(a), snap(b)),
        runCli(['diff', snap(a), snap(b), '--json', '--quiet']),
        embedderKeys([snap(a), snap(b)]),
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      const ours = (JSON.parse(cli.stdout) as { classes: Row[] }).classes;
      const theirs = oracle.filter((r) => !embedder.has(r.key));
      expect(ours.filter((r) => !embedder.has(r.key)).map(text).sort()).toEqual(theirs.map(text).sort());
      // Embedder classes: DevTools shows renumbering as churn; heapscope shows only real count changes.
      for (const r of ours.filter((x) => embedder.has(x.key))) expect(Math.min(r.added, r.removed), text(r)).toBe(0);
      expect(theirs.length).toBeGreaterThan(0);
    }, 120_000);
  }
});
