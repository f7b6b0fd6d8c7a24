import { describe, expect, it } from 'vitest';
import { createLayoutJob } from '../../renderer/graph/layout.js';
import type { LayoutErrorMessage, LayoutFrameMessage, LayoutInMessage, LayoutOutMessage } from '../../renderer/graph/protocol.js';
import { createLayoutHandler } from '../../renderer/graph/worker-handler.js';
import { retentionGraph } from './graph-fixture.js';

/**
 * The worker's message handler run as a plain function: `post` records what the worker would send,
 * `schedule` queues what it would run on a later turn (the test runs the queue), `now` is a clock
 * that advances 1 ms per reading, so slices are deterministic.
 */
function harness(sliceMs = 8) {
  const posted: { message: LayoutOutMessage; transfer: ArrayBuffer[] }[] = [];
  const queue: (() => void)[] = [];
  let clock = 0;
  const handle = createLayoutHandler({
    post: (message, transfer) => posted.push({ message, transfer }),
    schedule: (fn) => queue.push(fn),
    now: () => clock++,
    sliceMs,
  });
  const runQueue = (max = Infinity) => {
    let turns = 0;
    while (queue.length > 0 && turns++ < max) queue.shift()!();
  };
  const frames = (requestId?: number) =>
    posted.map((p) => p.message).filter((m): m is LayoutFrameMessage => m.type === 'frame' && (requestId === undefined || m.requestId === requestId));
  return { handle: (m: LayoutInMessage) => handle(m), posted, queue, runQueue, frames };
}

const graph = retentionGraph({ levels: 6, fanOut: 3, maxNodes: 400, crossLinks: 40, weak: 5 });

describe('layout worker handler', () => {
  it('posts the seeded first frame before any simulation tick, then streams frames until settled', () => {
    const h = harness();
    h.handle({ type: 'layout', requestId: 1, ...graph });
    // Synchronously, before the worker yields once: the seed.
    expect(h.frames()).toHaveLength(1);
    const first = h.frames()[0]!;
    expect(first).toMatchObject({ requestId: 1, tick: 0, done: false });
    expect(first.xy).toHaveLength(graph.nodes.length * 2);
    expect(h.posted[0]!.transfer).toEqual([first.xy.buffer]);
    expect(h.queue).toHaveLength(1);
    h.runQueue();
    const all = h.frames(1);
    expect(all.length).toBeGreaterThan(3);
    const last = all.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.tick).toBe(last.totalTicks);
    // Ticks only grow; each slice of 8 clock readings runs a handful of ticks.
    for (let k = 1; k < all.length; k++) expect(all[k]!.tick).toBeGreaterThan(all[k - 1]!.tick);
    // The frames are the pure layout's positions: the same job run directly ends in the same place.
    const direct = createLayoutJob(graph);
    while (!direct.tick(1000));
    expect(last.xy).toEqual(direct.xy);
    expect(h.queue).toHaveLength(0);
  });

  it('drops a running layout when a newer request arrives, and stops on cancel', () => {
    const h = harness();
    h.handle({ type: 'layout', requestId: 1, ...graph });
    h.runQueue(2);
    const before = h.frames(1).length;
    h.handle({ type: 'layout', requestId: 2, ...graph, focus: 3 });
    h.runQueue();
    expect(h.frames(1)).toHaveLength(before);
    expect(h.frames(2).at(-1)!.done).toBe(true);

    h.handle({ type: 'layout', requestId: 3, ...graph });
    h.runQueue(1);
    h.handle({ type: 'cancel' });
    const count = h.posted.length;
    h.runQueue();
    expect(h.posted).toHaveLength(count);
    expect(h.frames(3).some((f) => f.done)).toBe(false);
  });

  it('answers a bad request with a typed error message naming the field', () => {
    const h = harness();
    h.handle({ type: 'layout', requestId: 7, nodes: graph.nodes.slice(0, 2), links: Uint32Array.from([0, 9]), focus: 0 });
    expect(h.posted).toHaveLength(1);
    const error = h.posted[0]!.message as LayoutErrorMessage;
    expect(error).toMatchObject({ type: 'error', requestId: 7, name: 'LayoutInputError', field: 'links[1]' });
    expect(error.message).toContain('9 is not a node index');
    expect(h.queue).toHaveLength(0);
  });

  it('lays out 2,000 nodes with the first frame out before the first tick', () => {
    const big = retentionGraph({ levels: 8, fanOut: 3, maxNodes: 2000, crossLinks: 2000, weak: 20 });
    const h = harness(1_000_000);
    h.handle({ type: 'layout', requestId: 1, ...big });
    const first = h.frames()[0]!;
    expect(first.tick).toBe(0);
    expect(first.xy).toHaveLength(2 * big.nodes.length);
    expect(first.xy.every(Number.isFinite)).toBe(true);
    // One huge slice: the whole simulation, one more frame.
    h.runQueue();
    expect(h.frames()).toHaveLength(2);
    expect(h.frames()[1]).toMatchObject({ done: true, tick: first.totalTicks });
  });
});
