import { SnapshotFormatError } from './errors.js';

/** The `snapshot.meta` object V8 writes at the start of every .heapsnapshot (FACTS.md §3). */
export interface SnapshotMeta {
  node_fields: string[];
  node_types: Array<string[] | string>;
  edge_fields: string[];
  edge_types: Array<string[] | string>;
  location_fields?: string[];
  trace_function_info_fields?: string[];
  trace_node_fields?: string[];
  sample_fields?: string[];
}

export interface SnapshotHeader {
  meta: SnapshotMeta;
  node_count: number;
  edge_count: number;
  trace_function_count?: number;
  /** Bytes the embedder reports outside the graph (Chromium); DevTools adds them to the total. */
  extra_native_bytes?: number;
}

/**
 * Field offsets and type tables, read from the file's own meta and never hard-coded (DevTools'
 * HeapSnapshot.ts does the same), so snapshots from other V8 versions with extra or reordered
 * fields still load.
 */
export interface SnapshotLayout {
  nodeFieldCount: number;
  nodeTypeOffset: number;
  nodeNameOffset: number;
  nodeIdOffset: number;
  nodeSelfSizeOffset: number;
  nodeEdgeCountOffset: number;
  /** -1 when the snapshot has no detachedness field (older V8, or Node before 16). */
  nodeDetachednessOffset: number;
  edgeFieldCount: number;
  edgeTypeOffset: number;
  edgeNameOffset: number;
  edgeToNodeOffset: number;
  nodeTypes: string[];
  edgeTypes: string[];
  locationFieldCount: number;
  locationObjectIndexOffset: number;
  locationScriptIdOffset: number;
  locationLineOffset: number;
  locationColumnOffset: number;
  nodeCount: number;
  edgeCount: number;
  extraNativeBytes: number;
}

function fail(file: string, offset: number, detail: string): never {
  throw new SnapshotFormatError(file, 'meta', offset, detail);
}

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function requireField(file: string, offset: number, fields: string[], name: string, where: string): number {
  const i = fields.indexOf(name);
  if (i < 0) fail(file, offset, `meta.${where} has no "${name}" field (fields: ${fields.join(', ')})`);
  return i;
}

/** Checks the parsed `snapshot` object and derives the layout; `offset` is where the object starts in the file. */
export function readLayout(file: string, offset: number, header: unknown): SnapshotLayout {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, offset, '"snapshot" is not an object');
  const h = header as Partial<SnapshotHeader>;
  const meta = h.meta;
  if (typeof meta !== 'object' || meta === null) fail(file, offset, 'snapshot.meta is missing');
  for (const key of ['node_fields', 'edge_fields'] as const) {
    if (!stringArray(meta[key])) fail(file, offset, `meta.${key} is not a list of field names`);
  }
  for (const key of ['node_types', 'edge_types'] as const) {
    if (!Array.isArray(meta[key])) fail(file, offset, `meta.${key} is not a list`);
  }
  for (const key of ['node_count', 'edge_count'] as const) {
    const v = h[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(file, offset, `snapshot.${key} is not a non-negative integer`);
  }
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  const nodeTypeOffset = requireField(file, offset, nf, 'type', 'node_fields');
  const edgeTypeOffset = requireField(file, offset, ef, 'type', 'edge_fields');
  const nodeTypes = meta.node_types[nodeTypeOffset];
  const edgeTypes = meta.edge_types[edgeTypeOffset];
  if (!stringArray(nodeTypes) || nodeTypes.length === 0) fail(file, offset, 'meta.node_types has no list of node type names');
  if (!stringArray(edgeTypes) || edgeTypes.length === 0) fail(file, offset, 'meta.edge_types has no list of edge type names');
  if (nodeTypes.length > 255 || edgeTypes.length > 255) fail(file, offset, 'more than 255 node or edge types');
  const lf = stringArray(meta.location_fields) ? meta.location_fields : [];
  return {
    nodeFieldCount: nf.length,
    nodeTypeOffset,
    nodeNameOffset: requireField(file, offset, nf, 'name', 'node_fields'),
    nodeIdOffset: requireField(file, offset, nf, 'id', 'node_fields'),
    nodeSelfSizeOffset: requireField(file, offset, nf, 'self_size', 'node_fields'),
    nodeEdgeCountOffset: requireField(file, offset, nf, 'edge_count', 'node_fields'),
    nodeDetachednessOffset: nf.indexOf('detachedness'),
    edgeFieldCount: ef.length,
    edgeTypeOffset,
    edgeNameOffset: requireField(file, offset, ef, 'name_or_index', 'edge_fields'),
    edgeToNodeOffset: requireField(file, offset, ef, 'to_node', 'edge_fields'),
    nodeTypes: [...nodeTypes],
    edgeTypes: [...edgeTypes],
    locationFieldCount: lf.length,
    locationObjectIndexOffset: lf.indexOf('object_index'),
    locationScriptIdOffset: lf.indexOf('script_id'),
    locationLineOffset: lf.indexOf('line'),
    locationColumnOffset: lf.indexOf('column'),
    nodeCount: h.node_count!,
    edgeCount: h.edge_count!,
    extraNativeBytes: typeof h.extra_native_bytes === 'number' && h.extra_native_bytes > 0 ? h.extra_native_bytes : 0,
  };
}
