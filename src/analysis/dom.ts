import type { LoadedSnapshot } from './snapshot.js';

/**
 * The DOM in browser (Chromium, Electron renderer) snapshots: which nodes are detached DOM, and
 * which objects are Blink's per-page bindings rather than the page's own.
 */

/** True when the node is detached DOM as DevTools names it (`Detached <div>`; ClassTable.detached). */
export function isDetachedDom(s: LoadedSnapshot, ordinal: number): boolean {
  const c = s.classes;
  return c.detached[c.classOf[ordinal]!] === 1;
}

const PER_CONTEXT = 'blink::V8PerContextData';
const CACHE_EDGE = 'fast_template_instantiations_cache';
const bindingMarks = new WeakMap<LoadedSnapshot, Uint8Array | null>();

/**
 * Per node: 1 for the holders of Blink's per-context binding objects: `blink::V8PerContextData`
 * (its wrapper-type map) and the native context's `fast_template_instantiations_cache` array.
 * Measured on Chromium 156 (fixtures/pages/modal-listeners.html): the first `createElement('input')`
 * of a page creates `HTMLInputElement (prototype) / ORIGIN`, `… (internal cache) / ORIGIN`, the
 * `HTMLInputElement()` constructor and an instance template, all kept under these two for the life
 * of the page. They are born when a page first uses an element type, so a leak check sees them as
 * new and still alive; they are not anything the page can release. Null when the snapshot has
 * neither holder (not a browser snapshot).
 */
export function bindingHolders(s: LoadedSnapshot): Uint8Array | null {
  const known = bindingMarks.get(s);
  if (known !== undefined) return known;
  const g = s.graph;
  // V8 deduplicates its strings: each name has one index (or none, outside browser snapshots).
  let perContext = -1;
  let cacheEdge = -1;
  for (let i = 0; i < g.strings.count && (perContext < 0 || cacheEdge < 0); i++) {
    const len = g.strings.rawLength(i);
    if (len === PER_CONTEXT.length && g.strings.get(i) === PER_CONTEXT) perContext = i;
    else if (len === CACHE_EDGE.length && g.strings.get(i) === CACHE_EDGE) cacheEdge = i;
  }
  // Not a browser snapshot: nothing to mark, and no per-node array to keep.
  let marks: Uint8Array | null = null;
  if (perContext >= 0 || cacheEdge >= 0) {
    marks = new Uint8Array(g.nodeCount);
    const { native } = g.types;
    for (let o = 0; o < g.nodeCount; o++) {
      if (g.nodeType[o] === native && g.nodeName[o] === perContext) marks[o] = 1;
      if (cacheEdge < 0) continue;
      for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
        if (!g.edgeHasIndex(e) && g.edgeName[e] === cacheEdge) marks[g.edgeTo[e]!] = 1;
      }
    }
  }
  bindingMarks.set(s, marks);
  return marks;
}

/** True when the node's shortest retaining path passes through a binding holder (see bindingHolders). */
export function isHeldByBindings(s: LoadedSnapshot, ordinal: number): boolean {
  const marks = bindingHolders(s);
  const paths = s.paths;
  if (!marks || !paths.isStronglyReachable(ordinal)) return false;
  for (let o = ordinal, hops = 0; hops < 64; hops++) {
    if (marks[o]) return true;
    if (paths.isStart(o)) return false;
    o = paths.parentOf(o);
    if (o < 0 || o === s.graph.rootOrdinal) return false;
  }
  return false;
}
