/**
 * How the retention graph draws nodes and links, one table for SVG and canvas alike (and the
 * legend reads the same table, so the three never disagree). Edge kind sets the dash pattern;
 * with the before/after overlay the colour says added (green), removed (red) or kept (grey), and a
 * removed strong edge is dashed so it reads as gone even without colour.
 */
import type { OverlayStatus } from '../../src/shared/contract.js';
import type { EdgeKind, ViewNode } from './model.js';

export interface StrokeStyle {
  stroke: string;
  /** Dash pattern in px (canvas setLineDash; SVG stroke-dasharray); [] for solid. */
  dash: number[];
  width: number;
  opacity: number;
}

export interface NodeStyle {
  fill: string;
  stroke: string;
  strokeWidth: number;
  dash: number[];
  radius: number;
  opacity: number;
}

export const EDGE_KINDS: Record<EdgeKind, StrokeStyle & { label: string }> = {
  strong: { label: 'strong (retains)', stroke: '#5f6368', dash: [], width: 1.2, opacity: 0.75 },
  weak: { label: 'weak (retains nothing)', stroke: '#aab0b6', dash: [1.5, 3], width: 1, opacity: 0.7 },
  ephemeron: { label: 'WeakMap ephemeron', stroke: '#9334e6', dash: [8, 3, 2, 3], width: 1.4, opacity: 0.9 },
};

export const STATUS_COLORS: Record<OverlayStatus, { color: string; label: string }> = {
  added: { color: '#188038', label: 'added since base' },
  removed: { color: '#d93025', label: 'removed since base' },
  kept: { color: '#9aa0a6', label: 'kept' },
};

/** Fill by V8 node type when there is no overlay; anything else is grey. */
export const TYPE_COLORS: Record<string, string> = {
  object: '#4285f4',
  closure: '#12b5cb',
  array: '#f29900',
  string: '#a142f4',
  'concatenated string': '#a142f4',
  'sliced string': '#a142f4',
  code: '#795548',
  synthetic: '#3c4043',
  hidden: '#80868b',
  native: '#e8710a',
  'object shape': '#9aa0a6',
};
const OTHER_TYPE = '#bdc1c6';

/**
 * Detached DOM nodes (a browser or Electron renderer snapshot): a colour no V8 type uses, and with
 * the overlay (where fill says added/kept) a thick ring of it, so they stand out either way.
 */
export const DETACHED = { color: '#b06000', ring: '#7a4300', label: 'detached DOM node (Detached <…>)' };

export const FOCUS_RING = '#f9ab00';
const REMOVED_DASH = [6, 4];

export function linkStyle(kind: EdgeKind, status: OverlayStatus | undefined): StrokeStyle {
  const base = EDGE_KINDS[kind];
  if (!status) return { stroke: base.stroke, dash: base.dash, width: base.width, opacity: base.opacity };
  return {
    stroke: STATUS_COLORS[status].color,
    dash: status === 'removed' && kind === 'strong' ? REMOVED_DASH : base.dash,
    width: status === 'kept' ? base.width : base.width + 0.6,
    opacity: status === 'kept' ? 0.6 : 0.95,
  };
}

/**
 * The fill of a plain node (not focused, hovered, removed or detached): what the canvas batches
 * by, thousands of times a frame, without building a whole NodeStyle. Equal to nodeStyle(…).fill.
 */
export function plainNodeFill(node: Pick<ViewNode, 'type' | 'status'>): string {
  return node.status ? STATUS_COLORS[node.status].color : (TYPE_COLORS[node.type] ?? OTHER_TYPE);
}

export function nodeStyle(node: Pick<ViewNode, 'type' | 'status' | 'radius'> & { detached?: boolean }, focused: boolean): NodeStyle {
  const ring = focused ? { stroke: FOCUS_RING, strokeWidth: 3 } : { stroke: '#ffffff', strokeWidth: 1 };
  const radius = focused ? node.radius + 2 : node.radius;
  if (!node.status) {
    if (node.detached) return { fill: DETACHED.color, ...(focused ? ring : { stroke: DETACHED.ring, strokeWidth: 1.5 }), dash: [], radius, opacity: 1 };
    return { fill: TYPE_COLORS[node.type] ?? OTHER_TYPE, ...ring, dash: [], radius, opacity: 1 };
  }
  if (node.detached && node.status !== 'removed' && !focused) {
    return { fill: STATUS_COLORS[node.status].color, stroke: DETACHED.color, strokeWidth: 2.5, dash: [], radius, opacity: 1 };
  }
  if (node.status === 'removed') {
    // Hollow and dashed: the object is not in this snapshot at all.
    return { fill: '#ffffff', stroke: focused ? FOCUS_RING : STATUS_COLORS.removed.color, strokeWidth: focused ? 3 : 1.5, dash: [3, 2], radius, opacity: 0.9 };
  }
  return { fill: STATUS_COLORS[node.status].color, ...ring, dash: [], radius, opacity: 1 };
}

/** SVG's stroke-dasharray for a dash pattern (`none` when solid). */
export function dashArray(dash: readonly number[]): string {
  return dash.length === 0 ? 'none' : dash.join(' ');
}
