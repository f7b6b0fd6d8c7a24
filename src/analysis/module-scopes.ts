import type { HeapGraph } from '../snapshot/graph.js';
import { StringTable } from '../snapshot/strings.js';

/** A module's top-level scope: the `system / Context` that holds its module-level variables. */
export interface ModuleScope {
  /** Ordinal of the `system / Context` node. */
  ordinal: number;
  /** The module's script name as V8 records it (`file:///…/app.mjs`, `/…/app.cjs`). */
  script: string;
  kind: 'esm' | 'cjs';
}

/**
 * Finds the top-level scopes of the program's own modules, so retainer paths can start at a
 * module-level variable (`module app.mjs → context.cache → …`) instead of wandering through Node's
 * internals to get there.
 *
 * Why they are needed, measured on fixtures/snapshots/listener-leak-final (Node 20.20.2): the
 * shortest path from `global` to a leaked Widget is 17 steps, `global / → .CustomEvent → (Node's
 * internal module scope) → .process → ._events.SIGUSR2 → … → context.bus → …`, because every
 * module-level variable lives in a `system / Context` that V8 reaches only through closures and
 * Node's module records. Started at the module scope of listener-app.mjs the path is 7 steps and
 * names the variable the leak is in (`bus`).
 *
 * How they look in a snapshot (observed on V8 11.3; see fixtures/targets/README.md item 7):
 * - ESM: the module's Context has `internal "extension"` → `system / SourceTextModule`. The module
 *   record is held by the loader's module map for the life of the process, and holds the context
 *   (through the module's generator object), so this scope really is as permanent as a global.
 * - CommonJS: the context of the module wrapper function: `internal "previous"` →
 *   `system / NativeContext` (a function defined at the top of a script), no extension, in a script
 *   that is not one of Node's own (`node:…`). Any function nested in the module has the wrapper's
 *   context (or a deeper one) as `previous`, so among contexts whose parent is the native context,
 *   one per script is the wrapper's. A top-level factory that ran several times would give several
 *   contexts of one ScopeInfo: those are refused (only a ScopeInfo with exactly one context counts),
 *   since such a context is kept by whoever holds its closures, not by the module.
 * The script of a context is found through its ScopeInfo: the SharedFunctionInfo that owns the
 * ScopeInfo (`name_or_scope_info`), or one of its inner functions that was not compiled yet
 * (`raw_outer_scope_info_or_feedback_metadata`), names its script in `script_or_debug_info`
 * (a `code` node whose name is the script's URL or path).
 *
 * Limit: a CommonJS module with no module-level variable captured by a closure has no context at
 * all; if one of its top-level functions ran exactly once and its closures live on, that
 * function's scope is taken for the module's. Paths then start at that scope: still code the user
 * wrote, one step closer to the object than the closure that really holds it.
 */
export function findModuleScopes(g: HeapGraph): ModuleScope[] {
  const names = stringIndexes(g, ['system / Context', 'system / NativeContext', 'system / SourceTextModule', 'previous',
    'extension', 'scope_info', 'name_or_scope_info', 'raw_outer_scope_info_or_feedback_metadata', 'script_or_debug_info']);
  const context = names.get('system / Context');
  if (context === undefined) return [];
  const previous = names.get('previous');
  const extension = names.get('extension');
  const scopeInfoEdge = names.get('scope_info');
  const nativeContext = names.get('system / NativeContext');
  const sourceTextModule = names.get('system / SourceTextModule');
  const { internal } = g.edgeTypes;

  const esm: Array<{ ordinal: number; scopeInfo: number }> = [];
  const cjs: Array<{ ordinal: number; scopeInfo: number }> = [];
  const contextsPerScopeInfo = new Map<number, number>();
  for (let o = 0; o < g.nodeCount; o++) {
    if (g.nodeName[o] !== context) continue;
    let prev = -1;
    let ext = -1;
    let scopeInfo = -1;
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      if (g.edgeType[e] !== internal) continue;
      const n = g.edgeName[e];
      if (n === previous) prev = g.edgeTo[e]!;
      else if (n === extension) ext = g.edgeTo[e]!;
      else if (n === scopeInfoEdge) scopeInfo = g.edgeTo[e]!;
    }
    if (ext >= 0 && g.nodeName[ext] === sourceTextModule) esm.push({ ordinal: o, scopeInfo });
    else if (ext < 0 && prev >= 0 && g.nodeName[prev] === nativeContext && scopeInfo >= 0) {
      cjs.push({ ordinal: o, scopeInfo });
      contextsPerScopeInfo.set(scopeInfo, (contextsPerScopeInfo.get(scopeInfo) ?? 0) + 1);
    }
  }

  const out: ModuleScope[] = [];
  for (const m of esm) out.push({ ordinal: m.ordinal, script: m.scopeInfo >= 0 ? scriptOf(g, m.scopeInfo, names) ?? '' : '', kind: 'esm' });
  for (const m of cjs) {
    if (contextsPerScopeInfo.get(m.scopeInfo) !== 1) continue;
    const script = scriptOf(g, m.scopeInfo, names);
    if (!script || script.startsWith('node:')) continue;
    out.push({ ordinal: m.ordinal, script, kind: 'cjs' });
  }
  return out.sort((a, b) => a.ordinal - b.ordinal);
}

/** The script name of the function that owns `scopeInfo` (or of an inner function of it), or undefined. */
function scriptOf(g: HeapGraph, scopeInfo: number, names: Map<string, number>): string | undefined {
  const own = names.get('name_or_scope_info');
  const outer = names.get('raw_outer_scope_info_or_feedback_metadata');
  const scriptEdge = names.get('script_or_debug_info');
  const { internal } = g.edgeTypes;
  let fallback: string | undefined;
  for (let slot = g.firstRetainer[scopeInfo]!; slot < g.firstRetainer[scopeInfo + 1]!; slot++) {
    const sfi = g.retainerNode[slot]!;
    if (g.nodeType[sfi] !== g.types.code) continue;
    let via = -1;
    let script: string | undefined;
    for (let e = g.firstEdge[sfi]!; e < g.firstEdge[sfi + 1]!; e++) {
      if (g.edgeType[e] !== internal) continue;
      const n = g.edgeName[e];
      if (g.edgeTo[e] === scopeInfo && (n === own || n === outer)) via = n!;
      else if (n === scriptEdge) script = g.nodeNameString(g.edgeTo[e]!);
    }
    if (via < 0 || script === undefined) continue;
    if (via === own) return script;
    fallback ??= script;
  }
  return fallback;
}

/**
 * String-table indexes of a few known strings, found in one pass over the raw bytes: no string is
 * decoded (a 1 GB snapshot has ~4M strings; decoding them all costs seconds and memory).
 */
export function stringIndexes(g: HeapGraph, wanted: readonly string[]): Map<string, number> {
  const probe = StringTable.fromStrings(wanted);
  const byLength = new Map<number, number[]>();
  wanted.forEach((w, k) => {
    const len = probe.rawLength(k);
    const list = byLength.get(len);
    if (list) list.push(k);
    else byLength.set(len, [k]);
  });
  const found = new Map<string, number>();
  const s = g.strings;
  for (let i = 0; i < s.count && found.size < wanted.length; i++) {
    const list = byLength.get(s.rawLength(i));
    if (!list) continue;
    for (const k of list) {
      if (!found.has(wanted[k]!) && s.rawEquals(i, probe, k)) found.set(wanted[k]!, i);
    }
  }
  return found;
}
