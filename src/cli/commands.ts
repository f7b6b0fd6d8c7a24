import type { Command } from 'commander';
import { registerSummary } from './summary.js';
import { registerCapture } from './capture.js';
import { registerDiff } from './diff.js';
import { registerWeak } from './weak.js';
import { registerLeaks } from './leaks.js';
import { registerCheck } from './check.js';
import { registerServe } from './serve.js';
import { registerRun } from './run.js';
import { registerDemo } from './demo.js';
import { registerOpen } from './open.js';
import { registerCompare } from './compare.js';

/** Every subcommand, one file each; add new ones here. */
export function registerCommands(program: Command): void {
  registerCapture(program);
  registerSummary(program);
  registerDiff(program);
  registerWeak(program);
  registerLeaks(program);
  registerCheck(program);
  registerCompare(program);
  registerServe(program);
  registerRun(program);
  registerDemo(program);
  registerOpen(program);
}
