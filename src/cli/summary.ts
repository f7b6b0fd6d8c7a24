import type { Command } from 'commander';

/** `heapscope summary FILE [--json] [--top N]`: placeholder until src/snapshot lands. */
export function registerSummary(_program: Command): void {}
