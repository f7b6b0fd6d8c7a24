import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { Channel, Request, Response } from '../../src/shared/contract.js';
import { positionsById } from '../../renderer/graph/layout.js';
import { buildModel, layoutInput, type GraphModel } from '../../renderer/graph/model.js';
import type { LayoutFrameMessage, LayoutInput } from '../../renderer/graph/protocol.js';
import { seedLayout } from '../../renderer/graph/seed.js';
import { linkStyle, nodeStyle, STATUS_COLORS } from '../../renderer/graph/style.js';
import { createLayoutHandler } from '../../renderer/graph/worker-handler.js';

// The engine in-process on the committed listener-leak snapshots (one session: ids comparable):
// real `graph.subgraph` answers, laid out by the worker's handler as the view does.
const fixtures = path.resolve('fixtures/snapshots');
const engine = new Engine();
const call = async <C extends Channel>(channel: C, request: Request<C>) => (await engine.handle(channel, request, () => {})) as Response<C>;

let target: string;
let baseline: string;
let widget: number;
let emitter: number;

/** The first instance of a class (by name) in a snapshot. */
async function instanceOf(snapshotId: string, name: string): Promise<number> {
  const classes = await call('summary.range', { snapshotId, start: 0, end: 1000, filter: name });
  const row = classes.rows.find((r) => r.name === name);
  expect(row, `class ${name}`).toBeDefined();
  const instances = await call('class.instances', { snapshotId, classKey: row!.key, start: 0, end: 1 });
  return instances.rows[0]!.id;
}

/** Runs a layout to the end through the worker handler; returns the first and last frames. */
function runLayout(input: LayoutInput): { first: LayoutFrameMessage; last: LayoutFrameMessage } {
  const frames: LayoutFrameMessage[] = [];
  const queue: (() => void)[] = [];
  const handle = createLayoutHandler({
    post: (m) => {
      if (m.type === 'error') throw new Error(m.message);
      frames.push(m);
    },
    schedule: (fn) => queue.push(fn),
    now: () => performance.now(),
  });
  handle({ type: 'layout', requestId: 1, ...input });
  while (queue.length > 0) queue.shift()!();
  return { first: frames[0]!, last: frames.at(-1)! };
}

function meanYByDistance(model: GraphModel, xy: Float32Array): [number, number][] {
  const sums = new Map<number, [number, number]>();
  model.nodes.forEach((n, i) => {
    if (n.distance < 0) return;
    const s = sums.get(n.distance) ?? [0, 0];
    s[0] += xy[2 * i + 1]!;
    s[1]++;
    sums.set(n.distance, s);
  });
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([d, [sum, count]]) => [d, sum / count]);
}

beforeAll(async () => {
  [target, baseline] = await Promise.all(
    ['listener-leak-target', 'listener-leak-baseline'].map(async (f) => (await call('snapshot.load', { path: path.join(fixtures, `${f}.heapsnapshot.gz`) })).snapshotId),
  ) as [string, string];
  widget = await instanceOf(target, 'Widget');
  emitter = await instanceOf(target, 'EventEmitter');
});

describe('retention graph on a real snapshot', () => {
  it('lays out the leaked Widget\'s retainers in rows by distance, the roots on top', async () => {
    const answer = await call('graph.subgraph', { snapshotId: target, id: widget, depth: 20, maxNodes: 300 });
    const model = buildModel(answer, widget);
    expect(model.focus).toBe(0);
    expect(model.dangling).toBe(0);
    expect(model.nodes.length).toBeGreaterThan(5);
    expect(model.links.some((l) => l.kind === 'strong')).toBe(true);
    const { first, last } = runLayout(layoutInput(model));
    expect(first.tick).toBe(0);
    expect(last.done).toBe(true);
    expect([first.xy[0], first.xy[1]]).toEqual([0, 0]);
    for (const frame of [first, last]) {
      const rows = meanYByDistance(model, frame.xy);
      expect(rows.length).toBeGreaterThan(3);
      for (let k = 1; k < rows.length; k++) expect(rows[k]![1], `row of distance ${rows[k]![0]}`).toBeGreaterThan(rows[k - 1]![1]);
    }
    // In the seed, everything closer to the roots than the Widget is above it. (Its retainers
    // include objects farther from the roots: the closures of its own listener hold it too.)
    const focus = model.nodes[model.focus]!;
    expect(model.nodes.some((n) => n.distance > focus.distance)).toBe(true);
    model.nodes.forEach((n, i) => {
      if (n.distance >= 0 && n.distance < focus.distance) expect(first.xy[2 * i + 1]).toBeLessThan(first.xy[2 * model.focus + 1]!);
      if (n.distance > focus.distance) expect(first.xy[2 * i + 1]).toBeGreaterThan(first.xy[2 * model.focus + 1]!);
    });
  });

  it('keeps every node of a shallow graph where it was when the depth grows', async () => {
    const small = buildModel(await call('graph.subgraph', { snapshotId: target, id: widget, depth: 2, maxNodes: 300 }), widget);
    const before = runLayout(layoutInput(small)).last;
    const previous = positionsById(small.nodes.map((n) => n.id), before.xy);
    const grown = buildModel(await call('graph.subgraph', { snapshotId: target, id: widget, depth: 8, maxNodes: 300 }), widget);
    expect(grown.nodes.length).toBeGreaterThan(small.nodes.length);
    const seed = seedLayout(layoutInput(grown, previous));
    expect(seed.reused).toBe(small.nodes.length);
    const first = runLayout(layoutInput(grown, previous)).first;
    const at = new Map(small.nodes.map((n, k) => [n.id, k]));
    grown.nodes.forEach((n, i) => {
      const k = at.get(n.id);
      if (k !== undefined) expect([first.xy[2 * i], first.xy[2 * i + 1]]).toEqual([before.xy[2 * k], before.xy[2 * k + 1]]);
    });
  });

  it('colours the before/after overlay from the statuses the engine gives', async () => {
    const answer = await call('graph.subgraph', { snapshotId: target, id: emitter, depth: 4, maxNodes: 300, baseId: baseline });
    const model = buildModel(answer, emitter);
    expect(model.dangling).toBe(0);
    expect(model.nodes.every((n) => n.status !== undefined)).toBe(true);
    expect(model.links.every((l) => l.status !== undefined)).toBe(true);
    const statuses = new Set(model.nodes.map((n) => n.status));
    expect(statuses.has('kept')).toBe(true);
    for (const n of model.nodes) {
      const style = nodeStyle(n, false);
      if (n.status === 'removed') expect(style.stroke).toBe(STATUS_COLORS.removed.color);
      else expect(style.fill).toBe(STATUS_COLORS[n.status!].color);
    }
    for (const l of model.links) expect(linkStyle(l.kind, l.status).stroke).toBe(STATUS_COLORS[l.status!].color);
    const { last } = runLayout(layoutInput(model));
    expect(last.xy.every(Number.isFinite)).toBe(true);
  });
});
