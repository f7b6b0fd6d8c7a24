/**
 * Messages between the retention graph view and its layout worker (layout.worker.ts). The view
 * sends the graph as flat index pairs plus the positions it already shows; the worker answers with
 * frames of positions in the order of `nodes`, the first one (tick 0, the layered seed) at once so
 * a picture is on screen before the force simulation has run a single tick.
 */

/** What the layout needs of a node: its id (positions are kept by id) and its distance from the GC roots. */
export interface LayoutNodeInput {
  id: number;
  /** Hops from the GC roots on the shortest retaining path; -1 when only weak edges reach it. */
  distance: number;
  /** Drawn radius in layout units (collision keeps circles apart). */
  radius: number;
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  /** Flat pairs of node indexes, `[source0, target0, source1, target1, …]`: source retains target. */
  links: Uint32Array;
  /** Index of the selected object in `nodes`. */
  focus: number;
  /** Positions the view shows now, by node id (a graph that grows keeps what was already placed). */
  previous?: { ids: Float64Array; xy: Float32Array };
}

export interface LayoutRequestMessage extends LayoutInput {
  type: 'layout';
  requestId: number;
}

/** Stops the running layout (the view went away or the graph is being refetched). */
export interface LayoutCancelMessage {
  type: 'cancel';
}

export type LayoutInMessage = LayoutRequestMessage | LayoutCancelMessage;

export interface LayoutFrameMessage {
  type: 'frame';
  requestId: number;
  /** `[x0, y0, x1, y1, …]` in the order of the request's nodes. */
  xy: Float32Array;
  tick: number;
  totalTicks: number;
  done: boolean;
}

export interface LayoutErrorMessage {
  type: 'error';
  requestId: number;
  name: string;
  message: string;
  field?: string;
}

export type LayoutOutMessage = LayoutFrameMessage | LayoutErrorMessage;

/** A layout request the worker cannot use; `field` names the offending part (`links[12]`, `focus`). */
export class LayoutInputError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.name = 'LayoutInputError';
    this.field = field;
  }
}

/** Throws LayoutInputError unless every link and the focus name a node of the request. */
export function checkLayoutInput(input: LayoutInput): void {
  const n = input.nodes.length;
  if (input.links.length % 2 !== 0) throw new LayoutInputError(`links has odd length ${input.links.length}`, 'links');
  for (let i = 0; i < input.links.length; i++) {
    if (input.links[i]! >= n) throw new LayoutInputError(`links[${i}] = ${input.links[i]} is not a node index (${n} nodes)`, `links[${i}]`);
  }
  if (n > 0 && !(Number.isInteger(input.focus) && input.focus >= 0 && input.focus < n)) {
    throw new LayoutInputError(`focus ${input.focus} is not a node index (${n} nodes)`, 'focus');
  }
  if (input.previous && input.previous.xy.length !== input.previous.ids.length * 2) {
    throw new LayoutInputError(`previous.xy holds ${input.previous.xy.length} numbers for ${input.previous.ids.length} ids`, 'previous');
  }
}
