import { SseParseError } from './errors.js';

/** An event as `EventSource` would dispatch it. */
export interface ParsedEvent {
  /** `event:` field, or `message` when absent. */
  readonly type: string;
  readonly data: string;
  /** The stream's last event id at dispatch time (persists across events, as in the spec). */
  readonly lastEventId: string;
}

export interface ParserCallbacks {
  onEvent(event: ParsedEvent): void;
  /** A valid `retry:` field (ASCII digits only). */
  onRetry?(ms: number): void;
  /** A comment line, without the colon and one leading space. Heartbeats arrive here. */
  onComment?(text: string): void;
}

export interface ParserOptions {
  /**
   * Most UTF-16 code units one event (its data plus the line being read) may buffer before
   * `feed` throws `SseParseError`. Without it a peer that never sends a newline grows memory
   * without end. Default: 16 Mi.
   */
  readonly maxEventLength?: number;
  /** The last event id to start from, e.g. one saved by an earlier session. Default ''. */
  readonly lastEventId?: string;
}

export interface Parser {
  /** Feeds decoded text; any chunking is fine (a CRLF may be split across calls). */
  feed(chunk: string): void;
  /**
   * Starts a new stream (after a reconnect): drops any half-read event and expects a BOM
   * again. The last event id is kept, as the spec keeps it across reconnects.
   */
  reset(): void;
  /** The last event id seen so far; what a client sends as Last-Event-ID. */
  readonly lastEventId: string;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const BOM = 0xfeff;
const DIGITS_ONLY = /^[0-9]+$/;

/**
 * A streaming parser for `text/event-stream` following the WHATWG "interpreting an event
 * stream" rules: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createParser(callbacks: ParserCallbacks, options: ParserOptions = {}): Parser {
  const maxEventLength = options.maxEventLength ?? 16 * 1024 * 1024;
  let atStreamStart = true;
  let pendingLine = '';
  // A chunk that ended in CR: if the next starts with LF, that LF belongs to the same CRLF.
  let skipLeadingLF = false;
  let data = '';
  let eventType = '';
  let lastEventId = options.lastEventId ?? '';
  let lastEventIdBuffer = lastEventId;

  function dispatch(): void {
    // "Set the last event ID string of the event source to the value of the last event ID buffer."
    lastEventId = lastEventIdBuffer;
    // "If the data buffer is an empty string, set the data buffer and the event type buffer to
    // the empty string and return." — checked before the trailing LF is removed, so a lone
    // `data:` line still dispatches an event with empty data.
    if (data === '') {
      eventType = '';
      return;
    }
    const payload = data.charCodeAt(data.length - 1) === LF ? data.slice(0, -1) : data;
    const type = eventType === '' ? 'message' : eventType;
    data = '';
    eventType = '';
    callbacks.onEvent({ type, data: payload, lastEventId });
  }

  function processField(field: string, value: string): void {
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data += `${value}\n`;
        if (data.length > maxEventLength) {
          data = '';
          throw new SseParseError(`event data exceeds ${maxEventLength} characters`);
        }
        break;
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer."
        if (!value.includes('\0')) lastEventIdBuffer = value;
        break;
      case 'retry':
        if (DIGITS_ONLY.test(value)) callbacks.onRetry?.(Number.parseInt(value, 10));
        break;
      default:
      // "Otherwise: The field is ignored."
    }
  }

  function processLine(line: string): void {
    if (line === '') {
      dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      callbacks.onComment?.(line.charCodeAt(1) === SPACE ? line.slice(2) : line.slice(1));
      return;
    }
    if (colon === -1) {
      processField(line, '');
      return;
    }
    const valueStart = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    processField(line.slice(0, colon), line.slice(valueStart));
  }

  function feed(chunk: string): void {
    if (chunk.length === 0) return;
    let pos = 0;
    if (atStreamStart) {
      atStreamStart = false;
      // One leading U+FEFF is the stream's BOM; a second would be part of the first field name.
      if (chunk.charCodeAt(0) === BOM) pos = 1;
    }
    if (skipLeadingLF) {
      skipLeadingLF = false;
      if (chunk.charCodeAt(pos) === LF) pos++;
    }
    // Cached so that a stream with no CR at all does not rescan to the end for every line.
    let nextCR = -2;
    let nextLF = -2;
    while (pos < chunk.length) {
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf('\r', pos);
      if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf('\n', pos);
      const end = nextCR === -1 ? nextLF : nextLF === -1 ? nextCR : Math.min(nextCR, nextLF);
      if (end === -1) {
        pendingLine += chunk.slice(pos);
        if (pendingLine.length + data.length > maxEventLength) {
          pendingLine = '';
          throw new SseParseError(`line exceeds ${maxEventLength} characters`);
        }
        return;
      }
      const line = pendingLine === '' ? chunk.slice(pos, end) : pendingLine + chunk.slice(pos, end);
      pendingLine = '';
      pos = end + 1;
      if (chunk.charCodeAt(end) === CR) {
        if (pos === chunk.length) skipLeadingLF = true;
        else if (chunk.charCodeAt(pos) === LF) pos++;
      }
      processLine(line);
    }
  }

  return {
    feed,
    reset() {
      atStreamStart = true;
      pendingLine = '';
      skipLeadingLF = false;
      data = '';
      eventType = '';
      // The spec keeps the last event ID across reconnects; the buffer is reset to it.
      lastEventIdBuffer = lastEventId;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

/**
 * Wraps a parser for byte input (fetch bodies, sockets). UTF-8 is decoded in streaming mode so
 * a character split across chunks survives; invalid bytes become U+FFFD as the spec requires.
 * The decoder keeps the BOM so the parser strips exactly one, as the spec does.
 */
export function createByteParser(
  callbacks: ParserCallbacks,
  options: ParserOptions = {},
): { feed(bytes: Uint8Array): void; reset(): void; readonly lastEventId: string } {
  const parser = createParser(callbacks, options);
  let decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return {
    feed(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
    },
    reset() {
      decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      parser.reset();
    },
    get lastEventId() {
      return parser.lastEventId;
    },
  };
}
