/**
 * What the snapshot pickers of Comparison, Weak references and Leaks offer, and in which order.
 * V8 object ids are numbered per process and renumbered whenever an inspector session closes
 * (capture-session.ts), so only snapshots of one target taken in one session pair up. The pickers
 * offer those first, then the same target's other sessions, then other targets, then files; and
 * say in plain words when a pick mixes targets or sessions (the engine refuses such pairs, in terms
 * of ids and files that mean little in a dashboard).
 */
import type { SnapshotId, SnapshotMeta, TargetDto } from '../../src/shared/contract.js';
import { shortTitle } from './target-title.js';

export type PickRelation = 'session' | 'target' | 'other-target' | 'file';

export interface PickGroup {
  key: string;
  /** The optgroup's label. */
  label: string;
  relation: PickRelation;
  snapshots: SnapshotMeta[];
}

/** Oldest first; equal times keep the store's order (newest last). */
export function byCreated(snapshots: readonly SnapshotMeta[]): SnapshotMeta[] {
  return snapshots.map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.createdAt < b.s.createdAt ? -1 : a.s.createdAt > b.s.createdAt ? 1 : a.i - b.i))
    .map(({ s }) => s);
}

/** How `other` relates to `anchor`: same session, same target in another session, another target, or unknown (a file). */
export function relation(anchor: SnapshotMeta | undefined, other: SnapshotMeta): PickRelation {
  if (!anchor?.targetId || !other.targetId) return 'file';
  if (anchor.targetId !== other.targetId) return 'other-target';
  return anchor.sessionId !== undefined && anchor.sessionId === other.sessionId ? 'session' : 'target';
}

/** A target's name for labels: its title, and its kind when the host knows it. */
export function targetLabel(targetId: string | undefined, title: string | undefined, targets: readonly TargetDto[]): string {
  const t = targets.find((x) => x.targetId === targetId);
  const name = clip(shortTitle(t?.title ?? title ?? 'an earlier target'), 40);
  return t ? `${name} (${t.kind})` : name;
}

/**
 * Every snapshot but those in `exclude`, grouped for a picker anchored on `anchorId` (the current
 * snapshot): its session, its target's other sessions, each other target, files. Groups in that
 * order, each oldest first; empty groups left out. Without an anchor (or a file as anchor) the
 * files come first, then the targets: nothing says which pair up.
 */
export function pickerGroups(
  snapshots: readonly SnapshotMeta[],
  anchorId: SnapshotId | undefined,
  targets: readonly TargetDto[],
  exclude: readonly (SnapshotId | undefined)[] = [anchorId],
): PickGroup[] {
  const anchor = snapshots.find((s) => s.snapshotId === anchorId);
  const list = byCreated(snapshots).filter((s) => !exclude.includes(s.snapshotId));
  const groups = new Map<string, PickGroup>();
  const add = (key: string, label: string, rel: PickRelation, s: SnapshotMeta) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, relation: rel, snapshots: [] }));
    g.snapshots.push(s);
  };
  const anchorName = anchor?.targetId ? targetLabel(anchor.targetId, anchor.targetTitle, targets) : '';
  for (const s of list) {
    const rel = relation(anchor, s);
    if (rel === 'session') add('session', `Same session, comparable: ${anchorName}`, rel, s);
    else if (rel === 'target') add('target', `Other sessions of ${anchorName} (ids renumbered: not comparable)`, rel, s);
    else if (rel === 'other-target') add(`target:${s.targetId}`, `Other target: ${targetLabel(s.targetId, s.targetTitle, targets)} (not comparable)`, rel, s);
    else if (s.targetId) add(`target:${s.targetId}`, `Target ${targetLabel(s.targetId, s.targetTitle, targets)}`, rel, s);
    else add(`source:${s.source}`, s.source === 'import' ? 'Imported files' : 'Opened files', rel, s);
  }
  const rank = (g: PickGroup): number => {
    if (g.relation === 'session') return 0;
    if (g.relation === 'target') return 1;
    // A file as anchor: other files may be of its session, nothing says otherwise; targets after.
    if (!anchor?.targetId) return g.key.startsWith('source:') ? 2 : 3;
    return g.relation === 'other-target' ? 2 : 3;
  };
  return [...groups.values()].map((g, i) => ({ g, i })).sort((a, b) => rank(a.g) - rank(b.g) || a.i - b.i).map(({ g }) => g);
}

/** The picker's groups flattened: the order a person scanning the list meets them. */
export function pickerOrder(groups: readonly PickGroup[]): SnapshotId[] {
  return groups.flatMap((g) => g.snapshots.map((s) => s.snapshotId));
}

/**
 * Why two snapshots cannot be compared, in the dashboard's own words, when the metadata already
 * shows it: of two targets, or of one target in two inspector sessions. Undefined when they may
 * pair (same session) or nothing is known (files): then the engine judges from the ids.
 */
export function pairProblem(a: SnapshotMeta | undefined, b: SnapshotMeta | undefined, targets: readonly TargetDto[]): string | undefined {
  if (!a || !b || a.snapshotId === b.snapshotId) return undefined;
  const rel = relation(a, b);
  if (rel === 'other-target') {
    return `“${clip(a.name, 50)}” is a snapshot of ${targetLabel(a.targetId, a.targetTitle, targets)} and “${clip(b.name, 50)}” of `
      + `${targetLabel(b.targetId, b.targetTitle, targets)}: two targets (two processes or threads) number their objects independently, `
      + 'so their snapshots cannot be compared. Pick snapshots of one target, taken in one session.';
  }
  if (rel === 'target') {
    return `“${clip(a.name, 50)}” and “${clip(b.name, 50)}” are both of ${targetLabel(a.targetId, a.targetTitle, targets)}, but from different `
      + 'inspector sessions (the dashboard reconnected or reattached in between): V8 renumbered the objects, so ids do not match. '
      + 'Pick snapshots of one session.';
  }
  return undefined;
}

/** pairProblem over the Leaks view's three picks: the first pair (baseline first) that mixes. */
export function tripleMix(picks: readonly (SnapshotMeta | undefined)[], targets: readonly TargetDto[]): string | undefined {
  for (let i = 0; i < picks.length; i++) {
    for (let j = i + 1; j < picks.length; j++) {
      const problem = pairProblem(picks[i], picks[j], targets);
      if (problem) return problem;
    }
  }
  return undefined;
}

function clip(text: string, max: number): string {
  const one = text.replace(/[\r\n\t]+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
