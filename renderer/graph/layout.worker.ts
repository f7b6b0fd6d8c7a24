/**
 * Web Worker entry of the retention graph layout: the main thread never runs the simulation
 * (issue 4: layout of 2,000 nodes off the main thread). All logic is in worker-handler.ts.
 */
import { createLayoutHandler } from './worker-handler.js';
import type { LayoutInMessage } from './protocol.js';

const handle = createLayoutHandler({
  post: (message, transfer) => self.postMessage(message, { transfer }),
  schedule: (fn) => setTimeout(fn, 0),
  now: () => performance.now(),
});

self.addEventListener('message', (event: MessageEvent<LayoutInMessage>) => handle(event.data));
