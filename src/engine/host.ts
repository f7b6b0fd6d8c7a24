/**
 * The engine worker's entry (worker_threads): runs an Engine and answers the CallMessages that
 * client.ts posts. Parsing a 1 GB snapshot and computing its dominators takes seconds to minutes;
 * here it blocks only this thread, never the host's event loop. Nothing a caller sends can crash
 * it: every failure, a malformed message included, comes back as an ErrorDto.
 */
import { parentPort } from 'node:worker_threads';
import type { CallMessage, HostMessage } from '../shared/contract.js';
import { toErrorDto } from '../shared/error-dto.js';
import { Engine } from './engine.js';

const port = parentPort;
if (!port) throw new Error('engine/host.js runs as a worker thread (see engine/client.ts)');
const engine = new Engine();
const post = (m: HostMessage) => port.postMessage(m);

port.on('message', (message: unknown) => {
  const m = message as Partial<CallMessage> | null;
  if (typeof m !== 'object' || m === null || m.type !== 'call' || typeof m.callId !== 'number') return; // nobody to answer
  const callId = m.callId;
  engine
    .handle(m.channel, m.request, (p) => post({ type: 'event', event: 'progress', data: { ...p, callId } }))
    .then((response) => post({ type: 'result', callId, ok: true, response }))
    // Also reached when the response cannot be cloned: the caller gets an error, never silence.
    .catch((err: unknown) => post({ type: 'result', callId, ok: false, error: toErrorDto(err) }));
});
