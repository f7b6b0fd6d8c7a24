import type { HeapGraph } from '../../snapshot/graph.js';
import { Name, Names } from './names.js';
import { readEphemeronTable } from './ephemeron.js';

export const WEAK_KINDS = ['WeakRef', 'WeakMap', 'WeakSet', 'FinalizationRegistry'] as const;
export type WeakKind = (typeof WEAK_KINDS)[number];

const KIND_BY_NAME = new Map<number, number>([
  [Name.weakRef, 0], [Name.weakMap, 1], [Name.weakSet, 2], [Name.finalizationRegistry, 3],
]);
const WEAK_REF = 0;
const WEAK_MAP = 1;
const WEAK_SET = 2;
const REGISTRY = 3;

/** One JS-level weak reference: `holder` (a WeakRef, WeakMap, WeakSet or FinalizationRegistry) to `target`. */
export interface WeakLink {
  kind: WeakKind;
  holder: number;
  target: number;
  /** The WeakMap value kept through the key, or the FinalizationRegistry cell's held value; -1 when none (or a Smi). */
  value: number;
}

export interface WeakScan {
  links: WeakLink[];
  /** WeakRef instances whose target is gone (no `weak "target"` edge): the WeakRef object outlived its target. */
  shells: number[];
}

/**
 * Finds every JS-level weak reference by shape (FACTS.md §3, fixtures/targets/README.md), never by
 * V8's own weak edges (transitions, feedback, descriptor arrays are weak too and not the user's):
 * - instances are told by their prototype: the `prototype` of a constructor whose prototype object
 *   is named after the kind (the builtins, Node's `SafeWeakRef`… primordials), or of a subclass of
 *   one; so a `class Cache extends WeakMap` counts, and `WeakMap.prototype` itself does not;
 * - WeakRef: `weak "target"` to the target (a JSWeakRef is the only JS object with that edge);
 *   one without it is a shell whose target was collected;
 * - WeakMap / WeakSet: `internal "table"` → ephemeron table (see ephemeron.ts);
 * - FinalizationRegistry: every `system / WeakCell` has a hidden edge back to its registry, a
 *   `weak "target"` while the target lives, and a strong hidden edge to the held value. Cleared
 *   cells (target collected, callback not run yet) have no target and are not targets.
 */
export function scanWeakReferences(g: HeapGraph, names: Names, ordinalOf: (id: number) => number): WeakScan {
  const { isPrototype, kindOfPrototype, subclassed } = findKindPrototypes(g, names);
  const links: WeakLink[] = [];
  const shells: number[] = [];
  const registries = new Set<number>();
  const { object: objectType } = g.types;
  const { property, internal, weak } = g.edgeTypes;

  for (let o = 0; o < g.nodeCount; o++) {
    if (g.nodeType[o] !== objectType || isPrototype[o]) continue;
    const nameCode = names.node(o);
    if (nameCode === Name.weakCell) continue;
    // Instances are named after their constructor: only a subclass makes other names worth a look.
    const targetEdge = names.find(o, weak, Name.target);
    if (!KIND_BY_NAME.has(nameCode) && !subclassed && targetEdge < 0) continue;
    const proto = names.follow(o, property, Name.proto);
    const kind = targetEdge >= 0 ? WEAK_REF : proto >= 0 ? (kindOfPrototype.get(proto) ?? -1) : -1;
    if (kind === WEAK_REF) {
      if (targetEdge >= 0) links.push({ kind: 'WeakRef', holder: o, target: g.edgeTo[targetEdge]!, value: -1 });
      else shells.push(o);
    } else if (kind === WEAK_MAP || kind === WEAK_SET) {
      const table = names.follow(o, internal, Name.table);
      if (table < 0) continue;
      const k: WeakKind = kind === WEAK_MAP ? 'WeakMap' : 'WeakSet';
      readEphemeronTable(g, names, ordinalOf, table, (key, value) => {
        // A WeakSet's value is the `true` Oddball: nothing is kept through the key.
        links.push({ kind: k, holder: o, target: key, value: k === 'WeakSet' || value < 0 || names.node(value) === Name.oddball ? -1 : value });
      });
    } else if (kind === REGISTRY) {
      registries.add(o);
    }
  }
  if (registries.size > 0) scanWeakCells(g, names, registries, links);
  return { links, shells };
}

function scanWeakCells(g: HeapGraph, names: Names, registries: Set<number>, links: WeakLink[]): void {
  const { hidden, weak } = g.edgeTypes;
  for (let cell = 0; cell < g.nodeCount; cell++) {
    if (names.node(cell) !== Name.weakCell) continue;
    let registry = -1;
    let target = -1;
    let held = -1;
    const end = g.firstEdge[cell + 1]!;
    for (let e = g.firstEdge[cell]!; e < end; e++) {
      const to = g.edgeTo[e]!;
      const type = g.edgeType[e]!;
      // Classified by what the edge leads to, never by its numeric name (it changes with the cell's state).
      if (type === weak) {
        if (names.edge(e) === Name.target) target = to;
      } else if (type === hidden) {
        if (registries.has(to)) registry = to;
        else if (names.node(to) !== Name.weakCell && held < 0) held = to;
      }
    }
    if (registry < 0 || target < 0) continue;
    links.push({ kind: 'FinalizationRegistry', holder: registry, target, value: held >= 0 && names.node(held) !== Name.oddball ? held : -1 });
  }
}

/**
 * The prototype objects whose instances are weak holders. A constructor's `prototype` named after a
 * kind is one (V8 names the builtin prototypes, and Node's Safe* copies of them, `WeakRef`,
 * `WeakMap`…); so is any constructor's `prototype` whose own `__proto__` is one (subclasses).
 */
function findKindPrototypes(g: HeapGraph, names: Names) {
  const isPrototype = new Uint8Array(g.nodeCount);
  const kindOfPrototype = new Map<number, number>();
  const others: number[] = [];
  const { closure, object } = g.types;
  const { property } = g.edgeTypes;
  for (let c = 0; c < g.nodeCount; c++) {
    if (g.nodeType[c] !== closure) continue;
    const p = names.follow(c, property, Name.prototype);
    if (p < 0 || g.nodeType[p] !== object || isPrototype[p]) continue;
    isPrototype[p] = 1;
    const kind = KIND_BY_NAME.get(names.node(p));
    if (kind !== undefined) kindOfPrototype.set(p, kind);
    else others.push(p);
  }
  let subclassed = false;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < others.length; i++) {
      const p = others[i]!;
      if (kindOfPrototype.has(p)) continue;
      const kind = kindOfPrototype.get(names.follow(p, property, Name.proto));
      if (kind === undefined) continue;
      kindOfPrototype.set(p, kind);
      subclassed = changed = true;
    }
  }
  return { isPrototype, kindOfPrototype, subclassed };
}
