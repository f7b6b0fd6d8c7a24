import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devtoolsSummary } from './devtools.js';
import { runCli } from '../helpers/cli.js';
import { fixturesDir } from '../helpers/target.js';

/**
 * The contract says summary numbers equal Chrome DevTools' for the same file. DevTools' own heap
 * snapshot code (chrome-devtools-frontend, run in Node) is the oracle; every committed fixture
 * snapshot is compared row by row through the real CLI.
 */
const snapshotsDir = path.join(fixturesDir, 'snapshots');
const files = readdirSync(snapshotsDir).filter((f) => /\.heapsnapshot(\.gz)?$/.test(f)).sort();

interface Row { key: string; name: string; count: number; selfSize: number; retainedSize: number }
const rowText = (r: Row) => `${r.key} | ${r.name} | count ${r.count} | self ${r.selfSize} | retained ${r.retainedSize}`;

describe('summary equals Chrome DevTools on committed snapshots', () => {
  it('has fixture snapshots to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of files) {
    it(name, async () => {
      const file = path.join(snapshotsDir, name);
      const [oracle, cli] = await Promise.all([devtoolsSummary(file), runCli(['summary', file, '--json', '--quiet'])]);
      expect(cli.code, cli.stderr).toBe(0);
      const ours = JSON.parse(cli.stdout) as { nodes: number; edges: number; totalSize: number; classes: Row[] };
      expect(ours.nodes).toBe(oracle.nodeCount);
      expect(ours.edges).toBe(oracle.edgeCount);
      expect(ours.totalSize).toBe(oracle.totalSize);
      expect(ours.classes.map(rowText).sort()).toEqual(oracle.classes.map(rowText).sort());
      // Sorted by retained size, largest first (CONTRACT.md).
      const retained = ours.classes.map((c) => c.retainedSize);
      expect(retained).toEqual([...retained].sort((a, b) => b - a));
    }, 120_000);
  }
});
