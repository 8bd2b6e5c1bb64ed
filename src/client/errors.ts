export type SseClientErrorCode =
  /** The server answered with an error status. */
  | 'http'
  /** The response was not `text/event-stream`. */
  | 'content-type'
  /** fetch failed or the connection broke. */
  | 'network'
  /** The server ended the stream cleanly (the client reconnects, as `EventSource` does). */
  | 'closed'
  /** Nothing arrived within `watchdogMs`. */
  | 'watchdog'
  /** The stream could not be parsed (e.g. a line over the length bound). */
  | 'parse'
  /** An event's data was not valid JSON although JSON decoding was asked for it. */
  | 'json'
  /** `maxRetries` reconnects in a row failed. */
  | 'retries-exhausted'
  /** An event handler threw. */
  | 'handler';

export class SseClientError extends Error {
  override readonly name: string = 'SseClientError';
  constructor(
    readonly code: SseClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A non-2xx answer, or 2xx other than 200/204. */
export class SseHttpError extends SseClientError {
  override readonly name = 'SseHttpError';
  constructor(
    readonly status: number,
    readonly statusText: string,
    /** The start of the response body, for the server's error message. */
    readonly body: string,
  ) {
    super(
      'http',
      `server answered ${status}${statusText ? ` ${statusText}` : ''}${body ? `: ${body}` : ''}`,
    );
  }
}

/** An event whose data could not be decoded as JSON; the raw event is kept. */
export class SseJsonError extends SseClientError {
  override readonly name = 'SseJsonError';
  constructor(
    readonly event: { readonly type: string; readonly data: string; readonly lastEventId: string },
    cause: unknown,
  ) {
    super('json', `event "${event.type}" has data that is not JSON`, { cause });
  }
}
