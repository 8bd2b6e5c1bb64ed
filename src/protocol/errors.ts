/** Which part of an event was refused. */
export type SseFieldName = 'id' | 'event' | 'retry' | 'data' | 'comment';

/**
 * Thrown when an event cannot be written as asked: writing it would let one field
 * break out into another line (an injection) or break the spec's field grammar.
 */
export class SseProtocolError extends Error {
  override readonly name = 'SseProtocolError';
  constructor(
    readonly field: SseFieldName,
    message: string,
  ) {
    super(`ssehub: ${message}`);
  }
}

/** Thrown by the parser when one event or line grows past its bound. */
export class SseParseError extends Error {
  override readonly name = 'SseParseError';
  constructor(message: string) {
    super(`ssehub: ${message}`);
  }
}
