import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../../src/analysis/leaks.js';
import { normalizeEdge, pathShape } from '../../src/analysis/paths.js';
import { LoadedSnapshot } from '../../src/analysis/snapshot.js';
import type { HarnessRoots } from '../../src/snapshot/harness.js';
import { SnapshotBuilder, type BuiltNode } from '../helpers/builder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-harness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const MAIN_PROXY_ID = 501;

/**
 * A page heap in the shape Chromium 156 writes it with Playwright attached (measured; see
 * src/snapshot/harness.ts): the page's own world (a native context whose global proxy is the
 * Window), a second world for the harness's scripts, and inspector handles under
 * `(Global handles)` named `N / DevTools console`. `phase` adds what exists from B on.
 */
function pageHeap(phase: 'A' | 'B' | 'C', extra: (b: SnapshotBuilder, w: World) => void = () => {}): string {
  const b = new SnapshotBuilder();
  const handles = b.node('synthetic', '(Global handles)', 0, { id: 23 });
  b.edge(b.gcRoots, 'element', 10, handles);
  // The page's world.
  const mainContext = b.node('native', 'system / NativeContext / https://app', 100, { id: 201 });
  const window = b.node('native', 'Window / https://app', 60, { id: MAIN_PROXY_ID });
  const globalObject = b.node('object', 'Window [JSGlobalObject] / https://app', 40, { id: 503 });
  const mainMeta = b.node('object shape', 'system / Map', 10, { id: 205 });
  b.edge(handles, 'internal', '306 / V8PerContextData::context_', mainContext);
  b.edge(mainContext, 'internal', 'global_proxy_object', window);
  b.edge(mainContext, 'internal', 'global_object', globalObject);
  b.edge(mainMeta, 'internal', 'native_context', mainContext);
  b.edge(mainContext, 'internal', 'meta_map', mainMeta);
  // The harness's world: its own native context and meta map.
  const utilityContext = b.node('native', 'system / NativeContext / https://app', 100, { id: 301 });
  const utilityProxy = b.node('object', 'Window [JSGlobalProxy] / https://app', 40, { id: 303 });
  const utilityMeta = b.node('object shape', 'system / Map', 10, { id: 305 });
  b.edge(handles, 'internal', '274 / V8PerContextData::context_', utilityContext);
  b.edge(utilityContext, 'internal', 'global_proxy_object', utilityProxy);
  b.edge(utilityMeta, 'internal', 'native_context', utilityContext);
  b.edge(utilityContext, 'internal', 'meta_map', utilityMeta);
  const w: World = { handles, window, globalObject, mainMeta, utilityMeta };
  if (phase !== 'A') extra(b, w);
  return b.write(path.join(dir, `h${fileNo++}-${phase}.heapsnapshot`));
}

interface World { handles: BuiltNode; window: BuiltNode; globalObject: BuiltNode; mainMeta: BuiltNode; utilityMeta: BuiltNode }

/** A JS object of a world: object → map → meta map (which names the world's native context). */
function jsObject(b: SnapshotBuilder, meta: BuiltNode, type: 'object' | 'closure', name: string, size: number, id: number): BuiltNode {
  const o = b.node(type, name, size, { id });
  const map = b.node('object shape', 'system / Map', 8, { id: id + 100_000 });
  b.edge(o, 'internal', 'map', map);
  b.edge(map, 'internal', 'map', meta);
  return o;
}

const HARNESS: HarnessRoots = { mainWorldGlobals: [MAIN_PROXY_ID] };

async function load(file: string, harness?: HarnessRoots): Promise<LoadedSnapshot> {
  return LoadedSnapshot.load(file, harness ? { harness } : {});
}

describe('harness roots', () => {
  it('leaves out what only an inspector handle holds, and keeps what the page also holds', async () => {
    const file = pageHeap('B', (b, w) => {
      const handleOnly = jsObject(b, w.mainMeta, 'object', 'JSHandleResult', 64, 1001);
      const shared = jsObject(b, w.mainMeta, 'object', 'Widget', 48, 1003);
      b.edge(w.handles, 'internal', '24 / DevTools console', handleOnly);
      b.edge(w.handles, 'internal', '25 / DevTools console', shared);
      b.edge(w.globalObject, 'property', 'widget', shared);
    });
    const plain = await load(file);
    const s = await load(file, HARNESS);
    const handleOnly = s.ordinalOf(1001);
    const shared = s.ordinalOf(1003);
    expect(plain.paths.isStronglyReachable(plain.ordinalOf(1001))).toBe(true);
    expect(s.paths.isStronglyReachable(handleOnly)).toBe(false);
    expect(s.graph.harnessHeld![handleOnly]).toBe(1);
    expect(s.graph.harnessHeld![shared]).toBe(0);
    expect(s.retainerPath(shared).map((step) => step.edge)).toEqual([null, '10', '306 / V8PerContextData::context_', 'global_object', 'widget']);
  });

  it('leaves out the harness world: its listeners on the page window and what they reach', async () => {
    const file = pageHeap('B', (b, w) => {
      // A listener the harness added to the page's window (Playwright's InjectedScript does).
      const listener = b.node('native', 'V8EventListener', 16, { id: 1101 });
      const harnessClosure = jsObject(b, w.utilityMeta, 'closure', 'handleCustomEvent', 32, 1103);
      const injected = jsObject(b, w.utilityMeta, 'object', 'InjectedScript', 200, 1105);
      b.edge(w.window, 'element', 1, listener);
      b.edge(listener, 'element', 1, harnessClosure);
      b.edge(harnessClosure, 'property', 'this', injected);
      // The page's own listener stays.
      const pageListener = b.node('native', 'V8EventListener', 16, { id: 1107 });
      const pageClosure = jsObject(b, w.mainMeta, 'closure', 'onResize', 32, 1109);
      b.edge(w.window, 'element', 2, pageListener);
      b.edge(pageListener, 'element', 1, pageClosure);
      // The harness world caches a detached element of the page: not the page's leak.
      const cached = b.node('native', 'Detached <div>', 80, { id: 1111 });
      b.edge(injected, 'property', 'lastElement', cached);
    });
    const plain = await load(file);
    const s = await load(file, HARNESS);
    for (const id of [1103, 1105, 1111]) {
      expect(plain.paths.isStronglyReachable(plain.ordinalOf(id))).toBe(true);
      expect(s.paths.isStronglyReachable(s.ordinalOf(id)), `@${id}`).toBe(false);
    }
    expect(s.paths.isStronglyReachable(s.ordinalOf(1109))).toBe(true);
  });

  it('does not let a harness-held wrapper take a page object out of its page owner\'s retained size', async () => {
    const file = pageHeap('B', (b, w) => {
      const history = jsObject(b, w.mainMeta, 'object', 'Array', 32, 1201);
      const panel = b.node('native', 'Detached <div>', 80, { id: 1203 });
      const row = b.node('native', 'Detached <p>', 40, { id: 1205 });
      b.edge(w.globalObject, 'property', 'closedPanels', history);
      b.edge(history, 'element', 0, panel);
      b.edge(panel, 'element', 1, row);
      // evaluateHandle(() => ({ el: panel.firstChild })) kept by the test: a handle-only wrapper.
      const wrapper = jsObject(b, w.mainMeta, 'object', 'Object', 24, 1207);
      b.edge(w.handles, 'internal', '22 / DevTools console', wrapper);
      b.edge(wrapper, 'property', 'el', row);
    });
    const plain = await load(file);
    const s = await load(file, HARNESS);
    const dominatorId = (x: LoadedSnapshot, id: number) => x.graph.nodeId[x.dominators.dominator[x.ordinalOf(id)]!];
    expect(dominatorId(plain, 1205)).not.toBe(1203);
    expect(dominatorId(s, 1205)).toBe(1203);
    expect(s.retainedSize(s.ordinalOf(1203))).toBe(120);
  });

  it('keeps every world when the page globals are not given (Node targets)', async () => {
    const file = pageHeap('B', (b, w) => {
      const o = jsObject(b, w.utilityMeta, 'object', 'VmContextObject', 32, 1301);
      b.edge(w.window, 'property', 'sandboxed', o);
    });
    const s = await load(file, {});
    expect(s.paths.isStronglyReachable(s.ordinalOf(1301))).toBe(true);
    expect(s.graph.harnessHeld!.every((v) => v === 0)).toBe(true);
  });

  it('finds the page\'s leak and nothing the harness made between baseline and target', async () => {
    const extra = (b: SnapshotBuilder, w: World) => {
      const history = jsObject(b, w.mainMeta, 'object', 'Array', 32, 1401);
      const panel = b.node('native', 'Detached <div>', 80, { id: 1403 });
      b.edge(w.globalObject, 'property', 'closedPanels', history);
      b.edge(history, 'element', 0, panel);
      const injected = jsObject(b, w.utilityMeta, 'object', 'InjectedScript', 200, 1405);
      // Blink's own objects carry even ids that stay put (fixtures/pages/README.md): never new.
      const listener = b.node('native', 'V8EventListener', 16, { id: 1408 });
      const closure = jsObject(b, w.utilityMeta, 'closure', 'onPointer', 32, 1409);
      b.edge(w.window, 'element', 3, listener);
      b.edge(listener, 'element', 1, closure);
      b.edge(closure, 'property', 'this', injected);
      const logged = jsObject(b, w.mainMeta, 'object', 'Object', 500, 1411);
      b.edge(w.handles, 'internal', '20 / DevTools console', logged);
    };
    const files = (['A', 'B', 'C'] as const).map((p) => pageHeap(p, extra));
    const run = async (harness?: HarnessRoots) => {
      const [a, bb, c] = await Promise.all(files.map((f) => load(f, harness)));
      return findLeaks(a!, bb!, c!);
    };
    const noisy = await run();
    expect(noisy.leaks.map((l) => l.name).sort()).toEqual(['Array', 'Detached <div>', 'Function', 'InjectedScript', 'Object']);
    const clean = await run(HARNESS);
    expect(clean.leaks.map((l) => `${l.count} ${l.name}`).sort()).toEqual(['1 Array', '1 Detached <div>']);
    expect(clean.totalRetainedSize).toBe(32 + 8 + 80);
  });
});

describe('handle slot numbers in path shapes', () => {
  it('are left out, so two runs of one program give one shape', () => {
    expect(normalizeEdge('internal', '306 / V8PerContextData::context_')).toBe('[] / V8PerContextData::context_');
    const path = (slot: number) => [
      { id: 1, name: '(GC roots)', type: 'synthetic', edge: null },
      { id: 3, name: 'system / NativeContext', type: 'native', edge: `${slot} / V8PerContextData::context_`, edgeType: 'internal' },
      { id: 5, name: 'Array', type: 'object', edge: 'closedPanels', edgeType: 'property' },
    ];
    expect(pathShape(path(306))).toBe(pathShape(path(274)));
  });
});
