import type { SnapshotMatch } from '../analysis/match.js';
import type { LoadedSnapshot } from '../analysis/snapshot.js';
import type { Response } from '../shared/contract.js';
import type { GraphLink, GraphNode } from '../shared/dto.js';
import { collectSubgraph, graphLink, graphNode, type CollectedSubgraph } from './graph-queries.js';

type Subgraph = Response<'graph.subgraph'>;

/**
 * The retainer subgraph of one object in `current`, overlaid with the subgraph of the same object
 * in `base` (an earlier snapshot of the process): a node or link in both is `kept`, one only in
 * the current graph `added`, one only in the base graph `removed` (with the base's data).
 *
 * "The same node" is the match of analysis/match.ts (`m`, base → current): same id, type and
 * name, and the even-id embedder nodes that V8 renumbers in every snapshot paired by name, so the
 * roots' `Node / …` nodes do not show up as churn. Links are the same when their ends are and their
 * edge names are. `ordinalInBase` is the object in `base` by that match, -1 when it is new (then
 * everything is `added`).
 *
 * Both subgraphs are breadth first from the object; the merged nodes are taken level by level (the
 * current graph's first within a level) up to `maxNodes`, so a cut drops the farthest retainers of
 * either side rather than all of the base's. Links stay within 4 × maxNodes, as without a base.
 */
export function overlaySubgraph(
  current: LoadedSnapshot, ordinal: number, base: LoadedSnapshot, ordinalInBase: number,
  m: SnapshotMatch, depth: number, maxNodes: number,
): Subgraph {
  const cur = collectSubgraph(current, ordinal, depth, maxNodes);
  const old: CollectedSubgraph = ordinalInBase >= 0
    ? collectSubgraph(base, ordinalInBase, depth, maxNodes)
    : { ordinals: [], levels: [], links: [], truncated: false };
  const inCur = new Set(cur.ordinals);
  const inOld = new Set(old.ordinals);

  type Candidate = { side: 'cur' | 'old'; o: number; level: number };
  const candidates: Candidate[] = cur.ordinals.map((o, i) => ({ side: 'cur', o, level: cur.levels[i]! }));
  old.ordinals.forEach((o, i) => {
    const there = m.afterOf[o]!;
    if (there < 0 || !inCur.has(there)) candidates.push({ side: 'old', o, level: old.levels[i]! });
  });
  // Array.prototype.sort is stable: within a level the current graph's nodes stay first, in BFS order.
  candidates.sort((a, b) => a.level - b.level);
  const taken = candidates.slice(0, maxNodes);
  let truncated = cur.truncated || old.truncated || candidates.length > maxNodes;

  const nodes: GraphNode[] = [];
  const curId = new Map<number, number>(); // current ordinal → id, for nodes in the answer
  const oldId = new Map<number, number>(); // base ordinal → the id it has in the answer
  for (const c of taken) {
    if (c.side !== 'cur') continue;
    const node = graphNode(current, c.o);
    const before = m.beforeOf[c.o]!;
    node.status = before >= 0 && inOld.has(before) ? 'kept' : 'added';
    nodes.push(node);
    curId.set(c.o, node.id);
    if (node.status === 'kept') oldId.set(before, node.id);
  }
  const usedIds = new Set(curId.values());
  for (const c of taken) {
    if (c.side !== 'old') continue;
    const node = graphNode(base, c.o);
    // An id the current graph already uses (an embedder node's renumbered id, or an id V8 gave a
    // different object): two nodes with one id would merge in any view keyed by id, so it goes.
    if (usedIds.has(node.id)) {
      truncated = true;
      continue;
    }
    node.status = 'removed';
    nodes.push(node);
    usedIds.add(node.id);
    oldId.set(c.o, node.id);
  }

  const key = (source: number, target: number, edge: string) => `${source} ${target} ${edge}`;
  const curLinks: { link: GraphLink; key: string }[] = [];
  const curKeys = new Set<string>();
  for (const l of cur.links) {
    const source = curId.get(l.from);
    const target = curId.get(l.to);
    if (source === undefined || target === undefined) continue;
    const k = key(source, target, current.graph.edgeNameString(l.edge));
    curLinks.push({ link: graphLink(current, l), key: k });
    curKeys.add(k);
  }
  const oldKeys = new Set<string>();
  const removedLinks: GraphLink[] = [];
  for (const l of old.links) {
    const source = oldId.get(l.from);
    const target = oldId.get(l.to);
    if (source === undefined || target === undefined) continue;
    const k = key(source, target, base.graph.edgeNameString(l.edge));
    oldKeys.add(k);
    // The base's ids are replaced by the ones the nodes have in the answer (a kept embedder node's new id).
    if (!curKeys.has(k)) removedLinks.push({ ...graphLink(base, l), source, target, status: 'removed' });
  }
  const links = curLinks.map(({ link, key: k }): GraphLink => ({ ...link, status: oldKeys.has(k) ? 'kept' : 'added' })).concat(removedLinks);
  const maxLinks = maxNodes * 4;
  if (links.length > maxLinks) {
    links.length = maxLinks;
    truncated = true;
  }
  return { nodes, links, truncated };
}
