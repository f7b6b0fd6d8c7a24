/**
 * The retention graph's layout: a pure function of (nodes, links, previous positions). The seed
 * (seed.ts) is the first frame; a d3-force simulation then refines it a bounded number of ticks,
 * pulled back toward the seed rows so the picture stays layered (roots on top) while overlaps
 * and crossings relax. d3-force's random source is a fixed LCG, so equal input gives equal output.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3';
import type { Simulation, SimulationLinkDatum, SimulationNodeDatum } from 'd3';
import { checkLayoutInput, type LayoutInput } from './protocol.js';
import { GEOMETRY, seedLayout } from './seed.js';

interface SimNode extends SimulationNodeDatum {
  index: number;
  radius: number;
}

/**
 * Ticks the simulation runs: fewer for big graphs (FACTS §4: ~17 ms per tick at 2,000 nodes on one
 * core; measured here 15–35 ms with charge and collision). The seed is already a readable picture,
 * so the last ticks of a long run would buy little.
 */
export function ticksFor(nodeCount: number): number {
  if (nodeCount <= 300) return 200;
  if (nodeCount <= 1000) return 100;
  return 60;
}

/**
 * Barnes–Hut accuracy of the repulsion: d3's default 0.9 for small graphs; 1.5 above 300 nodes
 * halves the cost of the most expensive force (measured at 2,000 nodes: 27 → 11 ms a tick).
 */
export function thetaFor(nodeCount: number): number {
  return nodeCount <= 300 ? 0.9 : 1.5;
}

const ALPHA_MIN = 0.001;

export interface LayoutJob {
  /** Current positions, `[x0, y0, …]` in node order; updated in place by `tick`. */
  readonly xy: Float32Array;
  readonly totalTicks: number;
  /** Ticks run so far. */
  readonly ticks: number;
  readonly done: boolean;
  /** Runs up to `count` more ticks; returns true when the layout has settled. */
  tick(count?: number): boolean;
}

export function createLayoutJob(input: LayoutInput): LayoutJob {
  checkLayoutInput(input);
  const n = input.nodes.length;
  const seed = seedLayout(input);
  const xy = seed.xy.slice();
  const nodes: SimNode[] = input.nodes.map((d, i) => ({ index: i, radius: d.radius, x: xy[2 * i], y: xy[2 * i + 1] }));
  // The selected object stays where the seed put it: the view centres on it, and after a click
  // to re-centre it is the node the eye follows.
  if (n > 0) {
    nodes[input.focus]!.fx = xy[2 * input.focus];
    nodes[input.focus]!.fy = xy[2 * input.focus + 1];
  }
  interface SimLink extends SimulationLinkDatum<SimNode> {
    length: number;
    strength: number;
  }
  const links: SimLink[] = [];
  for (let k = 0; k < input.links.length; k += 2) {
    const a = input.links[k]!;
    const b = input.links[k + 1]!;
    if (a === b) continue;
    // A link wants the length it has in the seed, so the refinement relaxes the seed rather than
    // folding it. Links that skip layers (a cycle back toward the roots, a far retainer) pull
    // weakly, or they would drag a whole row out of its place.
    const span = Math.abs(seed.layers[a]! - seed.layers[b]!);
    const length = Math.hypot(xy[2 * a]! - xy[2 * b]!, xy[2 * a + 1]! - xy[2 * b + 1]!);
    links.push({ source: a, target: b, length: Math.min(Math.max(length, 30), 4 * GEOMETRY.layerGap), strength: span <= 1 ? 0.15 : 0.02 });
  }
  const totalTicks = n <= 1 ? 0 : ticksFor(n);
  // Mostly known nodes: a gentle nudge, or the part the user was looking at would jump.
  const alpha = seed.reused >= 0.8 * n ? 0.2 : 0.5;
  const sim: Simulation<SimNode, undefined> = forceSimulation(nodes)
    .stop()
    .alpha(alpha)
    .alphaMin(ALPHA_MIN)
    .alphaDecay(totalTicks > 0 ? 1 - Math.pow(ALPHA_MIN / alpha, 1 / totalTicks) : 1)
    .force('link', forceLink<SimNode, SimLink>(links).distance((l) => l.length).strength((l) => l.strength))
    .force('charge', forceManyBody<SimNode>().strength(-40).distanceMax(GEOMETRY.layerGap * 3).theta(thetaFor(n)))
    .force('collide', forceCollide<SimNode>((d) => d.radius + 3).strength(0.7))
    .force('x', forceX<SimNode>((d) => seed.targetX[d.index]!).strength(0.03))
    .force('y', forceY<SimNode>((d) => seed.targetY[d.index]!).strength(0.4));
  let ticks = 0;
  const write = () => {
    for (let i = 0; i < n; i++) {
      xy[2 * i] = nodes[i]!.x!;
      xy[2 * i + 1] = nodes[i]!.y!;
    }
  };
  return {
    xy,
    totalTicks,
    get ticks() {
      return ticks;
    },
    get done() {
      return ticks >= totalTicks;
    },
    tick(count = 1) {
      const run = Math.min(count, totalTicks - ticks);
      if (run > 0) {
        sim.tick(run);
        ticks += run;
        write();
      }
      return ticks >= totalTicks;
    },
  };
}

/** Positions by node id, the form the view keeps between graphs (LayoutInput.previous). */
export function positionsById(ids: ArrayLike<number>, xy: Float32Array): { ids: Float64Array; xy: Float32Array } {
  return { ids: Float64Array.from(ids), xy: xy.slice(0, ids.length * 2) };
}
