/**
 * Results computed from one or more snapshots, kept for the next page. Entries remember the
 * snapshot ids they were computed from, so closing a snapshot drops everything that holds on to
 * it (a pair's match arrays or a leak report would otherwise keep a closed graph's memory busy).
 * At most `max` entries: the oldest goes first (per-object arrays cost bytes per node).
 */
export class SnapshotCache<V> {
  private readonly entries = new Map<string, { ids: readonly string[]; value: V }>();

  constructor(private readonly max: number) {}

  get(ids: readonly string[], extra = ''): V | undefined {
    const key = keyOf(ids, extra);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Re-inserted: Map order is insertion order, so the least recently used stays first.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(ids: readonly string[], value: V, extra = ''): V {
    const key = keyOf(ids, extra);
    this.entries.delete(key);
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ids, value });
    return value;
  }

  /** Drops every entry computed from snapshot `id`. */
  forget(id: string): void {
    for (const [key, entry] of this.entries) if (entry.ids.includes(id)) this.entries.delete(key);
  }
}

// Snapshot ids are base64url (no spaces or newlines), so the separators cannot be forged.
function keyOf(ids: readonly string[], extra: string): string {
  return `${ids.join(' ')}\n${extra}`;
}
