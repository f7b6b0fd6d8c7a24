import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SnapshotSession } from '../helpers/snapshot.js';
import { withTarget } from '../helpers/target.js';

/**
 * The before/after-fix comparison the gate exists for: the listener dashboard (fixtures/targets/
 * listener-app.mjs) in its leaky build and its fixed build, each stepped baseline → opened →
 * closed with ONE inspector session open throughout (V8 forgets ids when a session closes), then
 * `heapscope check` with the same budget: exit 1 on the leak, 0 on the fix.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-live-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function threeSnapshots(fixture: string): Promise<string[]> {
  return withTarget(fixture, async (t) => {
    const session = await SnapshotSession.open(t.wsUrl!);
    try {
      const files: string[] = [];
      for (const [phase, label] of ['baseline', 'opened', 'closed'].entries()) {
        if (phase > 0) await t.next();
        expect(t.label).toBe(label);
        const file = path.join(dir, `${fixture.replace('.mjs', '')}-${phase}-${label}.heapsnapshot`);
        await session.take(file);
        files.push(file);
      }
      return files;
    } finally {
      await session.close();
    }
  });
}

const set = (files: string[]) => ['--baseline', files[0]!, '--target', files[1]!, '--final', files[2]!];
const budget = ['--max-leaked-bytes', '10KB', '--max-leaked-objects', '10'];

describe('leaks and check on a leaky app and its fix (live targets)', () => {
  let leaky: string[];
  let fixed: string[];
  beforeAll(async () => {
    [leaky, fixed] = await Promise.all([threeSnapshots('listener-leak.mjs'), threeSnapshots('listener-fixed.mjs')]);
  }, 120_000);

  it('the same budget fails the leaky build (exit 1) and passes the fixed one (exit 0)', async () => {
    const [bad, good] = await Promise.all([
      runCli(['check', ...set(leaky), ...budget, '--json', '-q']),
      runCli(['check', ...set(fixed), ...budget, '--json', '-q']),
    ]);
    expect(bad.code, bad.stderr).toBe(1);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ pass: true, leaks: [], totalCount: 0, totalRetainedSize: 0 });
    const doc = JSON.parse(bad.stdout);
    expect(doc.pass).toBe(false);
    const widgets = doc.leaks.find((c: { name: string }) => c.name === 'Widget');
    expect(widgets).toMatchObject({ count: 20, path: 'module listener-app.mjs → context.bus._events.theme → Array[] → (closure) → context.this → Widget' });
    // Default budgets (0) too: the fix has nothing left that a program could release.
    expect((await runCli(['check', ...set(fixed), '-q'])).code).toBe(0);
  });

  it('leaks: the 20 Widgets, their listener closures, their rows arrays and the listener array; nothing of V8\'s', async () => {
    const r = await runCli(['leaks', ...set(leaky), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.leaks.map((c: { name: string; count: number }) => `${c.count} ${c.name}`).sort()).toEqual(['1 Array', '20 Array', '20 Function', '20 Widget']);
    expect(doc.totalCount).toBe(61);
    // What the rules left out is still there: code, shapes, contexts, strings of the rows.
    expect(doc.candidates).toBeGreaterThan(61);
  });

  it('--junit on the live set parses and has one test case per cluster', async () => {
    const file = path.join(dir, 'live.xml');
    const r = await runCli(['check', ...set(leaky), ...budget, '--junit', file, '--json', '-q']);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(xml);
    expect(parsed.testsuites.testsuite.testcase).toHaveLength(JSON.parse(r.stdout).leaks.length);
  });

  it('--ignore-class on the live set: ignoring the leaked classes passes the leaky build', async () => {
    const r = await runCli(['check', ...set(leaky), '--ignore-class', '^(Widget|Array|Function)$', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--ignore-class left out 61 objects/);
  });

  it('diff between the leaky build\'s target and final shows no Widget freed; the fixed build\'s shows 20', async () => {
    const [l, f] = await Promise.all([
      runCli(['diff', leaky[1]!, leaky[2]!, '--json', '-q']),
      runCli(['diff', fixed[1]!, fixed[2]!, '--json', '-q']),
    ]);
    const widget = (out: string) => JSON.parse(out).classes.find((c: { name: string }) => c.name === 'Widget');
    expect(widget(l.stdout)).toBeUndefined();
    expect(widget(f.stdout)).toMatchObject({ added: 0, removed: 20, countDelta: -20 });
  });

  it('snapshots of the two builds (two processes) are refused (exit 2)', async () => {
    const r = await runCli(['leaks', '--baseline', leaky[0]!, '--target', leaky[1]!, '--final', fixed[2]!, '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not snapshots of one process/);
  });
});
