import { assertComparable, matchSnapshots, type SnapshotMatch } from './match.js';
import type { LoadedSnapshot } from './snapshot.js';
import type { ClassTable } from './classes.js';

/** One row of `diff --json` (CONTRACT.md), plus the additive `key`. */
export interface ClassDiff {
  name: string;
  /** Objects of this class in AFTER that are not the same object of the same class in BEFORE. */
  added: number;
  /** Objects of this class in BEFORE that are not the same object of the same class in AFTER. */
  removed: number;
  countDelta: number;
  addedSize: number;
  removedSize: number;
  sizeDelta: number;
  /** DevTools' class key: `,Name`, or `script,line,column,Name` (two classes may share a name). */
  key: string;
}

export interface SnapshotDiff {
  classes: ClassDiff[];
  /** How the objects were paired (see match.ts). */
  match: Pick<SnapshotMatch, 'matched' | 'renamed' | 'stray'>;
}

/**
 * Per-class change between two snapshots of one process, as Chrome DevTools' Comparison view
 * computes it (HeapSnapshot.ts calculateSnapshotDiff / calculateDiffForClass, chrome-devtools-frontend
 * 1.0.1705227):
 * - objects are the same when their ids are (match.ts also checks node type and name, and pairs
 *   the even-id embedder nodes, which V8 renumbers in every snapshot, by name: they never show up
 *   as churn);
 * - within a class, an object of BEFORE with no same object of that class in AFTER is removed, one
 *   of AFTER with none in BEFORE is added (an object whose class changed, e.g. a plain object that
 *   gained a property and now has another `{…}` shape, is removed from one class and added to the
 *   other, as in DevTools);
 * - sizes are the self sizes DevTools shows, with owned internal arrays charged to their owner
 *   (`LoadedSnapshot.selfSize`). DevTools' calculateShallowSizes overwrites the node array's self
 *   sizes before anything else runs, so its Comparison view uses the adjusted sizes too (not the
 *   file's raw ones), and its buildAggregates skips objects whose adjusted size is 0: so does this.
 *   Consequence shared with DevTools: an array that grew in place is the same object with the same
 *   class and counts as unchanged, even though its (owned) backing store was replaced.
 * Classes with nothing added or removed are left out; rows are sorted by sizeDelta, largest first.
 */
export function diffSnapshots(before: LoadedSnapshot, after: LoadedSnapshot, match?: SnapshotMatch): SnapshotDiff {
  return classChanges(before, after, { match }).diff;
}

/** diffSnapshots' result plus, with `perObject`, which objects make up each row (the Comparison view's instances). */
export interface ClassChanges {
  diff: SnapshotDiff;
  /** Every class key of either snapshot → its index in `rows`. */
  rowOf: Map<string, number>;
  /** One row per class key of either snapshot, changed or not, in `rowOf` order. */
  rows: ClassDiff[];
  /** With `perObject`: for each ordinal of BEFORE, the row it is removed from, or -1 (same object, same class in AFTER, or not counted). */
  removedFrom?: Int32Array;
  /** With `perObject`: for each ordinal of AFTER, the row it is added to, or -1. */
  addedTo?: Int32Array;
}

/**
 * The comparison behind diffSnapshots (same rules, see there). `perObject` also records each
 * object's row (4 bytes a node of each snapshot), so the objects of one row can be listed later
 * without classifying BEFORE again; the CLI leaves it off.
 */
export function classChanges(before: LoadedSnapshot, after: LoadedSnapshot, options: { match?: SnapshotMatch | undefined; perObject?: boolean } = {}): ClassChanges {
  const m = options.match ?? matchSnapshots(before, after);
  assertComparable(before, after, m);
  const keys = new Map<string, number>();
  const rows: ClassDiff[] = [];
  // BEFORE's plain objects are named with AFTER's shapes, as in DevTools' Comparison view, so an
  // object does not change class only because its shape became popular enough to be named.
  const beforeClasses = before.classesWith(after.interfaceDefinitions);
  const afterClasses = after.classes;
  const unify = ({ names, keys: classKeys }: ClassTable): Uint32Array => {
    const out = new Uint32Array(classKeys.length);
    classKeys.forEach((k, c) => {
      let id = keys.get(k);
      if (id === undefined) {
        id = rows.length;
        keys.set(k, id);
        rows.push({ name: names[c]!, added: 0, removed: 0, countDelta: 0, addedSize: 0, removedSize: 0, sizeDelta: 0, key: k });
      }
      out[c] = id;
    });
    return out;
  };
  const rowOfBefore = unify(beforeClasses);
  const rowOfAfter = unify(afterClasses);
  const classOfBefore = beforeClasses.classOf;
  const classOfAfter = afterClasses.classOf;
  const sizeBefore = before.selfSize;
  const sizeAfter = after.selfSize;
  const removedFrom = options.perObject ? new Int32Array(before.graph.nodeCount).fill(-1) : undefined;
  const addedTo = options.perObject ? new Int32Array(after.graph.nodeCount).fill(-1) : undefined;
  // Counted per row in typed arrays, then copied: one pass over each snapshot's nodes.
  const k = rows.length;
  const added = new Float64Array(k);
  const removed = new Float64Array(k);
  const addedSize = new Float64Array(k);
  const removedSize = new Float64Array(k);
  const sameObjectSameClass = (rowA: number, pb: number) => pb >= 0 && sizeAfter[pb]! > 0 && rowOfAfter[classOfAfter[pb]!] === rowA;
  for (let o = 0; o < before.graph.nodeCount; o++) {
    const size = sizeBefore[o]!;
    if (!size) continue;
    const row = rowOfBefore[classOfBefore[o]!]!;
    if (sameObjectSameClass(row, m.afterOf[o]!)) continue;
    removed[row]!++;
    removedSize[row]! += size;
    if (removedFrom) removedFrom[o] = row;
  }
  for (let o = 0; o < after.graph.nodeCount; o++) {
    const size = sizeAfter[o]!;
    if (!size) continue;
    const row = rowOfAfter[classOfAfter[o]!]!;
    const pa = m.beforeOf[o]!;
    if (pa >= 0 && sizeBefore[pa]! > 0 && rowOfBefore[classOfBefore[pa]!] === row) continue;
    added[row]!++;
    addedSize[row]! += size;
    if (addedTo) addedTo[o] = row;
  }
  const classes: ClassDiff[] = [];
  rows.forEach((r, i) => {
    if (!added[i] && !removed[i]) return;
    r.added = added[i]!;
    r.removed = removed[i]!;
    r.countDelta = r.added - r.removed;
    r.addedSize = addedSize[i]!;
    r.removedSize = removedSize[i]!;
    r.sizeDelta = r.addedSize - r.removedSize;
    classes.push(r);
  });
  classes.sort((x, y) => y.sizeDelta - x.sizeDelta || y.countDelta - x.countDelta || compare(x.name, y.name) || compare(x.key, y.key));
  const diff = { classes, match: { matched: m.matched, renamed: m.renamed, stray: m.stray } };
  return { diff, rowOf: keys, rows, ...(removedFrom && { removedFrom }), ...(addedTo && { addedTo }) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
