import type { HeapGraph } from '../snapshot/graph.js';

/**
 * Class names exactly as Chrome DevTools' Summary groups objects (HeapSnapshot.ts
 * calculateObjectNames, inferInterfaceDefinitions, applyInterfaceDefinitions, propagateDOMState,
 * classKeyInternal): constructor names for objects, `{a, b, c}` for popular shapes of plain
 * objects, `(system)`, `(compiled code)`, `Function`, `RegExp`, `(string)`, `(array)`…, DOM tags cut
 * to `<div>`, `Detached …` for detached DOM, and objects of one name but different constructor
 * locations kept apart.
 */
export interface ClassTable {
  /** Class of each node, an index into `names`/`keys`. */
  classOf: Uint32Array;
  names: string[];
  /** Stable key: `,Name`, or `script,line,column,Name` for objects whose constructor location is known. */
  keys: string[];
  /**
   * Per class: 1 when it holds detached DOM, i.e. native nodes DevTools names `Detached …`
   * (browser snapshots). Node's own natives that V8 marks detached (`Node / BindingData`, NOTES.md
   * §1.1 in test/oracle) are not DOM and are left out; their names are what DevTools shows either way.
   */
  detached: Uint8Array;
}

// DevTools' constants (HeapSnapshot.ts, "inferInterfaceDefinitions").
const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

const DETACHED = 2;
const ATTACHED = 1;

/**
 * `definitions`: the plain-object shapes to name objects by; by default the ones this snapshot's
 * own objects make popular. DevTools' Comparison view names the base snapshot's objects with the
 * newer snapshot's definitions (HeapSnapshot.ts aggregatesForDiff), so that one object keeps its
 * class across the pair; diff passes them in.
 */
export function classifyNodes(g: HeapGraph, definitions: InterfaceDefinition[] = inferInterfaces(g)): ClassTable {
  const { types } = g;
  const detached = propagateDomState(g);
  const interfaces = applyInterfaces(g, definitions);
  const location = g.locations.nodeLocation;

  const classOf = new Uint32Array(g.nodeCount);
  const names: string[] = [];
  const keys: string[] = [];
  const byKey = new Map<string, number>();
  // Most nodes share a few hundred names: remember the class of each (name index, kind) pair.
  const plainCache = new Map<number, number>();
  // Objects with a constructor location: location triple index → name index → class.
  const locationCache = new Map<number, Map<number, number>>();
  const { script, line, column } = g.locations;
  const classFor = (key: string, name: string): number => {
    let id = byKey.get(key);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      keys.push(key);
      byKey.set(key, id);
    }
    return id;
  };
  const fixed = (name: string) => classFor(`,${name}`, name);
  const detachedClasses = new Set<number>();
  const typeClass = g.layout.nodeTypes.map((t) => fixed(`(${t})`));
  const system = fixed('(system)');
  const code = fixed('(compiled code)');
  const fn = fixed('Function');
  const regexp = fixed('RegExp');

  for (let o = 0; o < g.nodeCount; o++) {
    const t = g.nodeType[o]!;
    let id: number;
    if (t === types.hidden) id = system;
    else if (t === types.code) id = code;
    else if (t === types.closure) id = fn;
    else if (t === types.regexp) id = regexp;
    else if (t === types.object || t === types.native) {
      const iface = interfaces.of[o]!;
      let name: string | undefined = iface >= 0 ? interfaces.names[iface] : undefined;
      const nameIndex = g.nodeName[o]!;
      const loc = t === types.object ? location[o]! : -1;
      // Fast paths without building strings: most nodes repeat a (name, location) pair seen before.
      if (iface < 0 && !detached[o]) {
        const cached = loc === -1 ? plainCache.get(nameIndex) : locationCache.get(loc)?.get(nameIndex);
        if (cached !== undefined) { classOf[o] = cached; continue; }
      }
      let dom = false;
      if (name === undefined) {
        name = g.strings.get(nameIndex);
        if (detached[o]) {
          dom = !name.startsWith(NODE_EMBEDDER_PREFIX);
          name = `Detached ${name}`;
        }
        name = shortenTag(name);
      }
      if (loc >= 0) {
        id = classFor(`${script[loc]},${line[loc]},${column[loc]},${name}`, name);
        if (iface < 0 && !detached[o]) {
          let byName = locationCache.get(loc);
          if (!byName) locationCache.set(loc, byName = new Map());
          byName.set(nameIndex, id);
        }
      } else {
        id = fixed(name);
        if (!detached[o] && iface < 0) plainCache.set(nameIndex, id);
      }
      if (dom) detachedClasses.add(id);
    } else id = typeClass[t]!;
    classOf[o] = id;
  }
  const detachedFlags = new Uint8Array(names.length);
  for (const c of detachedClasses) detachedFlags[c] = 1;
  return { classOf, names, keys, detached: detachedFlags };
}

/** Node's embedder nodes (`Node / Environment`, `Node / BindingData`…): native, but never DOM. */
const NODE_EMBEDDER_PREFIX = 'Node / ';

/** `<div id="a">` → `<div>`; `Detached <div class=x>` → `Detached <div>`. */
function shortenTag(name: string): string {
  if (name.startsWith('<')) {
    const sp = name.indexOf(' ');
    return sp === -1 ? name : `${name.slice(0, sp)}>`;
  }
  if (name.startsWith('Detached <')) {
    const sp = name.indexOf(' ', 10);
    return sp === -1 ? name : `${name.slice(0, sp)}>`;
  }
  return name;
}

/**
 * DevTools' propagateDOMState: attachedness flows from known native nodes to native children over
 * non-hidden, non-weak edges; attached wins. Returns 1 for nodes whose name gets "Detached ".
 */
export function propagateDomState(g: HeapGraph): Uint8Array {
  const renamed = new Uint8Array(g.nodeCount);
  const det = g.nodeDetachedness;
  if (!det) return renamed;
  const state = det.slice();
  const visited = new Uint8Array(g.nodeCount);
  const attached: number[] = [];
  const detachedList: number[] = [];
  const native = g.types.native;
  const process = (o: number, s: number) => {
    if (visited[o]) return;
    if (g.nodeType[o] !== native) { visited[o] = 1; return; }
    state[o] = s;
    if (s === ATTACHED) attached.push(o);
    else if (s === DETACHED) { renamed[o] = 1; detachedList.push(o); }
    visited[o] = 1;
  };
  const { hidden, weak } = g.edgeTypes;
  const propagate = (o: number, s: number) => {
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      const t = g.edgeType[e];
      if (t === hidden || t === weak) continue;
      process(g.edgeTo[e]!, s);
    }
  };
  for (let o = 0; o < g.nodeCount; o++) if (state[o] !== 0) process(o, state[o]!);
  while (attached.length) propagate(attached.pop()!, ATTACHED);
  while (detachedList.length) {
    const o = detachedList.pop()!;
    if (state[o] === ATTACHED) continue;
    propagate(o, DETACHED);
  }
  return renamed;
}

function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const s = JSON.stringify({ [name]: 0 });
    return s.substring(1, s.length - 3);
  }
  return name;
}

/** A plain-object shape: objects with all these properties take this name (DevTools' InterfaceDefinition). */
export interface InterfaceDefinition { name: string; properties: string[] }

function isPlainObject(g: HeapGraph, o: number, objectNameIndex: number): boolean {
  return g.nodeType[o] === g.types.object && g.nodeName[o] === objectNameIndex;
}

/** The name indexes of a node's property edges, in order: a cache key shared by objects of one shape. */
function propertySignature(g: HeapGraph, o: number, property: number): string {
  let sig = '';
  for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) if (g.edgeType[e] === property) sig += `${g.edgeName[e]},`;
  return sig;
}

function objectNameIndex(g: HeapGraph): number {
  // V8 deduplicates its strings, so 'Object' has one index (or none).
  for (let i = 0; i < g.strings.count; i++) if (g.strings.rawLength(i) === 6 && g.strings.get(i) === 'Object') return i;
  return -1;
}

/** DevTools' inferInterfaceDefinitions: the property lists that at least 1 in 1000 plain objects start with. */
export function inferInterfaces(g: HeapGraph): InterfaceDefinition[] {
  const objIdx = objectNameIndex(g);
  if (objIdx < 0) return [];
  const property = g.edgeTypes.property;
  const candidates = new Map<string, InterfaceDefinition & { count: number }>();
  // Objects of one shape have the same property edges: work each shape out once.
  const bySignature = new Map<string, (InterfaceDefinition & { count: number }) | null>();
  let total = 0;
  for (let o = 0; o < g.nodeCount; o++) {
    if (!isPlainObject(g, o, objIdx)) continue;
    total++;
    const sig = propertySignature(g, o, property);
    const known = bySignature.get(sig);
    if (known !== undefined) {
      if (known) known.count++;
      continue;
    }
    let name = '{';
    const properties: string[] = [];
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      if (g.edgeType[e] !== property) continue;
      const edgeName = g.strings.get(g.edgeName[e]!);
      if (edgeName === '__proto__') continue;
      const formatted = formatPropertyName(edgeName);
      if (name.length > MIN_INTERFACE_PROPERTY_COUNT && name.length + formatted.length > MAX_INTERFACE_NAME_LENGTH) break;
      if (name.length !== 1) name += ', ';
      name += formatted;
      properties.push(edgeName);
    }
    if (properties.length === 0) {
      bySignature.set(sig, null);
      continue;
    }
    name += '}';
    let c = candidates.get(name);
    if (c) c.count++;
    else candidates.set(name, c = { name, properties, count: 1 });
    bySignature.set(sig, c);
  }
  const sorted = [...candidates.values()].sort((a, b) => b.count - a.count);
  const minCount = Math.max(MIN_OBJECT_COUNT_PER_INTERFACE, total / MIN_OBJECT_PROPORTION_PER_INTERFACE);
  const result: InterfaceDefinition[] = [];
  for (const c of sorted) {
    if (c.count < minCount) break;
    result.push({ name: c.name, properties: c.properties });
  }
  return result;
}

interface MatchInfo { name: string; propertyCount: number; index: number }
interface PropertyTreeNode { next: Map<string, PropertyTreeNode>; matchInfo: MatchInfo | null; greatestNext: string | null }

function better(a: MatchInfo, b: MatchInfo | null): MatchInfo {
  if (!b || a.propertyCount > b.propertyCount) return a;
  if (b.propertyCount > a.propertyCount) return b;
  return a.index <= b.index ? a : b;
}

/** DevTools' applyInterfaceDefinitions: each plain object takes the best interface whose properties it has all of. */
function applyInterfaces(g: HeapGraph, definitions: InterfaceDefinition[]): { of: Int32Array; names: string[] } {
  // One slot per node, not a Map: plain objects alone can pass 2^24 in big snapshots.
  const named = { of: new Int32Array(g.nodeCount).fill(-1), names: definitions.map((d) => d.name) };
  if (definitions.length === 0) return named;
  const objIdx = objectNameIndex(g);
  const tree: PropertyTreeNode = { next: new Map(), matchInfo: null, greatestNext: null };
  definitions.forEach((def, index) => {
    const properties = [...def.properties].sort();
    let cur = tree;
    for (const p of properties) {
      let nxt = cur.next.get(p);
      if (!nxt) {
        nxt = { next: new Map(), matchInfo: null, greatestNext: null };
        cur.next.set(p, nxt);
        if (cur.greatestNext === null || cur.greatestNext < p) cur.greatestNext = p;
      }
      cur = nxt;
    }
    cur.matchInfo ??= { name: def.name, propertyCount: properties.length, index };
  });
  const initial: MatchInfo = { name: 'Object', propertyCount: 0, index: Infinity };
  const property = g.edgeTypes.property;
  const bySignature = new Map<string, number>();
  for (let o = 0; o < g.nodeCount; o++) {
    if (!isPlainObject(g, o, objIdx)) continue;
    const sig = propertySignature(g, o, property);
    const known = bySignature.get(sig);
    if (known !== undefined) {
      named.of[o] = known;
      continue;
    }
    const properties: string[] = [];
    for (let e = g.firstEdge[o]!; e < g.firstEdge[o + 1]!; e++) {
      if (g.edgeType[e] === property) properties.push(g.strings.get(g.edgeName[e]!));
    }
    properties.sort();
    const states = new Set<PropertyTreeNode>([tree]);
    let match = better(initial, tree.matchInfo);
    for (const p of properties) {
      for (const state of Array.from(states.keys())) {
        if (state.greatestNext === null || p >= state.greatestNext) states.delete(state);
        const nxt = state.next.get(p);
        if (nxt) {
          states.add(nxt);
          match = better(match, nxt.matchInfo);
        }
      }
    }
    bySignature.set(sig, match === initial ? -1 : match.index);
    if (match !== initial) named.of[o] = match.index;
  }
  return named;
}
