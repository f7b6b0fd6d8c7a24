import type { ClassChanges } from '../analysis/diff.js';
import type { LoadedSnapshot } from '../analysis/snapshot.js';
import type { InstanceRow, Page } from '../shared/dto.js';
import { LIMITS } from '../shared/schemas.js';
import { cut } from './graph-queries.js';

/** One object as the instance lists show it. */
export function instanceRow(s: LoadedSnapshot, o: number): InstanceRow {
  return { id: s.graph.nodeId[o]!, name: cut(s.graph.nodeNameString(o)), selfSize: s.selfSize[o]!, retainedSize: s.retainedSize(o), distance: s.paths.distance[o]! };
}

/** One page of a list of ordinals, as rows. */
export function instancePage(s: LoadedSnapshot, list: Uint32Array, start: number, end: number): Page<InstanceRow> {
  const to = Math.min(end, start + LIMITS.maxPage, list.length);
  const rows: InstanceRow[] = [];
  for (let i = start; i < to; i++) rows.push(instanceRow(s, list[i]!));
  return { total: list.length, start, rows };
}

/** The ordinals where `pick` holds, largest retained size first (ties by id): two passes, one typed array. */
function collectSorted(s: LoadedSnapshot, pick: (o: number) => boolean): Uint32Array {
  const n = s.graph.nodeCount;
  let count = 0;
  for (let o = 0; o < n; o++) if (pick(o)) count++;
  const list = new Uint32Array(count);
  count = 0;
  for (let o = 0; o < n; o++) if (pick(o)) list[count++] = o;
  const retained = s.dominators.retainedSize;
  const ids = s.graph.nodeId;
  return list.sort((a, b) => retained[b]! - retained[a]! || ids[a]! - ids[b]!);
}

/** Ordinals of the class's counted objects (adjusted size > 0, as in the Summary). */
export function instancesOf(s: LoadedSnapshot, c: number): Uint32Array {
  const { classOf } = s.classes;
  const self = s.selfSize;
  return collectSorted(s, (o) => classOf[o] === c && self[o]! > 0);
}

/**
 * Ordinals of the objects that make up one Comparison row: those `added` to AFTER (ordinals of
 * AFTER) or `removed` from BEFORE (ordinals of BEFORE), exactly the ones diff.ts counted.
 * `changes` must have been computed with `perObject`.
 */
export function changedInstances(changes: ClassChanges, row: number, kind: 'added' | 'removed', s: LoadedSnapshot): Uint32Array {
  const of = kind === 'added' ? changes.addedTo : changes.removedFrom;
  if (!of) throw new Error('classChanges was computed without perObject');
  return collectSorted(s, (o) => of[o] === row);
}
