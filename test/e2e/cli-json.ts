/**
 * The CLI's JSON documents (CONTRACT.md "JSON outputs"), as far as the dashboard tests read them.
 * The dashboard must show these numbers for the same files.
 */
import type { PathStep } from '../../src/shared/contract.js';

export interface SummaryJson {
  file: string;
  nodes: number;
  edges: number;
  totalSize: number;
  classes: { name: string; count: number; selfSize: number; retainedSize: number }[];
}

export interface DiffJson {
  classes: { name: string; added: number; removed: number; countDelta: number; addedSize: number; removedSize: number; sizeDelta: number }[];
}

export type WeakStatus = 'strong' | 'weak-only' | 'released' | 'kept' | 'new';

export interface WeakJson {
  targets: {
    id: number;
    name: string;
    internal?: boolean;
    reachability: 'strong' | 'weak-only';
    status?: 'released' | 'kept' | 'new';
    holders: { kind: string; id: number; internal?: boolean }[];
    retainerPath: PathStep[];
    cause?: string;
  }[];
  counts: Record<WeakStatus, number>;
  shells: { holderId: number; holderName: string; count: number; internal: boolean }[];
}

export interface CheckJson {
  leaks: { name: string; count: number; retainedSize: number; ids: number[]; retainerPath: PathStep[] }[];
  totalCount: number;
  totalRetainedSize: number;
  pass: boolean;
}

/** The Weak view's chips: its own count of what it shows (Node's own weak references hidden unless asked for). */
export function weakCounts(report: WeakJson, withInternal: boolean): Record<WeakStatus, number> & { shown: number } {
  const counts = { strong: 0, 'weak-only': 0, released: 0, kept: 0, new: 0, shown: 0 };
  for (const t of report.targets) {
    if (t.internal && !withInternal) continue;
    counts.shown++;
    counts[t.reachability]++;
    if (t.status) counts[t.status]++;
  }
  return counts;
}
