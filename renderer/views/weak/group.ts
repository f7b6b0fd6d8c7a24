/**
 * How the Weak references view arranges what it has fetched, the same way `heapscope weak` does
 * (src/cli/weak-text.ts): sections by holder kind and status, and inside a section one group per
 * class and path shape, largest retained size first. Pure: the view feeds it the pages loaded so far.
 */
import type { PathStep, WeakCounts, WeakShellGroupDto, WeakTargetRow } from '../../../src/shared/contract.js';
import { shapeKey } from './path.js';

export const KINDS = ['WeakRef', 'WeakMap', 'WeakSet', 'FinalizationRegistry'] as const;
export type Kind = (typeof KINDS)[number];
/** `status` with an AFTER snapshot, else the reachability. */
export type Status = 'released' | 'kept' | 'new' | 'strong' | 'weak-only';
/** Most actionable first, as the CLI orders its sections. */
export const STATUS_ORDER: readonly Status[] = ['kept', 'new', 'strong', 'weak-only', 'released'];

export interface ShapeGroup {
  /** Stable across re-groupings (expanded state is kept by it). */
  key: string;
  name: string;
  /** The shape line of the group's deepest member ('' for weak-only and released groups: no path matters there). */
  shape: string;
  cause: WeakTargetRow['cause'];
  targets: WeakTargetRow[];
  retainedSize: number;
  selfSize: number;
}

export interface Section {
  key: string;
  kind: Kind;
  status: Status;
  count: number;
  retainedSize: number;
  groups: ShapeGroup[];
}

export interface Grouped {
  sections: Section[];
  /** Targets left out because every holder is Node's own (shown with `showInternal`). */
  hidden: number;
}

export function statusOf(t: WeakTargetRow, paired: boolean): Status {
  return paired && t.status ? t.status : t.reachability;
}

/** A target with several holders goes under the program's first holder's kind (Node's own when it has only those). */
export function kindOf(t: WeakTargetRow): Kind {
  const holder = t.holders.find((h) => !h.internal) ?? t.holders[0];
  return holder?.kind ?? 'WeakRef';
}

/** Whether the group's path says anything: released targets are gone, weak-only ones have no retaining path. */
export function hasPath(status: Status, t: WeakTargetRow): boolean {
  return status !== 'released' && t.reachability === 'strong';
}

export function groupTargets(targets: readonly WeakTargetRow[], options: { paired: boolean; showInternal: boolean }): Grouped {
  const sections = new Map<string, Section>();
  const groups = new Map<string, ShapeGroup>();
  const depth = new Map<ShapeGroup, number>();
  let hidden = 0;
  for (const t of targets) {
    if (t.internal && !options.showInternal) {
      hidden++;
      continue;
    }
    const kind = kindOf(t);
    const status = statusOf(t, options.paired);
    const sectionKey = `${kind}\u0000${status}`;
    let section = sections.get(sectionKey);
    if (!section) sections.set(sectionKey, (section = { key: sectionKey, kind, status, count: 0, retainedSize: 0, groups: [] }));
    section.count++;
    section.retainedSize += t.retainedSize;
    // Same class, same cause, same path shape: one line. Without a path, the class alone. The key
    // is pathShape's (a run of one repeated step counts once, however long), not the `shape` line,
    // which tells a run of one from a longer one: a registry's cell list would split otherwise.
    const withPath = hasPath(status, t);
    const groupKey = `${sectionKey}\u0002${t.name}\u0002${t.cause ?? ''}\u0002${withPath ? shapeKey(t.retainerPath) : ''}`;
    let group = groups.get(groupKey);
    if (!group) {
      groups.set(groupKey, (group = { key: groupKey, name: t.name, shape: withPath ? t.shape : '', cause: t.cause, targets: [], retainedSize: 0, selfSize: 0 }));
      section.groups.push(group);
      depth.set(group, t.retainerPath.length);
    } else if (withPath && t.retainerPath.length > depth.get(group)!) {
      // The deepest member's line shows a run as `…` (cluster.ts picks its shape line the same way).
      group.shape = t.shape;
      depth.set(group, t.retainerPath.length);
    }
    group.targets.push(t);
    group.retainedSize += t.retainedSize;
    group.selfSize += t.selfSize;
  }
  const list = [...sections.values()].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind)
    || STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  for (const s of list) s.groups.sort((a, b) => b.retainedSize - a.retainedSize || b.targets.length - a.targets.length);
  return { sections: list, hidden };
}

/**
 * Counts of the targets shown (Node's own left out unless asked for), as the CLI's headline counts
 * what it prints; valid once every page is loaded (the engine's counts cover Node's own too).
 */
export function shownCounts(targets: readonly WeakTargetRow[], showInternal: boolean): WeakCounts & { hidden: number } {
  const counts = { strong: 0, 'weak-only': 0, released: 0, kept: 0, new: 0, hidden: 0 };
  for (const t of targets) {
    if (t.internal && !showInternal) {
      counts.hidden++;
      continue;
    }
    counts[t.reachability]++;
    if (t.status) counts[t.status]++;
  }
  return counts;
}

/** Holders of one class, reached by one path shape and holding their dead WeakRefs the same way (the CLI's shell lines). */
export interface ShellCluster {
  key: string;
  holderName: string;
  via: string;
  internal: boolean;
  /** The representative's path (the first holder's). */
  retainerPath: PathStep[];
  holders: WeakShellGroupDto[];
  count: number;
  /** Dead WeakRefs the same holders kept in the earlier snapshot; undefined without AFTER. */
  before: number | undefined;
}

export function groupShells(shells: readonly WeakShellGroupDto[], showInternal: boolean): ShellCluster[] {
  const byKey = new Map<string, ShellCluster>();
  for (const s of shells) {
    if (s.internal && !showInternal) continue;
    const key = `${s.holderName}\u0002${s.via}\u0002${s.internal}\u0002${shapeKey(s.retainerPath)}`;
    let c = byKey.get(key);
    if (!c) {
      byKey.set(key, (c = {
        key, holderName: s.holderName, via: s.via, internal: s.internal, retainerPath: s.retainerPath, holders: [], count: 0, before: undefined,
      }));
    }
    c.holders.push(s);
    c.count += s.count;
    if (s.before !== undefined) c.before = (c.before ?? 0) + s.before;
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count);
}
