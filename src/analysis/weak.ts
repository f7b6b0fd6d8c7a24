/**
 * Weak-reference analysis: which objects WeakRef, WeakMap, WeakSet and FinalizationRegistry really
 * release, and what keeps the rest alive. The parts live in ./weak/ (holders by shape, WeakMap
 * tables, the program's references told from Node's, the report with statuses).
 */
export { weakReport } from './weak/report.js';
export { SnapshotWeakRefs, type ShellGroup } from './weak/analyze.js';
export { scanWeakReferences, WEAK_KINDS, type WeakKind, type WeakLink, type WeakScan } from './weak/holders.js';
export { edgeShape } from './weak/shape.js';
export type {
  Reachability, WeakCause, WeakCounts, WeakHolderDto, WeakReport, WeakShellGroupDto, WeakStatus, WeakTargetDto,
} from './weak/types.js';
