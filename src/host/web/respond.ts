import type { ServerResponse } from 'node:http';
import type { ErrorDto } from '../../shared/dto.js';

/** A plain-text answer (errors before any API logic ran, and the "not built" page). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`${text}\n`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

/** An API error: `{ "error": ErrorDto }`. */
export function sendError(res: ServerResponse, status: number, error: ErrorDto): void {
  sendJson(res, status, { error });
}
