import type { EngineUiChannel, UiRequest } from '../../shared/contract.js';

type StoreIdField = 'snapshotId' | 'afterId' | 'beforeId' | 'baseId' | 'baselineId' | 'targetId' | 'finalId';

/**
 * The request fields of each engine channel that hold a snapshot id: the dashboard sends store ids
 * there, the host swaps in engine ids. Typed per channel, so a channel added to the contract does
 * not compile until it is listed here (and `targetId` is a snapshot only in leaks.report; elsewhere
 * in the session API it names an inspector target).
 */
export const SNAPSHOT_ID_FIELDS: { [C in EngineUiChannel]: readonly Extract<keyof UiRequest<C>, StoreIdField>[] } = {
  'summary.range': ['snapshotId'],
  'class.instances': ['snapshotId'],
  'node.retainers': ['snapshotId'],
  'node.path': ['snapshotId'],
  'graph.subgraph': ['snapshotId', 'baseId'],
  'dominators.tree': ['snapshotId'],
  'diff.instances': ['beforeId', 'afterId'],
  'leaks.report': ['baselineId', 'targetId', 'finalId'],
  'diff.classes': ['beforeId', 'afterId'],
  'weak.report': ['snapshotId', 'afterId'],
};
