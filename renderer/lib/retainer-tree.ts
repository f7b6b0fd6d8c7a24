/**
 * A retainer tree as DevTools' Retainers pane shows it: the object, what holds it, what holds
 * those, expanded one level at a time. The engine answers `node.retainers` to a bounded depth; a
 * node past that depth (children [] but retainerCount > 0) is fetched when the user expands it.
 * Plain TypeScript with a change callback, so its logic is tested without a DOM.
 */
import type { RetainerNode } from '../../src/shared/contract.js';

type Frame =
  | { type: 'node'; node: RetainerNode; key: string; depth: number; ancestors: number[] }
  | { type: 'row'; row: RetainerRow };

export type FetchRetainers = (id: number, depth: number, limit: number) => Promise<RetainerNode>;

export type RetainerRow =
  | {
      kind: 'node';
      key: string;
      node: RetainerNode;
      /** 0 for the root. */
      depth: number;
      expandable: boolean;
      expanded: boolean;
      /** The object already appears above on this branch. */
      cycle: boolean;
    }
  | { kind: 'loading'; key: string; depth: number }
  | { kind: 'more'; key: string; depth: number; hidden: number }
  | { kind: 'error'; key: string; depth: number; message: string };

export interface RetainerTreeOptions {
  /** Levels fetched with the root. */
  initialDepth?: number;
  /** Retainers per node (LIMITS.maxRetainerLimit is 100). */
  limit?: number;
  /** Expand the root and then the first retainer of each level, as far as the first fetch reached. */
  expandFirstPath?: boolean;
  onChange?: () => void;
  onError?: (err: unknown) => void;
}

export class RetainerTree {
  root: RetainerNode | undefined;
  error: string | undefined;
  loading = false;
  private readonly expanded = new Set<string>();
  /** Children fetched on demand, by row key (they replace the node's empty `children`). */
  private readonly fetched = new Map<string, RetainerNode[]>();
  private readonly fetching = new Set<string>();
  private readonly failed = new Map<string, string>();
  private readonly limit: number;
  private disposed = false;

  constructor(
    readonly id: number,
    private readonly fetch: FetchRetainers,
    private readonly options: RetainerTreeOptions = {},
  ) {
    this.limit = options.limit ?? 100;
  }

  get rootKey(): string {
    return String(this.id);
  }

  async load(): Promise<void> {
    this.loading = true;
    this.changed();
    try {
      const root = await this.fetch(this.id, this.options.initialDepth ?? 1, this.limit);
      if (this.disposed) return;
      this.root = root;
      this.expanded.add(this.rootKey);
      if (this.options.expandFirstPath) {
        let node = root;
        let key = this.rootKey;
        while (node.children.length > 0 && !node.cycle) {
          const child = node.children[0];
          key = childKey(key, 0, child.id);
          if (child.children.length === 0 || child.cycle) break;
          this.expanded.add(key);
          node = child;
        }
      }
    } catch (err) {
      if (this.disposed) return;
      this.error = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  isExpanded(key: string): boolean {
    return this.expanded.has(key);
  }

  /** Opens or closes a node; opening one past the fetched depth fetches its retainers. */
  toggle(key: string, node: RetainerNode): void {
    if (this.expanded.has(key)) {
      this.expanded.delete(key);
      this.changed();
      return;
    }
    if (!isExpandable(node)) return;
    this.expanded.add(key);
    if (node.children.length === 0 && !this.fetched.has(key) && !this.fetching.has(key)) {
      this.fetching.add(key);
      this.failed.delete(key);
      this.fetch(node.id, 1, this.limit).then(
        (fresh) => {
          this.fetching.delete(key);
          if (this.disposed) return;
          this.fetched.set(key, fresh.children);
          this.changed();
        },
        (err: unknown) => {
          this.fetching.delete(key);
          if (this.disposed) return;
          this.failed.set(key, err instanceof Error ? err.message : String(err));
          this.options.onError?.(err);
          this.changed();
        },
      );
    }
    this.changed();
  }

  /** The tree as flat rows, depth first; `includeRoot` false lists the root's retainers at depth `baseDepth`. */
  rows(includeRoot = true, baseDepth = 0): RetainerRow[] {
    const out: RetainerRow[] = [];
    const root = this.root;
    if (!root) {
      if (this.loading) out.push({ kind: 'loading', key: `${this.rootKey}:loading`, depth: baseDepth });
      else if (this.error) out.push({ kind: 'error', key: `${this.rootKey}:error`, depth: baseDepth, message: this.error });
      return out;
    }
    // Iterative walk: retainer chains can be long. A trailing row (loading, error, "n more") is
    // pushed below its siblings so it comes out after them.
    const stack: Frame[] = [];
    if (includeRoot) stack.push({ type: 'node', node: root, key: this.rootKey, depth: baseDepth, ancestors: [] });
    else this.pushChildren(stack, root, this.rootKey, baseDepth, [root.id]);
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (f.type === 'row') {
        out.push(f.row);
        continue;
      }
      const cycle = Boolean(f.node.cycle) || f.ancestors.includes(f.node.id);
      const expandable = !cycle && isExpandable(f.node);
      const expanded = expandable && this.expanded.has(f.key);
      out.push({ kind: 'node', key: f.key, node: f.node, depth: f.depth, expandable, expanded, cycle });
      if (expanded) this.pushChildren(stack, f.node, f.key, f.depth + 1, [...f.ancestors, f.node.id]);
    }
    return out;
  }

  private pushChildren(stack: Frame[], node: RetainerNode, key: string, depth: number, ancestors: number[]): void {
    const children = this.fetched.get(key) ?? node.children;
    const trailer = this.trailer(node, key, depth, children.length);
    if (trailer) stack.push({ type: 'row', row: trailer });
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ type: 'node', node: children[i], key: childKey(key, i, children[i].id), depth, ancestors });
    }
  }

  private trailer(node: RetainerNode, key: string, depth: number, shown: number): RetainerRow | undefined {
    if (this.fetching.has(key)) return { kind: 'loading', key: `${key}:loading`, depth };
    const failed = this.failed.get(key);
    if (failed) return { kind: 'error', key: `${key}:error`, depth, message: failed };
    const hidden = node.retainerCount - shown;
    if (hidden > 0) return { kind: 'more', key: `${key}:more`, depth, hidden };
    return undefined;
  }

  private changed(): void {
    if (!this.disposed) this.options.onChange?.();
  }
}

export function isExpandable(node: RetainerNode): boolean {
  return !node.cycle && node.retainerCount > 0;
}

export function childKey(parentKey: string, index: number, id: number): string {
  return `${parentKey}/${index}:${id}`;
}
