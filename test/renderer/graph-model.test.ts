import { describe, expect, it } from 'vitest';
import type { GraphLink, GraphNode } from '../../src/shared/contract.js';
import { describeLinks, describeNode } from '../../renderer/graph/describe.js';
import { buildModel, edgeKind, LABEL_MAX, layoutInput, nodeAt, radiusFor } from '../../renderer/graph/model.js';
import { dashArray, EDGE_KINDS, FOCUS_RING, linkStyle, nodeStyle, plainNodeFill, STATUS_COLORS } from '../../renderer/graph/style.js';

const node = (id: number, over: Partial<GraphNode> = {}): GraphNode => ({
  id, name: `C${id}`, type: 'object', selfSize: 16, retainedSize: 16, distance: 2, ...over,
});
const link = (source: number, target: number, over: Partial<GraphLink> = {}): GraphLink => ({
  source, target, edge: 'x', edgeType: 'property', retaining: true, ...over,
});

describe('graph model', () => {
  it('indexes nodes and links, classifies edges and drops links to nodes the answer lacks', () => {
    const m = buildModel({
      nodes: [node(11, { retainedSize: 400 }), node(13, { distance: 1 }), node(15, { distance: 1 }), node(11)],
      links: [
        link(13, 11),
        link(15, 11, { edgeType: 'weak', retaining: false }),
        link(15, 13, { edgeType: 'internal', retaining: false, ephemeron: true, edge: '3 / part of key (K @5) -> value (V @11) pair in WeakMap (table @7)' }),
        link(17, 11),
      ],
      truncated: true,
    }, 11);
    expect(m.nodes.map((n) => n.id)).toEqual([11, 13, 15]);
    expect(m.focus).toBe(0);
    expect(m.links.map((l) => [l.source, l.target, l.kind])).toEqual([[1, 0, 'strong'], [2, 0, 'weak'], [2, 1, 'ephemeron']]);
    expect(Array.from(m.pairs)).toEqual([1, 0, 2, 0, 2, 1]);
    expect(m.dangling).toBe(1);
    expect(m.truncated).toBe(true);
    const input = layoutInput(m);
    expect(input.nodes.map((n) => n.distance)).toEqual([2, 1, 1]);
    expect(input.focus).toBe(0);
    expect(input.previous).toBeUndefined();
  });

  it('marks a focus the answer lacks as -1 and lays out from the first node', () => {
    const m = buildModel({ nodes: [node(3)], links: [], truncated: false }, 99);
    expect(m.focus).toBe(-1);
    expect(layoutInput(m).focus).toBe(0);
  });

  it('calls an ephemeron edge ephemeron whether it retains (key side) or not (table side)', () => {
    expect(edgeKind({ retaining: true, ephemeron: true })).toBe('ephemeron');
    expect(edgeKind({ retaining: false, ephemeron: true })).toBe('ephemeron');
    expect(edgeKind({ retaining: true })).toBe('strong');
    expect(edgeKind({ retaining: false })).toBe('weak');
  });

  it('sizes nodes by the square root of retained size within 4..12', () => {
    expect(radiusFor(0, 100)).toBe(4);
    expect(radiusFor(100, 100)).toBe(12);
    expect(radiusFor(25, 100)).toBe(8);
    expect(radiusFor(5, 0)).toBe(4);
  });

  it('finds the node under a point, the nearest when circles overlap', () => {
    const m = buildModel({ nodes: [node(1), node(3), node(5)], links: [], truncated: false }, 1);
    const xy = Float32Array.from([0, 0, 6, 0, 100, 100]);
    expect(nodeAt(m.nodes, xy, 5, 0)).toBe(1);
    expect(nodeAt(m.nodes, xy, 1, 1)).toBe(0);
    expect(nodeAt(m.nodes, xy, 50, 50)).toBe(-1);
    expect(nodeAt(m.nodes, xy, 100, 107)).toBe(2);
  });

  it('cuts hostile class names to one short line of text', () => {
    const hostile = `<img src=x onerror=alert(1)>\n<script>alert(2)</script>${'A'.repeat(5000)}`;
    const m = buildModel({ nodes: [node(1, { name: hostile, status: 'added' }), node(3)], links: [link(3, 1, { edge: hostile })], truncated: false }, 1);
    expect(m.nodes[0]!.label.length).toBeLessThanOrEqual(LABEL_MAX);
    expect(m.nodes[0]!.label).not.toContain('\n');
    expect(m.nodes[0]!.label.startsWith('<img src=x onerror=alert(1)>\\n<script>')).toBe(true);
    const lines = describeNode(m.nodes[0]!, true);
    expect(lines[0]).toBe(m.nodes[0]!.label);
    expect(lines).toContain('@1 · object · selected');
    expect(lines).toContain('Status: added since base');
    for (const line of [...lines, ...describeLinks(0, m.nodes, m.links)]) {
      expect(line.length).toBeLessThan(200);
      expect(line).not.toContain('\n');
    }
  });

  it('says what the tooltip knows: sizes, distance, weakly held, retainers with edge kinds', () => {
    const m = buildModel({
      nodes: [node(1, { distance: -1, selfSize: 1500, retainedSize: 2_500_000 }), ...[3, 5, 7, 9, 11, 13].map((id) => node(id))],
      links: [3, 5, 7, 9, 11, 13].map((id) => link(id, 1, { edgeType: 'weak', retaining: false, edge: 'target' })),
      truncated: false,
    }, 1);
    const lines = describeNode(m.nodes[0]!, false);
    expect(lines).toEqual(['C1', '@1 · object', 'Self size: 1.5\u00a0kB', 'Retained size: 2.5\u00a0MB', 'Distance: \u2212 (held only weakly)']);
    const incoming = describeLinks(0, m.nodes, m.links);
    expect(incoming).toHaveLength(5);
    expect(incoming[0]).toBe('← target (weak (retains nothing)) from C3 @3');
    expect(incoming[4]).toBe('… 2 more retainers');
  });
});

describe('graph styles', () => {
  it('styles edges by kind: strong solid, weak dotted, ephemeron dash-dot in its own colour', () => {
    expect(linkStyle('strong', undefined).dash).toEqual([]);
    expect(linkStyle('weak', undefined).dash).toEqual([1.5, 3]);
    const eph = linkStyle('ephemeron', undefined);
    expect(eph.dash).toHaveLength(4);
    expect(new Set([EDGE_KINDS.strong.stroke, EDGE_KINDS.weak.stroke, eph.stroke]).size).toBe(3);
  });

  it('colours the overlay by status and dashes removed strong edges', () => {
    expect(linkStyle('strong', 'added')).toMatchObject({ stroke: STATUS_COLORS.added.color, dash: [] });
    expect(linkStyle('strong', 'removed')).toMatchObject({ stroke: STATUS_COLORS.removed.color, dash: [6, 4] });
    expect(linkStyle('strong', 'kept').stroke).toBe(STATUS_COLORS.kept.color);
    // The kind's own pattern stays readable under the overlay colour.
    expect(linkStyle('weak', 'removed').dash).toEqual(EDGE_KINDS.weak.dash);
    expect(linkStyle('ephemeron', 'added').dash).toEqual(EDGE_KINDS.ephemeron.dash);
    expect(new Set(Object.values(STATUS_COLORS).map((s) => s.color)).size).toBe(3);
  });

  it('draws removed nodes hollow and dashed, the focus with a ring and larger', () => {
    const base = { type: 'object', radius: 6 };
    expect(nodeStyle({ ...base, status: 'removed' }, false)).toMatchObject({ fill: '#ffffff', stroke: STATUS_COLORS.removed.color, dash: [3, 2] });
    expect(nodeStyle({ ...base, status: 'added' }, false).fill).toBe(STATUS_COLORS.added.color);
    expect(nodeStyle({ ...base, status: undefined }, true)).toMatchObject({ stroke: FOCUS_RING, radius: 8 });
    expect(nodeStyle({ ...base, status: 'removed' }, true).stroke).toBe(FOCUS_RING);
    expect(nodeStyle({ type: 'weird', radius: 4, status: undefined }, false).fill).toBe('#bdc1c6');
    expect(dashArray([])).toBe('none');
    expect(dashArray([8, 3, 2, 3])).toBe('8 3 2 3');
  });

  it('the canvas\'s plain-node fill is nodeStyle\'s fill, for every type and status it batches', () => {
    for (const type of ['object', 'closure', 'string', 'array', 'code', 'synthetic', 'hidden', 'native', 'weird']) {
      for (const status of [undefined, 'added', 'kept'] as const) {
        expect(plainNodeFill({ type, status }), `${type} ${status}`).toBe(nodeStyle({ type, status, radius: 5 }, false).fill);
      }
    }
  });
});
