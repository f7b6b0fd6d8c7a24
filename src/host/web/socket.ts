import type { WebSocket } from 'ws';
import type { ResultMessage, UiHostMessage } from '../../shared/contract.js';
import { toErrorDto } from '../session/error-dto.js';
import type { HostSession } from '../session/session.js';

/** Close codes (RFC 6455): 1003 binary frames are not spoken here, 1008 a message broke the protocol. 1009 (too big) is ws's own. */
export const CLOSE_UNSUPPORTED = 1003;
export const CLOSE_POLICY = 1008;
/** The largest frame a dashboard sends is a request of a few hundred bytes; 1 MB is generous. */
export const MAX_FRAME = 1024 * 1024;
/** Calls one socket may have unanswered at once; more is a runaway client. */
const MAX_IN_FLIGHT = 256;
/** A client this far behind in reading its events is dropped rather than buffered for without bound. */
const MAX_BUFFERED = 64 * 1024 * 1024;

/**
 * One dashboard connection: CallMessages in, ResultMessages and every UiEvent out (UiHostMessage).
 * A message that is not JSON or not a call has no callId to answer to, so the socket is closed
 * with a policy code; a call with a bad channel or request gets an error result naming the field.
 * Nothing a client sends can throw out of here.
 */
export function serveSocket(ws: WebSocket, session: HostSession): void {
  let inFlight = 0;
  const send = (m: UiHostMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(m));
  };
  const off = session.onEvent(send);
  ws.on('close', off);
  // ws reports oversize frames and protocol errors here, then closes (1009/1002); without a listener it would throw.
  ws.on('error', () => {});

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(CLOSE_UNSUPPORTED, 'binary frames are not accepted');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      ws.close(CLOSE_POLICY, 'malformed JSON');
      return;
    }
    const m = message as { type?: unknown; callId?: unknown; channel?: unknown; request?: unknown } | null;
    if (typeof m !== 'object' || m === null || Array.isArray(m) || m.type !== 'call'
      || typeof m.callId !== 'number' || !Number.isSafeInteger(m.callId) || m.callId < 0) {
      ws.close(CLOSE_POLICY, 'expected {"type":"call","callId":N,"channel":…,"request":…}');
      return;
    }
    const callId = m.callId;
    if (inFlight >= MAX_IN_FLIGHT) {
      send({ type: 'result', callId, ok: false, error: { name: 'BusyError', message: `more than ${MAX_IN_FLIGHT} calls in flight on this connection` } });
      return;
    }
    inFlight++;
    session.call(m.channel, m.request).then(
      (response): ResultMessage => ({ type: 'result', callId, ok: true, response }),
      (err: unknown): ResultMessage => ({ type: 'result', callId, ok: false, error: toErrorDto(err) }),
    ).then((result) => {
      inFlight--;
      send(result);
    });
  });
}
