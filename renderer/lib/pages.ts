/**
 * Rows of a long remote list, fetched a page at a time as the virtual list scrolls over them, kept
 * in a bounded cache (least recently used pages go first). The engine answers `range(start, end)`
 * (contract.ts); the UI never holds the whole list.
 */
import type { Page } from '../../src/shared/contract.js';

export type FetchPage<Row> = (start: number, end: number) => Promise<Page<Row>>;

export interface PageCacheOptions {
  pageSize?: number;
  /** Pages kept; older ones are dropped and fetched again when scrolled back to. */
  maxPages?: number;
  /** Called whenever rows or the total arrive (the view re-reads them). */
  onChange?: () => void;
  /** Called when a page fails to load. */
  onError?: (err: unknown) => void;
}

export class PageCache<Row> {
  readonly pageSize: number;
  private readonly maxPages: number;
  /** Page number → rows; Map iteration order doubles as the LRU order. */
  private readonly pages = new Map<number, Row[]>();
  private readonly inflight = new Map<number, Promise<void>>();
  private totalRows: number | undefined;
  private disposed = false;

  constructor(
    private readonly fetchPage: FetchPage<Row>,
    private readonly options: PageCacheOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = Math.max(2, options.maxPages ?? 100);
  }

  /** The list's length once the first page answered. */
  get total(): number | undefined {
    return this.totalRows;
  }

  get(index: number): Row | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /** Loads every page that overlaps `[start, end)` and is not cached or on its way. */
  ensure(start: number, end: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const last = this.totalRows === undefined ? end : Math.min(end, this.totalRows);
    const first = Math.max(0, start);
    if (last <= first && this.totalRows !== undefined) return Promise.resolve();
    const waits: Promise<void>[] = [];
    const lastPage = Math.floor((Math.max(last, first + 1) - 1) / this.pageSize);
    for (let p = Math.floor(first / this.pageSize); p <= lastPage; p++) {
      const cached = this.pages.get(p);
      if (cached) {
        // Touch: most recently used moves to the end of the Map.
        this.pages.delete(p);
        this.pages.set(p, cached);
        continue;
      }
      waits.push(this.inflight.get(p) ?? this.load(p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Stops delivering results (the list was replaced: new sort, filter or snapshot). */
  dispose(): void {
    this.disposed = true;
    this.pages.clear();
  }

  private load(page: number): Promise<void> {
    const start = page * this.pageSize;
    const promise = this.fetchPage(start, start + this.pageSize).then(
      (result) => {
        this.inflight.delete(page);
        if (this.disposed) return;
        this.totalRows = result.total;
        this.pages.set(page, result.rows);
        while (this.pages.size > this.maxPages) {
          const oldest = this.pages.keys().next().value as number;
          this.pages.delete(oldest);
        }
        this.options.onChange?.();
      },
      (err: unknown) => {
        this.inflight.delete(page);
        if (!this.disposed) this.options.onError?.(err);
      },
    );
    this.inflight.set(page, promise);
    return promise;
  }
}
