/**
 * Polls `target.memory` for the attached targets every 2 s while the dashboard is visible: hidden,
 * nobody reads the chart, and every reading costs the target a round trip on its JS thread. A
 * target that is capturing is skipped (its thread is blocked, and V8's snapshot generator inflates
 * RSS; the host refuses then anyway).
 */
import type { TargetDto } from '../../src/shared/contract.js';
import { api } from '../lib/api.js';
import { describeError } from '../lib/errors.js';
import { app } from './app.svelte.js';
import { memory } from './memory.svelte.js';

export const POLL_MS = 2_000;

/** Targets worth a reading now. */
export function pollable(targets: readonly TargetDto[]): TargetDto[] {
  return targets.filter((t) => t.state === 'attached');
}

/** Starts polling; returns the function that stops it. */
export function startMemoryPolling(): () => void {
  const inFlight = new Set<string>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const poll = () => {
    if (document.visibilityState !== 'visible' || app.connection !== 'open') return;
    memory.keepOnly(app.targets.map((t) => t.targetId));
    for (const t of pollable(app.targets)) {
      // A slow target (a big heap, a busy thread) gets one request at a time, never a queue.
      if (inFlight.has(t.targetId)) continue;
      inFlight.add(t.targetId);
      api.call('target.memory', { targetId: t.targetId }).then(
        (m) => memory.add(t.targetId, m),
        (err: unknown) => {
          // Busy: a capture began since; its snapshot carries its own reading. Gone: the card says so already.
          const name = err instanceof Error ? err.name : '';
          if (name !== 'TargetBusyError' && name !== 'TargetStateError' && name !== 'ConnectionError') memory.fail(t.targetId, describeError(err));
        },
      ).finally(() => inFlight.delete(t.targetId));
    }
  };
  const start = () => {
    if (timer !== undefined) return;
    poll();
    timer = setInterval(poll, POLL_MS);
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const onVisibility = () => (document.visibilityState === 'visible' ? start() : stop());
  document.addEventListener('visibilitychange', onVisibility);
  onVisibility();
  return () => {
    stop();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
