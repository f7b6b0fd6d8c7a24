/**
 * held-values: a string that compiled code holds is the program's text, not a leak, even when its
 * dominator is a closure. Measured on Chromium 156 (fixtures/pages/notes, fixed build): opening the
 * first note compiles `openNote`, whose ScopeInfo names the captured variable `drawer` and whose
 * constant pool holds the literal 'drawer'; the two paths meet only at the JSFunction, so the
 * string's dominator is a user object and the fixed build failed `check` with `1 × (string)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../../src/analysis/leaks.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import { SnapshotBuilder } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-code-strings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Phase A: the page before the first call (the function exists, uncompiled); B and C: compiled, plus one log line in an old array. */
async function load(phase: 'A' | 'B' | 'C'): Promise<LoadedSnapshot> {
  const b = new SnapshotBuilder();
  const global = b.node('object', 'Window', 32, { id: 1001 });
  b.edge(b.root, 'shortcut', 'global', global);
  const fn = b.node('closure', 'openNote', 32, { id: 1003 });
  b.edge(global, 'property', 'openNote', fn);
  const sfi = b.node('code', 'system / SharedFunctionInfo / openNote', 48, { id: 1005 });
  b.edge(fn, 'internal', 'shared', sfi);
  const log = b.node('object', 'Array', 16, { id: 1007 });
  b.edge(global, 'property', 'log', log);
  if (phase !== 'A') {
    const scopeInfo = b.node('code', 'system / ScopeInfo', 60, { id: 2001 });
    b.edge(sfi, 'internal', 'name_or_scope_info', scopeInfo);
    const feedback = b.node('code', 'system / FeedbackVector', 80, { id: 2003 });
    b.edge(fn, 'internal', 'feedback_cell', feedback);
    const pool = b.node('code', '(constant pool)', 216, { id: 2005 });
    b.edge(feedback, 'internal', 'constant_pool', pool);
    const name = b.node('string', 'drawer', 20, { id: 2007 });
    b.edge(scopeInfo, 'hidden', 1, name);
    b.edge(pool, 'hidden', 17, name);
    const line = b.node('string', 'note opened', 28, { id: 2009 });
    b.edge(log, 'element', 0, line);
  }
  return LoadedSnapshot.load(b.write(path.join(dir, `${phase}.heapsnapshot`)));
}

describe('held-values rule', () => {
  it('a string held by code (ScopeInfo, constant pool) is not a leak where its dominator is a closure; a string in an old array still is', async () => {
    const [a, b, c] = [await load('A'), await load('B'), await load('C')];
    const name = c.graph.nodeId.indexOf(2007);
    expect(c.graph.nodeName[name] !== undefined && c.dominators.dominator[name]).toBe(c.graph.nodeId.indexOf(1003));
    const r = findLeaks(a, b, c);
    expect(r.leaks.map((l) => [l.name, l.count, l.retainedSize])).toEqual([['(string)', 1, 28]]);
    expect(r.leaks[0]!.retainerPath.at(-2)!.edge).toBe('log');
  });
});
