import type { HeapGraph } from './graph.js';

/**
 * What a test harness or a debugger keeps alive in the heap it measures, so that a leak test can
 * leave it out. Measured on Chromium 156 driven by Playwright 1.65 (a page that opens and closes a
 * panel, with `locator.click`, `evaluateHandle` and a `console.log` of an object between the
 * baseline and target snapshots): of 2,251 objects reported without this, every one was held
 * either
 * - by a V8 inspector handle: `(Global handles)` edges named `N / DevTools console`, the label V8
 *   gives the handles it keeps for inspector clients (remote objects such as Playwright's
 *   InjectedScript and JSHandles, console message arguments; v8/src/inspector, kGlobalHandleLabel);
 * - or by a JavaScript world other than the page's own: the utility world Playwright creates for
 *   its injected scripts (`Page.createIsolatedWorld`), whose native context comes with a fresh set
 *   of builtins and prototypes (`Temporal.ZonedDateTime`, `Node.prototype`, …).
 * Edges from those roots retain nothing when a graph is built with a HarnessRoots, exactly as weak
 * edges: what only the harness holds is then unreachable, and never a leak candidate; what the page
 * also holds keeps its page retainers, dominators and paths.
 */
export interface HarnessRoots {
  /** Names of `(Global handles)` edges that are the harness's handles. Default: V8 inspector handles. */
  handleLabels?: RegExp;
  /**
   * Heap object ids of the page's own global object (`window`'s global proxy, from
   * `HeapProfiler.getHeapObjectId`): every other native context is another world's (an isolated
   * world of the harness or an extension) and retains nothing. Absent: every world counts.
   */
  mainWorldGlobals?: readonly number[];
}

export const INSPECTOR_HANDLES = /(^|\/ )DevTools console$/;

const NATIVE_CONTEXT = 'system / NativeContext';

/**
 * A predicate over (source ordinal, edge index): true for an edge that only the harness adds. The
 * set of foreign native contexts is found once, by name and by the global proxy they point to.
 */
export function harnessEdgeFilter(g: HeapGraph, roots: HarnessRoots): (from: number, edge: number) => boolean {
  const labels = roots.handleLabels ?? INSPECTOR_HANDLES;
  const globalHandles = findGlobalHandles(g);
  const foreign = roots.mainWorldGlobals ? foreignWorldNodes(g, new Set(roots.mainWorldGlobals)) : undefined;
  const labelMemo = new Map<number, boolean>();
  return (from, e) => {
    if (from === globalHandles && !g.edgeHasIndex(e)) {
      const name = g.edgeName[e]!;
      let hit = labelMemo.get(name);
      if (hit === undefined) {
        labels.lastIndex = 0;
        hit = labels.test(g.strings.get(name));
        labelMemo.set(name, hit);
      }
      if (hit) return true;
    }
    return foreign !== undefined && foreign[g.edgeTo[e]!] === 1 && foreign[from] === 0;
  };
}

/** The `(Global handles)` sub-root under `(GC roots)`, or -1. */
function findGlobalHandles(g: HeapGraph): number {
  const { synthetic } = g.types;
  for (let e = g.firstEdge[g.rootOrdinal]!; e < g.firstEdge[g.rootOrdinal + 1]!; e++) {
    const gc = g.edgeTo[e]!;
    if (g.nodeType[gc] !== synthetic || g.nodeNameString(gc) !== '(GC roots)') continue;
    for (let f = g.firstEdge[gc]!; f < g.firstEdge[gc + 1]!; f++) {
      const sub = g.edgeTo[f]!;
      if (g.nodeType[sub] === synthetic && g.nodeNameString(sub) === '(Global handles)') return sub;
    }
  }
  return -1;
}

/**
 * 1 for every node of a foreign world: a native context whose `global_proxy_object` is not one of
 * the page's globals, and every heap object whose map's meta map names such a context (V8 gives
 * each native context its own meta map: object → `map` → `map` → `native_context`). That covers
 * the world's objects, closures, scope contexts, arrays and its own wrappers of DOM nodes.
 */
export function foreignWorldNodes(g: HeapGraph, mainGlobals: ReadonlySet<number>): Uint8Array {
  const out = new Uint8Array(g.nodeCount);
  const nativeContext = new Uint8Array(g.strings.count); // per name string: 0 unknown, 1 a native context, 2 not
  const globalProxy = g.strings.indexOf('global_proxy_object');
  const nativeContextEdge = g.strings.indexOf('native_context');
  const mapEdge = g.strings.indexOf('map');
  const internal = g.edgeTypes.internal;
  let any = false;
  for (let o = 0; o < g.nodeCount; o++) {
    const n = g.nodeName[o]!;
    if (nativeContext[n] === 0) nativeContext[n] = g.strings.get(n).startsWith(NATIVE_CONTEXT) ? 1 : 2;
    if (nativeContext[n] !== 1) continue;
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      if (g.edgeType[e] === internal && g.edgeName[e] === globalProxy && !mainGlobals.has(g.nodeId[g.edgeTo[e]!]!)) {
        out[o] = 1;
        any = true;
      }
    }
  }
  if (!any || mapEdge < 0 || nativeContextEdge < 0) return out;
  // Meta maps of foreign contexts.
  const foreignMeta = new Uint8Array(g.nodeCount);
  for (let o = 0; o < g.nodeCount; o++) {
    if (g.nodeType[o] !== g.types.objectShape) continue;
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      if (g.edgeType[e] === internal && g.edgeName[e] === nativeContextEdge && out[g.edgeTo[e]!]) foreignMeta[o] = 1;
    }
  }
  const mapOf = (o: number): number => {
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) if (g.edgeType[e] === internal && g.edgeName[e] === mapEdge) return g.edgeTo[e]!;
    return -1;
  };
  for (let o = 0; o < g.nodeCount; o++) {
    if (out[o] || foreignMeta[o]) { out[o] = 1; continue; }
    const map = mapOf(o);
    if (map < 0) continue;
    if (foreignMeta[map]) { out[o] = 1; continue; }
    const meta = mapOf(map);
    if (meta >= 0 && foreignMeta[meta]) out[o] = 1;
  }
  return out;
}
