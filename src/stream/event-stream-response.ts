import { encodeEvent } from '../protocol/index.js';
import {
  DEFAULT_DONE,
  defaultError,
  encodeInit,
  iteratorOf,
  mapItem,
  type PipeOptions,
  stopIterator,
} from './pipe-events.js';

export interface EventStreamResponseOptions<T> extends PipeOptions<T> {
  readonly status?: number | undefined;
  readonly headers?: HeadersInit | undefined;
  /** `retry:` hint (ms) sent first. */
  readonly retry?: number | undefined;
  /** A comment at least this often (ms) while the source is quiet. 0: off. Default 15,000. */
  readonly heartbeatMs?: number | undefined;
  /**
   * The request's signal. Some runtimes do not cancel the body when the client leaves but do
   * abort this; either stops the source.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A Web `Response` that streams `source` as events, for fetch-style handlers (Hono, Next.js
 * route handlers, Deno, Bun). Items are pulled only as the client reads, so a slow client
 * slows the source instead of growing a buffer; a client that leaves stops the source.
 */
export function eventStreamResponse<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options: EventStreamResponseOptions<T> = {},
): Response {
  const encoder = new TextEncoder();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const iterator = iteratorOf(source);
  let closed = false;
  let lastWriteAt = Date.now();
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const enqueue = (text: string) => {
    if (closed || controller === undefined) return;
    controller.enqueue(encoder.encode(text));
    lastWriteAt = Date.now();
  };
  const finish = (stopSource: boolean, closeBody: boolean) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (stopSource) stopIterator(iterator);
    if (closeBody) controller?.close();
  };

  const body = new ReadableStream<Uint8Array>({
    start(started) {
      controller = started;
      const retry = options.retry === undefined ? '' : encodeEvent({ retry: options.retry });
      enqueue(`: ok\n${retry}\n`);
      if (heartbeatMs > 0) {
        heartbeat = setInterval(() => {
          if (Date.now() - lastWriteAt >= heartbeatMs) enqueue(':\n\n');
        }, heartbeatMs);
      }
      options.signal?.addEventListener('abort', () => finish(true, true), { once: true });
    },
    async pull() {
      try {
        const next = await iterator.next();
        if (closed) return;
        if (next.done) {
          const done = options.done ?? DEFAULT_DONE;
          if (done !== false) enqueue(encodeInit(done));
          finish(false, true);
          return;
        }
        enqueue(mapItem(next.value, options));
      } catch (error) {
        if (closed) return;
        const event = (options.error ?? defaultError)(error);
        if (event !== false) enqueue(encodeInit(event));
        finish(true, true);
      }
    },
    cancel() {
      finish(true, false);
    },
  });

  const headers = new Headers(options.headers);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-cache, no-transform');
  headers.set('x-accel-buffering', 'no');
  return new Response(body, { status: options.status ?? 200, headers });
}
