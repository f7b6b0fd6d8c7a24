import type { Step } from '../paths.js';
import type { WeakKind } from './holders.js';

export type { WeakKind };
export type Reachability = 'strong' | 'weak-only';
export type WeakStatus = 'released' | 'kept' | 'new';

/**
 * Why a strongly reachable target is kept, when the weak reference machinery itself is the reason:
 * - `finalization-held-value`: its path runs through a FinalizationRegistry cell's held value
 *   (held values are strong; one that references its own target keeps it forever);
 * - `weakmap-value`: its path runs through a WeakMap entry, as the value of a key that is alive.
 */
export type WeakCause = 'finalization-held-value' | 'weakmap-value';

/** CONTRACT.md `weak --json` holder, plus additive fields. */
export interface WeakHolderDto {
  kind: WeakKind;
  id: number;
  /** WeakMap: the value kept alive through this key (absent when the value is a primitive). */
  valueId?: number;
  /** Additive. FinalizationRegistry: the registration's held value (absent when a primitive). */
  heldValueId?: number;
  /** Additive. The holder belongs to Node itself, not to the program (see owner.ts). */
  internal: boolean;
}

/** CONTRACT.md `weak --json` target, plus additive fields. */
export interface WeakTargetDto {
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  holders: WeakHolderDto[];
  reachability: Reachability;
  retainerPath: Step[];
  status?: WeakStatus;
  /** Additive. Every holder is Node's own: left out of human output unless `--all`. */
  internal: boolean;
  /** Additive. Present when the weak-reference machinery itself keeps the target (see WeakCause). */
  cause?: WeakCause;
  /**
   * Additive, `kept` only: true when no weak reference points at the object in AFTER any more
   * (the holders listed are then those of SNAPSHOT).
   */
  unheld?: boolean;
}

/** Additive: WeakRefs whose target was collected but which are still held, grouped by what holds them. */
export interface WeakShellGroupDto {
  holderId: number;
  holderName: string;
  /** Dead WeakRefs this holder keeps. */
  count: number;
  /** Path from the GC roots to the holder. */
  retainerPath: Step[];
  /** Edges from the holder to the dead WeakRefs, e.g. `.parent` or `.table[]`. */
  via: string;
  /** Up to 100 ids of the dead WeakRefs. */
  ids: number[];
  /** The holder (or every dead WeakRef in it) belongs to Node itself. */
  internal: boolean;
  /** With AFTER (the groups then describe AFTER): dead WeakRefs the same holder kept in SNAPSHOT. */
  before?: number;
}

export interface WeakCounts {
  strong: number;
  'weak-only': number;
  released: number;
  kept: number;
  new: number;
}

/** The whole `weak --json` document. */
export interface WeakReport {
  snapshot: string;
  /** null without AFTER. */
  after: string | null;
  targets: WeakTargetDto[];
  counts: WeakCounts;
  shells: WeakShellGroupDto[];
}
