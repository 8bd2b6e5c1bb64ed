import { SseProtocolError } from './errors.js';

/** One event as it goes over the wire. Every field is optional; an empty object encodes to "". */
export interface SseEvent {
  /** Event payload. Split on CRLF, LF and CR into one `data:` line each, so any string survives. */
  readonly data?: string | undefined;
  /** Event type (`event:` field). Defaults to `message` on the client side. No CR, LF or NUL. */
  readonly event?: string | undefined;
  /** Event id (`id:` field), becomes the client's Last-Event-ID. No CR, LF or NUL. */
  readonly id?: string | undefined;
  /** Reconnection time hint in milliseconds (`retry:` field): a non-negative integer. */
  readonly retry?: number | undefined;
  /** A comment line (ignored by clients); multi-line comments become several comment lines. */
  readonly comment?: string | undefined;
}

// The spec splits lines on CRLF, a lone LF or a lone CR; all three must break data lines
// or a CR inside data would end the line early on the client side.
const LINE_BREAK = /\r\n|\r|\n/;
// NUL is refused too: the spec says an id containing U+0000 is ignored by the client,
// which would silently break resume.
const FORBIDDEN_IN_FIELD = /[\r\n\0]/;

export function assertValidId(id: string): void {
  if (FORBIDDEN_IN_FIELD.test(id)) {
    throw new SseProtocolError('id', 'event id must not contain CR, LF or NUL');
  }
}

export function assertValidEventType(event: string): void {
  if (FORBIDDEN_IN_FIELD.test(event)) {
    throw new SseProtocolError('event', 'event type must not contain CR, LF or NUL');
  }
}

export function assertValidRetry(retry: number): void {
  if (!Number.isSafeInteger(retry) || retry < 0) {
    throw new SseProtocolError('retry', `retry must be a non-negative integer, got ${retry}`);
  }
}

/** A comment block: `: text` lines. Never dispatched as an event by clients. */
export function encodeComment(text: string): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `: ${line}\n`;
  return out;
}

/**
 * Encodes one event, blank line included. Validates before writing anything, so a bad
 * field never produces half an event.
 */
export function encodeEvent(event: SseEvent): string {
  if (event.id !== undefined) assertValidId(event.id);
  if (event.event !== undefined) assertValidEventType(event.event);
  if (event.retry !== undefined) assertValidRetry(event.retry);

  let out = event.comment === undefined ? '' : encodeComment(event.comment);
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.retry !== undefined) out += `retry: ${event.retry}\n`;
  if (event.data !== undefined) {
    // The space after the colon is always written: the parser strips exactly one
    // leading space, so data that itself starts with a space keeps it.
    for (const line of event.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return out === '' ? '' : `${out}\n`;
}
