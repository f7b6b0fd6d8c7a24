import { writeFileSync } from 'node:fs';

/**
 * Builds small heap snapshots in code, in V8's exact file format (DevTools' own tests do the same),
 * so graph algorithms can be tested on shapes that are hard to make a real process produce:
 * 100k-deep chains, cycles, WeakMap tables, unreachable islands.
 */
export const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native',
  'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'] as const;
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export type EdgeType = (typeof EDGE_TYPES)[number];

export interface BuiltNode {
  ordinal: number;
  id: number;
}

interface NodeRec { type: NodeType; name: string; id: number; selfSize: number; detachedness: number; edges: EdgeRec[] }
interface EdgeRec { type: EdgeType; name: string | number; to: number }

export class SnapshotBuilder {
  private readonly nodes: NodeRec[] = [];
  private nextId = 1;
  readonly root: BuiltNode;
  readonly gcRoots: BuiltNode;

  /** Starts like V8: node 0 is the synthetic root with an element edge to `(GC roots)`. */
  constructor() {
    this.root = this.node('synthetic', '', 0);
    this.gcRoots = this.node('synthetic', '(GC roots)', 0);
    this.edge(this.root, 'element', 1, this.gcRoots);
  }

  node(type: NodeType, name: string, selfSize = 0, options: { id?: number; detachedness?: number } = {}): BuiltNode {
    const id = options.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id) + 2; // V8 object ids are odd and grow
    this.nodes.push({ type, name, id, selfSize, detachedness: options.detachedness ?? 0, edges: [] });
    return { ordinal: this.nodes.length - 1, id };
  }

  edge(from: BuiltNode, type: EdgeType, name: string | number, to: BuiltNode): this {
    this.nodes[from.ordinal]!.edges.push({ type, name, to: to.ordinal });
    return this;
  }

  /** An object reachable from the root as a user global (root --shortcut--> global, like `global / `). */
  global(name = 'global / '): BuiltNode {
    const g = this.node('object', name, 32);
    this.edge(this.root, 'shortcut', name, g);
    return g;
  }

  /** A WeakMap entry as V8 writes it (FACTS.md §3): weak slots from the table plus the named internal pair. */
  weakMapEntry(table: BuiltNode, key: BuiltNode, value: BuiltNode, slot: number): this {
    const text = (n: BuiltNode) => `${this.nodes[n.ordinal]!.name} @${n.id}`;
    const pair = `${slot} / part of key (${text(key)}) -> value (${text(value)}) pair in WeakMap (table @${table.id})`;
    this.edge(table, 'weak', String(slot), key);
    this.edge(table, 'weak', String(slot + 1), value);
    this.edge(key, 'internal', pair, value);
    this.edge(table, 'internal', pair, value);
    return this;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  toJSON(): string {
    const strings: string[] = [];
    const index = new Map<string, number>();
    const str = (s: string) => {
      let i = index.get(s);
      if (i === undefined) {
        i = strings.length;
        strings.push(s);
        index.set(s, i);
      }
      return i;
    };
    str('');
    const nodeFields = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
    const nodes: number[] = [];
    const edges: number[] = [];
    for (const n of this.nodes) {
      nodes.push(NODE_TYPES.indexOf(n.type), str(n.name), n.id, n.selfSize, n.edges.length, 0, n.detachedness);
      for (const e of n.edges) {
        const numeric = e.type === 'element' || e.type === 'hidden';
        const name = numeric ? Number(e.name) : str(String(e.name));
        edges.push(EDGE_TYPES.indexOf(e.type), name, e.to * nodeFields.length);
      }
    }
    const meta = {
      node_fields: nodeFields,
      node_types: [[...NODE_TYPES], 'string', 'number', 'number', 'number', 'number', 'number'],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [[...EDGE_TYPES], 'string_or_number', 'node'],
      trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
      trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
      sample_fields: ['timestamp_us', 'last_assigned_id'],
      location_fields: ['object_index', 'script_id', 'line', 'column'],
    };
    // One record per line, as V8 writes it.
    const rows = (values: number[], width: number) => {
      const out: string[] = [];
      for (let i = 0; i < values.length; i += width) out.push(values.slice(i, i + width).join(','));
      return out.join('\n,');
    };
    return `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${this.nodes.length},"edge_count":${edges.length / 3},"trace_function_count":0},\n`
      + `"nodes":[${rows(nodes, nodeFields.length)}],\n`
      + `"edges":[${rows(edges, 3)}],\n`
      + '"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n'
      + `"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`;
  }

  write(file: string): string {
    writeFileSync(file, this.toJSON());
    return file;
  }
}
