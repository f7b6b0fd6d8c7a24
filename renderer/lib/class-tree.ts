/**
 * The expandable part of the Summary and Comparison tables: a class opens onto its instances (one
 * or more paged groups: Comparison has added and removed ones), an instance onto its retainers.
 * The class rows themselves live in a PageCache; this tracks only what the user opened, so its
 * size follows the user's clicks, not the heap. Plain TypeScript with a change callback.
 */
import type { InstanceRow, Page, RetainerNode, SnapshotId } from '../../src/shared/contract.js';
import { normalize, type Expansion } from './flat-tree.js';
import { RetainerTree, type FetchRetainers, type RetainerRow } from './retainer-tree.js';

export interface GroupSpec {
  /** Unique within the class (`instances`, `added`, `removed`). */
  id: string;
  /** The snapshot the instances belong to (Comparison's removed ones are in the base). */
  snapshotId: SnapshotId;
  /** Comparison marks added `+` and removed `−` objects. */
  sign?: string;
  fetch: (start: number, end: number) => Promise<Page<InstanceRow>>;
}

export type ChildRow =
  | {
      kind: 'instance';
      key: string;
      group: GroupSpec;
      row: InstanceRow;
      expanded: boolean;
    }
  | { kind: 'retainer'; key: string; group: GroupSpec; instanceKey: string; row: RetainerRow }
  | { kind: 'more'; key: string; group: GroupSpec; remaining: number }
  | { kind: 'loading'; key: string }
  | { kind: 'error'; key: string; message: string };

export interface ClassTreeOptions {
  /** Instances fetched per "show more". */
  pageSize?: number;
  /** Retainers per node. */
  retainerLimit?: number;
  retainers: (snapshotId: SnapshotId, id: number, depth: number, limit: number) => Promise<RetainerNode>;
  onChange?: () => void;
  onError?: (err: unknown) => void;
}

class Group {
  rows: InstanceRow[] = [];
  total: number | undefined;
  loading = false;
  error: string | undefined;
  constructor(readonly spec: GroupSpec) {}
}

class OpenClass {
  readonly groups: Group[];
  /** Open instances' retainer trees, by instance key. */
  readonly trees = new Map<string, RetainerTree>();
  private cache: ChildRow[] | undefined;
  constructor(specs: GroupSpec[]) {
    this.groups = specs.map((s) => new Group(s));
  }
  invalidate(): void {
    this.cache = undefined;
  }
  rows(): ChildRow[] {
    if (this.cache) return this.cache;
    const out: ChildRow[] = [];
    for (const g of this.groups) {
      for (const row of g.rows) {
        const key = instanceKey(g.spec.id, row.id);
        const tree = this.trees.get(key);
        out.push({ kind: 'instance', key, group: g.spec, row, expanded: tree !== undefined });
        if (tree) {
          for (const r of tree.rows(false, 2)) {
            out.push({ kind: 'retainer', key: `${key}>${r.key}`, group: g.spec, instanceKey: key, row: r });
          }
        }
      }
      if (g.loading) out.push({ kind: 'loading', key: `${g.spec.id}:loading` });
      else if (g.error) out.push({ kind: 'error', key: `${g.spec.id}:error`, message: g.error });
      else if (g.total !== undefined && g.rows.length < g.total) {
        out.push({ kind: 'more', key: `${g.spec.id}:more`, group: g.spec, remaining: g.total - g.rows.length });
      }
    }
    this.cache = out;
    return out;
  }
}

export function instanceKey(groupId: string, id: number): string {
  return `${groupId}@${id}`;
}

export class ClassTree {
  private readonly open = new Map<number, OpenClass>();
  private sortedCache: Expansion[] | undefined;
  private generation = 0;
  private readonly pageSize: number;

  constructor(private readonly options: ClassTreeOptions) {
    this.pageSize = options.pageSize ?? 100;
  }

  isOpen(top: number): boolean {
    return this.open.has(top);
  }

  /** Opens a class onto its instance groups (first page of each), or closes it. */
  toggle(top: number, groups: () => GroupSpec[]): void {
    if (this.open.has(top)) {
      this.close(top);
      return;
    }
    const entry = new OpenClass(groups());
    this.open.set(top, entry);
    this.touch();
    for (const g of entry.groups) void this.loadMore(entry, g);
  }

  close(top: number): void {
    const entry = this.open.get(top);
    if (!entry) return;
    for (const t of entry.trees.values()) t.dispose();
    this.open.delete(top);
    this.touch();
  }

  /** Forgets everything (the class list was re-sorted, filtered or replaced). */
  clear(): void {
    for (const top of [...this.open.keys()]) this.close(top);
    this.generation++;
    this.touch();
  }

  /** Expansions for flat-tree.ts, sorted by top index. */
  expansions(): Expansion[] {
    if (!this.sortedCache) {
      this.sortedCache = normalize([...this.open].map(([index, c]) => ({ index, size: c.rows().length })));
    }
    return this.sortedCache;
  }

  childRows(top: number): ChildRow[] {
    return this.open.get(top)?.rows() ?? [];
  }

  /** "Show more" on a group. */
  more(top: number, groupId: string): void {
    const entry = this.open.get(top);
    const group = entry?.groups.find((g) => g.spec.id === groupId);
    if (entry && group && !group.loading) void this.loadMore(entry, group);
  }

  /** Opens or closes an instance onto its retainers. */
  toggleInstance(top: number, groupId: string, id: number): void {
    const entry = this.open.get(top);
    const group = entry?.groups.find((g) => g.spec.id === groupId);
    if (!entry || !group) return;
    const key = instanceKey(groupId, id);
    const existing = entry.trees.get(key);
    if (existing) {
      existing.dispose();
      entry.trees.delete(key);
      entry.invalidate();
      this.touch();
      return;
    }
    const snapshotId = group.spec.snapshotId;
    const fetch: FetchRetainers = (nodeId, depth, limit) => this.options.retainers(snapshotId, nodeId, depth, limit);
    const tree = new RetainerTree(id, fetch, {
      initialDepth: 1,
      limit: this.options.retainerLimit ?? 50,
      onChange: () => {
        entry.invalidate();
        this.touch();
      },
      onError: this.options.onError,
    });
    entry.trees.set(key, tree);
    entry.invalidate();
    this.touch();
    void tree.load();
  }

  /** Opens or closes a retainer row under an open instance. */
  toggleRetainer(top: number, instance: string, row: RetainerRow): void {
    if (row.kind !== 'node') return;
    this.open.get(top)?.trees.get(instance)?.toggle(row.key, row.node);
  }

  private async loadMore(entry: OpenClass, group: Group): Promise<void> {
    const generation = this.generation;
    group.loading = true;
    group.error = undefined;
    entry.invalidate();
    this.touch();
    try {
      const start = group.rows.length;
      const page = await group.spec.fetch(start, start + this.pageSize);
      if (generation !== this.generation) return;
      group.rows = [...group.rows, ...page.rows];
      group.total = page.total;
    } catch (err) {
      if (generation !== this.generation) return;
      group.error = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err);
    } finally {
      group.loading = false;
      entry.invalidate();
      this.touch();
    }
  }

  private touch(): void {
    this.sortedCache = undefined;
    this.options.onChange?.();
  }
}
