/**
 * Seed positions: a layered picture computed in O(nodes + links), good enough to be the first
 * frame (FACTS §4: 2,000 nodes × 120 force ticks take ~2 s, far too long to show nothing). The force
 * simulation only refines it.
 *
 * A graph seen for the first time is laid out in rows by layer, each row ordered by the spanning
 * tree's preorder, very wide layers wrapped onto several rows, the selected object at (0, 0). When
 * the view already shows some of the nodes (the graph grew, or a neighbour was re-centred), those
 * keep their positions exactly, so the picture on screen stays where the eye left it; each new node
 * is put next to the node through which the walk reached it, or, when most nodes are new, in the
 * fresh rows lined up with the old picture.
 */
import { assignLayers, preorder, spanningTree } from './layers.js';
import type { LayoutInput } from './protocol.js';

export const GEOMETRY = {
  /** Vertical distance between two layers. */
  layerGap: 90,
  /** Vertical distance between the wrapped rows of one wide layer. */
  rowGap: 28,
  /** Horizontal distance between neighbours in a row. */
  nodeGap: 26,
} as const;

export interface Seed {
  /** `[x0, y0, …]` in node order. */
  xy: Float32Array;
  /** Where the forces pull each node back to: the seed row (so layers stay rows) and column. */
  targetX: Float32Array;
  targetY: Float32Array;
  layers: Int32Array;
  /** Nodes whose position came from `input.previous`. */
  reused: number;
}

export function seedLayout(input: LayoutInput): Seed {
  const n = input.nodes.length;
  const tree = spanningTree(n, input.links, input.focus);
  const layers = assignLayers(input.nodes.map((d) => d.distance), tree.hops);
  const xy = new Float32Array(2 * n);
  const placed = new Uint8Array(n);
  let reused = 0;
  if (input.previous && n > 0) {
    const at = new Map<number, number>();
    input.previous.ids.forEach((id, k) => at.set(id, k));
    for (let i = 0; i < n; i++) {
      const k = at.get(input.nodes[i]!.id);
      if (k === undefined) continue;
      xy[2 * i] = input.previous.xy[2 * k]!;
      xy[2 * i + 1] = input.previous.xy[2 * k + 1]!;
      placed[i] = 1;
      reused++;
    }
  }
  const fresh = freshRows(n, layers, tree.parent, tree.order, input.focus);
  if (reused === 0) xy.set(fresh);
  else if (n - reused > reused) placeByFreshRows(xy, placed, fresh, input.focus);
  else placeAroundAnchors(xy, placed, fresh, layers, tree.parent, tree.order, input.links);
  return { xy, targetX: everyOther(xy, 0), targetY: everyOther(xy, 1), layers, reused };
}

function everyOther(xy: Float32Array, offset: number): Float32Array {
  const out = new Float32Array(xy.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = xy[2 * i + offset]!;
  return out;
}

/** A row of at most this many nodes counts as thin (see the gap in freshRows). */
const CHAIN_ROW = 2;

/** Rows by layer, top (roots) to bottom, the focus moved to the origin. */
export function freshRows(n: number, layers: Int32Array, parent: Int32Array, order: Int32Array, focus: number): Float32Array {
  const xy = new Float32Array(2 * n);
  if (n === 0) return xy;
  const rank = preorder(parent, order);
  const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => layers[a]! - layers[b]! || rank[a]! - rank[b]!);
  // The focus is the spanning tree's root, so preorder puts it first in its row: move it to the
  // middle, where the eye (and the view, centred on it) expects it.
  const from = sorted.indexOf(focus);
  let lo = from;
  let hi = from;
  while (lo > 0 && layers[sorted[lo - 1]!] === layers[focus]) lo--;
  while (hi + 1 < n && layers[sorted[hi + 1]!] === layers[focus]) hi++;
  sorted.splice(from, 1);
  sorted.splice(lo + Math.floor((hi - lo) / 2), 0, focus);
  // Wrap so a 1,500-node layer is a block, not a line fifty screens wide.
  const perRow = Math.max(16, Math.ceil(Math.sqrt(n) * 1.6));
  let top = 0;
  let previousCount = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end < n && layers[sorted[end]!] === layers[sorted[start]!]) end++;
    const count = end - start;
    // Between two thin rows (a chain: a linked list holding the object, thirty hops long) a full
    // layer gap would stretch the picture into a pole; half of it keeps the chain readable.
    if (start > 0) top += count <= CHAIN_ROW && previousCount <= CHAIN_ROW ? GEOMETRY.layerGap / 2 : GEOMETRY.layerGap;
    previousCount = count;
    for (let p = 0; p < count; p++) {
      const row = Math.floor(p / perRow);
      const rowLength = Math.min(perRow, count - row * perRow);
      // Alternate rows shifted half a gap so links from the row below do not run through nodes.
      const shift = row % 2 === 1 ? GEOMETRY.nodeGap / 2 : 0;
      const i = sorted[start + p]!;
      xy[2 * i] = ((p % perRow) - (rowLength - 1) / 2) * GEOMETRY.nodeGap + shift;
      xy[2 * i + 1] = top + row * GEOMETRY.rowGap;
    }
    top += (Math.ceil(count / perRow) - 1) * GEOMETRY.rowGap;
    start = end;
  }
  const fx = xy[2 * focus]!;
  const fy = xy[2 * focus + 1]!;
  for (let i = 0; i < n; i++) {
    xy[2 * i] -= fx;
    xy[2 * i + 1] -= fy;
  }
  return xy;
}

/**
 * Most nodes are new (the graph more than doubled): they take their places in the fresh rows,
 * shifted so the fresh picture lines up with the shown one at the focus (or, when the focus is
 * new too, on average over the known nodes). Fanning hundreds of new nodes out around a few
 * anchors would string them along a line screens wide.
 */
function placeByFreshRows(xy: Float32Array, placed: Uint8Array, fresh: Float32Array, focus: number): void {
  let dx = 0;
  let dy = 0;
  if (placed[focus]) {
    dx = xy[2 * focus]! - fresh[2 * focus]!;
    dy = xy[2 * focus + 1]! - fresh[2 * focus + 1]!;
  } else {
    let count = 0;
    for (let i = 0; i < placed.length; i++) {
      if (!placed[i]) continue;
      dx += xy[2 * i]! - fresh[2 * i]!;
      dy += xy[2 * i + 1]! - fresh[2 * i + 1]!;
      count++;
    }
    dx /= count;
    dy /= count;
  }
  for (let i = 0; i < placed.length; i++) {
    if (placed[i]) continue;
    xy[2 * i] = fresh[2 * i]! + dx;
    xy[2 * i + 1] = fresh[2 * i + 1]! + dy;
  }
}

/** New nodes fanned around one anchor per row before the fan wraps onto the next row. */
const FAN_WIDTH = 12;

/**
 * New nodes next to their spanning-tree parent (the node the walk reached them from), fanned out
 * left and right of it, one layer gap per layer of difference. Visiting order guarantees the parent
 * is placed first. Nodes with no placed parent take the mean of their placed neighbours, or else
 * their fresh-row position.
 */
function placeAroundAnchors(
  xy: Float32Array, placed: Uint8Array, fresh: Float32Array, layers: Int32Array,
  parent: Int32Array, order: Int32Array, links: Uint32Array,
): void {
  const fanned = new Map<number, number>();
  for (const v of order) {
    if (placed[v]) continue;
    const a = parent[v]!;
    if (a >= 0 && placed[a]) {
      const k = fanned.get(a) ?? 0;
      fanned.set(a, k + 1);
      // 0, +1, -1, +2, -2, … gaps from the anchor, FAN_WIDTH to a row, further rows farther away.
      const column = k % FAN_WIDTH;
      const row = Math.floor(k / FAN_WIDTH);
      const offset = column === 0 ? 0 : (column % 2 === 1 ? 1 : -1) * Math.ceil(column / 2);
      const dy = layers[v]! - layers[a]!;
      const away = dy < 0 ? -1 : 1;
      xy[2 * v] = xy[2 * a]! + offset * GEOMETRY.nodeGap;
      xy[2 * v + 1] = xy[2 * a + 1]! + (dy === 0 ? GEOMETRY.rowGap : dy * GEOMETRY.layerGap) + away * row * GEOMETRY.rowGap;
    } else {
      const mean = placedNeighbourMean(v, xy, placed, links);
      xy[2 * v] = mean ? mean[0] : fresh[2 * v]!;
      xy[2 * v + 1] = mean ? mean[1] + GEOMETRY.rowGap : fresh[2 * v + 1]!;
    }
    placed[v] = 1;
  }
}

function placedNeighbourMean(v: number, xy: Float32Array, placed: Uint8Array, links: Uint32Array): [number, number] | undefined {
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let k = 0; k < links.length; k += 2) {
    const other = links[k] === v ? links[k + 1]! : links[k + 1] === v ? links[k]! : -1;
    if (other < 0 || !placed[other]) continue;
    sx += xy[2 * other]!;
    sy += xy[2 * other + 1]!;
    count++;
  }
  return count > 0 ? [sx / count, sy / count] : undefined;
}
