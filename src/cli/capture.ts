import type { Command } from 'commander';

/** `heapscope capture TARGET [-o FILE] [--gc]`: placeholder until src/inspector lands. */
export function registerCapture(_program: Command): void {}
