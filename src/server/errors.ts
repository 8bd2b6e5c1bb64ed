import type { HttpResponse } from '../stream/index.js';

/** A request the server refuses with a JSON error body. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Writes `{ "error": { "code", "message" } }` unless a response is already under way. */
export function sendError(
  res: HttpResponse,
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: { code, message } }, headers);
}

export function sendJson(
  res: HttpResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  const all: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  };
  // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2); node:http2 would throw.
  if ('stream' in res) delete all.connection;
  res.writeHead(status, all);
  res.end(text);
}
