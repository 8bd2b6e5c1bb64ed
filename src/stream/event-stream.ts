import { encodeComment } from '../protocol/index.js';
import type { CompressionOption } from './compression.js';
import {
  DEFAULT_DONE,
  defaultError,
  type EventInit,
  encodeInit,
  iteratorOf,
  mapItem,
  type PipeOptions,
  type PipeResult,
  stopIterator,
} from './pipe-events.js';
import { openSseStream } from './sse-stream.js';
import type { CloseReason, HttpRequest, HttpResponse } from './types.js';

export interface EventStreamOptions {
  /** A comment at least this often (ms) on a quiet stream, so proxies keep it open. 0: off. Default 15,000. */
  readonly heartbeatMs?: number | undefined;
  /** `retry:` hint (ms) sent first. Default none. */
  readonly retry?: number | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** `send` waits while more than this many bytes are queued for the client. Default 64 KiB. */
  readonly highWaterMark?: number | undefined;
  /** Past this many queued bytes (sends not awaited) the client is cut as too slow. Default 1 MiB. */
  readonly maxQueueBytes?: number | undefined;
  /** Opt-in gzip/brotli, flushed after every event. Default off. */
  readonly compression?: CompressionOption | undefined;
}

/** One request-scoped event stream: no hub, no topics, just this client. */
export interface EventStream {
  /**
   * Sends one event. Resolves once the client's queue is below `highWaterMark`, to true, or to
   * false if the stream is closed (the event was not sent). Throws `SseProtocolError` for a bad
   * `id` or `event` before anything is written.
   */
  send(event: EventInit): Promise<boolean>;
  /** A comment line; clients ignore it. False if closed. */
  comment(text: string): boolean;
  /** Ends the response. Safe to call twice. */
  close(): void;
  readonly closed: boolean;
  /** Aborted when the stream ends for any reason; its `reason` is the `CloseReason`. */
  readonly signal: AbortSignal;
  /**
   * Sends each item of `source` as an event, then `done`; on a failure, an `error` event. When
   * the client goes away the upstream iterator is stopped (its `return()` is called), so a
   * generator's `finally` runs and an LLM request can be aborted. Closes the stream after.
   */
  pipe<T>(source: AsyncIterable<T> | Iterable<T>, options?: PipeOptions<T>): Promise<PipeResult>;
}

/**
 * Turns a node:http or node:http2 request into an event stream:
 * headers and an opening comment at once, heartbeats, backpressure, close detection.
 */
export function createEventStream(
  req: HttpRequest,
  res: HttpResponse,
  options: EventStreamOptions = {},
): EventStream {
  const highWaterMark = options.highWaterMark ?? 64 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const controller = new AbortController();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = openSseStream(req, res, {
    maxQueueBytes: options.maxQueueBytes ?? 1024 * 1024,
    retry: options.retry,
    headers: options.headers,
    compression: options.compression,
    onClose(reason: CloseReason) {
      clearInterval(heartbeat);
      controller.abort(reason);
    },
  });
  if (!stream.closed && heartbeatMs > 0) {
    heartbeat = setInterval(() => {
      if (Date.now() - stream.lastWriteAt >= heartbeatMs) stream.write(':\n\n');
    }, heartbeatMs);
    heartbeat.unref();
  }

  async function write(encoded: string): Promise<boolean> {
    if (!stream.write(encoded)) return false;
    while (!stream.closed && stream.queuedBytes > highWaterMark) await stream.drained();
    return !stream.closed;
  }

  const eventStream: EventStream = {
    send(event) {
      try {
        return write(encodeInit(event));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    comment(text) {
      return stream.write(encodeComment(text));
    },
    close() {
      stream.close('closed-by-server');
    },
    get closed() {
      return stream.closed;
    },
    signal: controller.signal,
    async pipe(source, pipeOptions = {}) {
      const result = await pump(source, pipeOptions, write, controller.signal);
      stream.close('closed-by-server');
      return result;
    },
  };
  return eventStream;
}

const ABORTED = Symbol('aborted');

/** Feeds `source` into `write` until it ends, fails, or `signal` aborts. */
async function pump<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options: PipeOptions<T>,
  write: (encoded: string) => Promise<boolean>,
  signal: AbortSignal,
): Promise<PipeResult> {
  if (signal.aborted) return 'cancelled';
  const iterator = iteratorOf(source);
  // Waiting on the upstream must not outlive the client: a model that takes a minute for its
  // next token is stopped as soon as the client leaves, not a minute later.
  const aborted = new Promise<typeof ABORTED>((resolve) =>
    signal.addEventListener('abort', () => resolve(ABORTED), { once: true }),
  );
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === ABORTED) return 'cancelled';
      if (next.done) {
        finished = true;
        const done = options.done ?? DEFAULT_DONE;
        if (done !== false) await write(encodeInit(done));
        return 'done';
      }
      if (!(await write(mapItem(next.value, options)))) return 'cancelled';
    }
  } catch (error) {
    if (signal.aborted) return 'cancelled';
    const event = (options.error ?? defaultError)(error);
    if (event !== false) await write(encodeInit(event));
    return 'error';
  } finally {
    if (!finished) stopIterator(iterator);
  }
}
