/**
 * `heapscope/playwright`: leak tests inside a Playwright suite.
 *
 *   import { test, expect } from 'heapscope/playwright';
 *   test('closing the dialog frees it', async ({ page, heap }) => {
 *     await page.goto('/');
 *     await heap.check(() => page.getByRole('button', { name: 'Open' }).click(),
 *                      () => page.getByRole('button', { name: 'Close' }).click());
 *   });
 *
 * See the README's "Leak tests in Playwright".
 */
export { expect, NodeHeaps, NodeTarget, PageHeap, test, type CheckOptions, type HeapscopeFixtures } from './fixture.js';
export { NodeOutputError, type LaunchNodeOptions } from './node-source.js';
export {
  BudgetError, HeapRecorder, HeapSequenceError, type HeapscopeOptions, type LeakBudgets, type LeakReportDocument, type Phase,
  type TestDescription, type WeakResult,
} from './recorder.js';
export { CaptureIncompleteError } from '../inspector/errors.js';
export type { CaptureResult } from '../inspector/capture.js';
export { ProgramStartError } from '../host/session/program.js';
