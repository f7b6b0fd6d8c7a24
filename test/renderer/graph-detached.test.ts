/** Detached DOM in the retention graph: recognised by the engine's class name, drawn apart, keyed in the legend's table. */
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../src/shared/contract.js';
import { describeNode } from '../../renderer/graph/describe.js';
import { buildModel, isDetachedName } from '../../renderer/graph/model.js';
import { DETACHED, nodeStyle, STATUS_COLORS, TYPE_COLORS } from '../../renderer/graph/style.js';

function node(id: number, name: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, name, type: 'native', selfSize: 10, retainedSize: 100, distance: 3, ...extra };
}

describe('detached DOM nodes in the graph', () => {
  it('are the nodes the engine names `Detached …`, as the Summary does', () => {
    expect(isDetachedName('Detached <tr>')).toBe(true);
    expect(isDetachedName('Detached Text')).toBe(true);
    expect(isDetachedName('<tr>')).toBe(false);
    expect(isDetachedName('DetachedRows')).toBe(false);
    expect(isDetachedName('detached <tr>')).toBe(false);
    const m = buildModel({ nodes: [node(1, 'Detached <tr>'), node(3, 'Array', { type: 'object' }), node(5, 'HTMLTableRowElement')], links: [], truncated: false }, 1);
    expect(m.nodes.map((n) => n.detached)).toEqual([true, false, false]);
  });

  it('are filled with their own colour, one no V8 type uses; with the overlay they keep the status fill and get a ring', () => {
    expect(Object.values(TYPE_COLORS)).not.toContain(DETACHED.color);
    expect(Object.values(STATUS_COLORS).map((s) => s.color)).not.toContain(DETACHED.color);
    const plain = { type: 'native', status: undefined, radius: 6 };
    expect(nodeStyle({ ...plain, detached: true }, false)).toMatchObject({ fill: DETACHED.color, stroke: DETACHED.ring });
    expect(nodeStyle({ ...plain, detached: false }, false).fill).toBe(TYPE_COLORS.native);
    expect(nodeStyle({ ...plain, status: 'added' as const, detached: true }, false)).toMatchObject({ fill: STATUS_COLORS.added.color, stroke: DETACHED.color });
    // Removed nodes stay hollow and red: gone from this snapshot, detached or not.
    expect(nodeStyle({ ...plain, status: 'removed' as const, detached: true }, false).stroke).toBe(STATUS_COLORS.removed.color);
    // The selection ring wins over the detached ring.
    expect(nodeStyle({ ...plain, detached: true }, true).stroke).not.toBe(DETACHED.ring);
  });

  it('say so in their hover text', () => {
    const m = buildModel({ nodes: [node(1, 'Detached <tr>')], links: [], truncated: false }, 1);
    expect(describeNode(m.nodes[0]!, true)).toContain('Detached DOM: no longer in any document, yet kept alive');
  });
});
