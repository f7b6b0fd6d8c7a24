/**
 * Main-thread side of the layout worker: one worker for the view's lifetime, one layout at a time.
 * Frames of a superseded request are dropped here, so a late frame never moves a newer graph.
 */
import type { LayoutFrameMessage, LayoutInput, LayoutOutMessage, LayoutRequestMessage } from './protocol.js';

/** The worker failed to start or to lay out a graph. */
export class LayoutWorkerError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'LayoutWorkerError';
    this.field = field;
  }
}

export interface LayoutCallbacks {
  frame(frame: LayoutFrameMessage): void;
  error(err: LayoutWorkerError): void;
}

export class LayoutClient {
  private worker: Worker | undefined;
  private requestId = 0;
  private callbacks: LayoutCallbacks | undefined;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<LayoutOutMessage>) => {
      const m = event.data;
      if (m.requestId !== this.requestId || !this.callbacks) return;
      if (m.type === 'frame') this.callbacks.frame(m);
      else this.callbacks.error(new LayoutWorkerError(`graph layout: ${m.message}`, m.field));
    });
    worker.addEventListener('error', (event) => {
      this.callbacks?.error(new LayoutWorkerError(`graph layout worker failed: ${event.message || 'could not start'}`));
    });
    this.worker = worker;
    return worker;
  }

  /** Starts the worker ahead of the first layout, so its module load is not part of a first frame. */
  warm(): void {
    this.ensure();
  }

  /** Starts laying out `input`, superseding any running layout; returns the request id frames carry. */
  layout(input: LayoutInput, callbacks: LayoutCallbacks): number {
    const worker = this.ensure();
    this.callbacks = callbacks;
    const requestId = ++this.requestId;
    const message: LayoutRequestMessage = { type: 'layout', requestId, ...input };
    worker.postMessage(message);
    return requestId;
  }

  cancel(): void {
    this.requestId++;
    this.callbacks = undefined;
    this.worker?.postMessage({ type: 'cancel' });
  }

  dispose(): void {
    this.cancel();
    this.worker?.terminate();
    this.worker = undefined;
  }
}
