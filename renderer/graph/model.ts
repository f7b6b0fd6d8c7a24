/**
 * From a `graph.subgraph` answer to what the view draws and the worker lays out: nodes and links
 * by index, each link's kind (strong, weak, WeakMap ephemeron), radii by retained size, and the
 * labels cut short (heap strings are hostile and unbounded; they are only ever drawn as text).
 */
import type { GraphLink, GraphNode, OverlayStatus } from '../../src/shared/contract.js';
import { cut } from '../lib/format.js';
import type { LayoutInput } from './protocol.js';

export type EdgeKind = 'strong' | 'weak' | 'ephemeron';

/** Characters of a class name shown next to a node. */
export const LABEL_MAX = 80;

export interface ViewNode {
  index: number;
  id: number;
  name: string;
  /** `name` cut to LABEL_MAX characters on one line. */
  label: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  distance: number;
  status: OverlayStatus | undefined;
  radius: number;
  /** A DOM node no longer in any document: the engine names its class `Detached <tag>` (DevTools' naming). */
  detached: boolean;
}

export interface ViewLink {
  source: number;
  target: number;
  kind: EdgeKind;
  edge: string;
  edgeType: string;
  status: OverlayStatus | undefined;
}

export interface GraphModel {
  nodes: ViewNode[];
  links: ViewLink[];
  /** Index of the selected object (-1 when the answer does not contain it). */
  focus: number;
  /** Links as flat index pairs, for the worker. */
  pairs: Uint32Array;
  truncated: boolean;
  /** Links naming a node id the answer does not contain; dropped. */
  dangling: number;
}

/**
 * A WeakMap's ephemeron edge (key or table to value) gets its own kind whatever its retaining
 * flag says: the key's edge retains and the table's does not (DevTools drops the table side), and
 * both are what the legend calls "WeakMap ephemeron".
 */
export function edgeKind(link: Pick<GraphLink, 'retaining' | 'ephemeron'>): EdgeKind {
  if (link.ephemeron) return 'ephemeron';
  return link.retaining ? 'strong' : 'weak';
}

/** Detached DOM as GraphNode names it: the class name the Summary shows (`Detached <div>`, `Detached Text`). */
export function isDetachedName(name: string): boolean {
  return name.startsWith('Detached ');
}

/** Radius 4..12 by the square root of retained size, so area tracks bytes. */
export function radiusFor(retainedSize: number, maxRetained: number): number {
  if (!(maxRetained > 0) || !(retainedSize > 0)) return 4;
  return 4 + 8 * Math.sqrt(Math.min(1, retainedSize / maxRetained));
}

export function buildModel(answer: { nodes: GraphNode[]; links: GraphLink[]; truncated: boolean }, focusId: number): GraphModel {
  const byId = new Map<number, number>();
  let maxRetained = 0;
  for (const n of answer.nodes) maxRetained = Math.max(maxRetained, n.retainedSize);
  const nodes: ViewNode[] = [];
  for (const n of answer.nodes) {
    if (byId.has(n.id)) continue;
    byId.set(n.id, nodes.length);
    nodes.push({
      index: nodes.length, id: n.id, name: n.name, label: cut(n.name, LABEL_MAX).text, type: n.type,
      selfSize: n.selfSize, retainedSize: n.retainedSize, distance: n.distance, status: n.status,
      radius: radiusFor(n.retainedSize, maxRetained), detached: isDetachedName(n.name),
    });
  }
  const links: ViewLink[] = [];
  let dangling = 0;
  for (const l of answer.links) {
    const source = byId.get(l.source);
    const target = byId.get(l.target);
    if (source === undefined || target === undefined) {
      dangling++;
      continue;
    }
    links.push({ source, target, kind: edgeKind(l), edge: l.edge, edgeType: l.edgeType, status: l.status });
  }
  const pairs = new Uint32Array(links.length * 2);
  links.forEach((l, k) => {
    pairs[2 * k] = l.source;
    pairs[2 * k + 1] = l.target;
  });
  return { nodes, links, focus: byId.get(focusId) ?? -1, pairs, truncated: answer.truncated, dangling };
}

/** The worker's input for a model, with the positions the view shows now. */
export function layoutInput(model: GraphModel, previous?: LayoutInput['previous']): LayoutInput {
  return {
    nodes: model.nodes.map((n) => ({ id: n.id, distance: n.distance, radius: n.radius })),
    links: model.pairs,
    focus: Math.max(0, model.focus),
    ...(previous ? { previous } : {}),
  };
}

/**
 * The node under a point (layout coordinates): the nearest whose circle, grown by `slack`,
 * contains it; -1 when none. A linear scan: 2,000 nodes cost microseconds per pointer move.
 */
export function nodeAt(nodes: readonly ViewNode[], xy: Float32Array, x: number, y: number, slack = 3): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < nodes.length; i++) {
    const dx = xy[2 * i]! - x;
    const dy = xy[2 * i + 1]! - y;
    const d = dx * dx + dy * dy;
    const r = nodes[i]!.radius + slack;
    if (d <= r * r && d < bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}
