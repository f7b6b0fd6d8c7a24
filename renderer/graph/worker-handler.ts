/**
 * The layout worker's logic, free of worker globals so tests run it as a plain function. One
 * layout runs at a time: a new request or a cancel supersedes the running one, which notices at
 * its next slice. The seed goes out at once; then the simulation runs in slices of about
 * `sliceMs`, each followed by a frame, and yields between slices so a newer request is seen.
 */
import { createLayoutJob } from './layout.js';
import type { LayoutInMessage, LayoutOutMessage } from './protocol.js';

export interface LayoutHandlerDeps {
  /** Sends a message to the view; `transfer` lists buffers that move instead of being copied. */
  post(message: LayoutOutMessage, transfer: ArrayBuffer[]): void;
  /** Runs `fn` later (setTimeout 0 in the worker), letting queued messages in first. */
  schedule(fn: () => void): void;
  now(): number;
  /** Milliseconds of simulation between two frames. */
  sliceMs?: number;
}

export function createLayoutHandler(deps: LayoutHandlerDeps): (message: LayoutInMessage) => void {
  const sliceMs = deps.sliceMs ?? 32;
  let running = -1;
  const frame = (requestId: number, xy: Float32Array, tick: number, totalTicks: number, done: boolean) => {
    const copy = xy.slice();
    deps.post({ type: 'frame', requestId, xy: copy, tick, totalTicks, done }, [copy.buffer]);
  };
  return (message) => {
    if (message.type === 'cancel') {
      running = -1;
      return;
    }
    const { requestId } = message;
    running = requestId;
    let job;
    try {
      job = createLayoutJob(message);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const field = (e as { field?: unknown }).field;
      deps.post({ type: 'error', requestId, name: e.name, message: e.message, ...(typeof field === 'string' ? { field } : {}) }, []);
      running = -1;
      return;
    }
    frame(requestId, job.xy, 0, job.totalTicks, job.done);
    if (job.done) return;
    const slice = () => {
      if (running !== requestId) return;
      const start = deps.now();
      // At least one tick per slice, however slow the machine.
      do job.tick(1);
      while (!job.done && deps.now() - start < sliceMs);
      frame(requestId, job.xy, job.ticks, job.totalTicks, job.done);
      if (job.done) running = -1;
      else deps.schedule(slice);
    };
    deps.schedule(slice);
  };
}
