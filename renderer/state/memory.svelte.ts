/**
 * Memory readings of the attached targets (`target.memory`), as memory-poll.ts gathers them: the
 * sidebar's charts read them. Readings stay for WINDOW_MS.
 */
import { trim, WINDOW_MS, type MemorySample } from '../lib/memory-chart.js';

export class MemoryState {
  /** Readings per targetId, oldest first. */
  series = $state.raw<Record<string, MemorySample[]>>({});
  /** Why the last reading of a target failed (cleared by the next good one). */
  errors = $state.raw<Record<string, string>>({});
  /** The host's clock at the newest reading: the charts' right edge. */
  now = $state(0);

  add(targetId: string, sample: MemorySample): void {
    const list = trim([...(this.series[targetId] ?? []), sample], sample.at, WINDOW_MS);
    this.series = { ...this.series, [targetId]: list };
    this.now = Math.max(this.now, sample.at);
    if (this.errors[targetId] !== undefined) {
      const { [targetId]: _gone, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  fail(targetId: string, message: string): void {
    this.errors = { ...this.errors, [targetId]: message };
  }

  /** Forgets targets the host no longer lists. */
  keepOnly(targetIds: readonly string[]): void {
    const keep = (r: Record<string, unknown>) => Object.keys(r).every((id) => targetIds.includes(id));
    if (!keep(this.series)) this.series = Object.fromEntries(Object.entries(this.series).filter(([id]) => targetIds.includes(id)));
    if (!keep(this.errors)) this.errors = Object.fromEntries(Object.entries(this.errors).filter(([id]) => targetIds.includes(id)));
  }
}

export const memory = new MemoryState();
