import { SseParseError } from '../protocol/errors.js';
import { createByteParser, type ParsedEvent } from '../protocol/parse.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { SseClientError, SseHttpError, SseJsonError } from './errors.js';
import { createListeners } from './listeners.js';
import { checkDurations } from './options.js';
import { bodyStart, discard, resetReason } from './response.js';
import {
  CLOSED,
  CONNECTING,
  type ConnectOptions,
  type EventMap,
  type EventOf,
  OPEN,
  type ReadyState,
  type SseClient,
  type SseEvent,
} from './types.js';

/** How one attempt ended: stop for good, or reconnect after a delay. */
type Outcome =
  | { readonly stop: true; readonly error?: SseClientError }
  | {
      readonly stop: false;
      readonly error: SseClientError;
      readonly healthy: boolean;
      readonly retryAfterMs?: number | undefined;
    };

/**
 * Opens an SSE stream over `fetch` and keeps it open: reconnects with backoff, resumes with
 * `Last-Event-ID`, and reopens a connection that went silent. See `ConnectOptions`.
 */
export function connect<M extends EventMap = Record<string, string>>(
  url: string | URL,
  options: ConnectOptions = {},
): SseClient<M> {
  const href = new URL(url, globalThis.location?.href).href;
  checkDurations(options);
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const reconnect = options.reconnect ?? {};
  const policy = {
    minDelayMs: reconnect.minDelayMs ?? 100,
    maxDelayMs: reconnect.maxDelayMs ?? 30_000,
  };
  const healthyAfterMs = reconnect.healthyAfterMs ?? 10_000;
  const maxRetries = reconnect.maxRetries ?? Number.POSITIVE_INFINITY;
  const watchdogMs = options.watchdogMs ?? 45_000;
  const jsonTypes = options.json;
  const decodesJson = (type: string) =>
    jsonTypes === true || (Array.isArray(jsonTypes) && jsonTypes.includes(type));

  let readyState: ReadyState = CONNECTING;
  let stopped = false;
  let baseDelayMs = reconnect.initialDelayMs ?? 1000;
  let attempt = 0;
  let firstConnect = true;
  let current: AbortController | undefined;
  let wakeFromSleep: (() => void) | undefined;
  let resolveClosed: (error: SseClientError | undefined) => void = () => {};
  const closed = new Promise<SseClientError | undefined>((resolve) => {
    resolveClosed = resolve;
  });

  const listeners = createListeners((error) => {
    const wrapped = new SseClientError('handler', 'an event handler threw', { cause: error });
    if (options.onError) options.onError(wrapped);
    // Without onError a handler's bug must not vanish; it surfaces as EventEmitter's would.
    else
      queueMicrotask(() => {
        throw error;
      });
  });

  const parser = createByteParser(
    {
      onEvent: dispatch,
      onRetry(ms) {
        baseDelayMs = ms;
      },
    },
    { lastEventId: options.lastEventId ?? '' },
  );

  function dispatch(parsed: ParsedEvent): void {
    if (stopped) return;
    let data: unknown = parsed.data;
    if (decodesJson(parsed.type)) {
      try {
        data = JSON.parse(parsed.data);
      } catch (cause) {
        const error = new SseJsonError(parsed, cause);
        if (options.onError) options.onError(error);
        else console.warn(error);
        return;
      }
    }
    if (parsed.type === 'reset') options.onReset?.({ reason: resetReason(parsed.data) });
    const event: SseEvent<string, unknown> = {
      type: parsed.type,
      data,
      lastEventId: parsed.lastEventId,
    };
    listeners.dispatch(event, () => !stopped);
  }

  function stop(error?: SseClientError): void {
    if (stopped) return;
    stopped = true;
    readyState = CLOSED;
    options.signal?.removeEventListener('abort', close);
    current?.abort();
    wakeFromSleep?.();
    if (error) options.onError?.(error);
    listeners.end(error);
    options.onClose?.(error);
    resolveClosed(error);
  }

  function close(): void {
    stop();
  }

  function requestUrl(): string {
    const id = parser.lastEventId;
    if (!firstConnect || options.lastEventIdParam === undefined || id === '') return href;
    const withId = new URL(href);
    withId.searchParams.set(options.lastEventIdParam, id);
    return withId.href;
  }

  async function requestInit(signal: AbortSignal, idInQuery: boolean): Promise<RequestInit> {
    const given = typeof options.headers === 'function' ? await options.headers() : options.headers;
    const headers = new Headers(given);
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    const id = parser.lastEventId;
    if (id !== '' && !idInQuery) headers.set('last-event-id', id);
    else headers.delete('last-event-id');
    const init: RequestInit = {
      method: options.method ?? 'GET',
      headers,
      signal,
      cache: 'no-store',
    };
    if (options.credentials !== undefined) init.credentials = options.credentials;
    if (options.body !== undefined) {
      init.body = typeof options.body === 'function' ? await options.body() : options.body;
    }
    return init;
  }

  async function attemptOnce(): Promise<Outcome> {
    const controller = new AbortController();
    current = controller;
    let lastActivity = Date.now();
    let silent = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    // One timer per connection, re-armed only when it fires: no timer churn per chunk.
    const check = () => {
      const idle = Date.now() - lastActivity;
      if (idle < watchdogMs) {
        watchdog = setTimeout(check, watchdogMs - idle);
        return;
      }
      silent = true;
      controller.abort();
    };
    if (watchdogMs > 0) watchdog = setTimeout(check, watchdogMs);
    let openedAt: number | undefined;
    const retry = (error: SseClientError, retryAfterMs?: number): Outcome => ({
      stop: false,
      error,
      retryAfterMs,
      healthy: openedAt !== undefined && Date.now() - openedAt >= healthyAfterMs,
    });
    const broken = (cause: unknown, what: string): Outcome => {
      if (stopped) return { stop: true };
      if (silent) {
        return retry(new SseClientError('watchdog', `nothing received for ${watchdogMs} ms`));
      }
      if (cause instanceof SseParseError) {
        return retry(new SseClientError('parse', cause.message, { cause }));
      }
      const reason = cause instanceof Error ? cause.message : String(cause);
      return retry(new SseClientError('network', `${what}: ${reason}`, { cause }));
    };

    try {
      let response: Response;
      try {
        const url = requestUrl();
        const init = await requestInit(controller.signal, url !== href);
        firstConnect = false;
        response = await fetchImpl(url, init);
      } catch (cause) {
        return broken(cause, 'could not connect');
      }
      if (response.status === 204) {
        await discard(response);
        return { stop: true };
      }
      if (response.status !== 200) {
        const error = new SseHttpError(
          response.status,
          response.statusText,
          await bodyStart(response),
        );
        if (response.status === 429 || response.status >= 500) {
          return retry(error, parseRetryAfter(response.headers.get('retry-after')));
        }
        return { stop: true, error };
      }
      const type = response.headers.get('content-type');
      if (type?.split(';')[0]?.trim().toLowerCase() !== 'text/event-stream' || !response.body) {
        await discard(response);
        const got = response.body ? (type ?? 'no content type') : 'no body';
        return {
          stop: true,
          error: new SseClientError('content-type', `expected text/event-stream, got ${got}`),
        };
      }
      if (stopped) return { stop: true };
      parser.reset();
      readyState = OPEN;
      openedAt = Date.now();
      options.onOpen?.(response);
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          lastActivity = Date.now();
          if (stopped) return { stop: true };
          parser.feed(value);
        }
      } catch (cause) {
        return broken(cause, 'connection lost');
      }
      if (stopped) return { stop: true };
      return retry(new SseClientError('closed', 'the server ended the stream'));
    } finally {
      clearTimeout(watchdog);
      // Frees the connection on every path out, including a parse error mid-body.
      controller.abort();
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      const outcome = await attemptOnce();
      if (stopped) return;
      if (outcome.stop) {
        stop(outcome.error);
        return;
      }
      readyState = CONNECTING;
      if (outcome.healthy) attempt = 0;
      if (attempt >= maxRetries) {
        stop(
          new SseClientError(
            'retries-exhausted',
            `gave up after ${attempt} reconnects: ${outcome.error.message}`,
            {
              cause: outcome.error,
            },
          ),
        );
        return;
      }
      const delayMs = Math.max(
        backoffDelay(policy, baseDelayMs, attempt),
        outcome.retryAfterMs ?? 0,
      );
      attempt++;
      options.onError?.(outcome.error, { delayMs, attempt });
      if (stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wakeFromSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeFromSleep = undefined;
    }
  }

  if (options.signal?.aborted) stop();
  else {
    options.signal?.addEventListener('abort', close, { once: true });
    run().catch((cause: unknown) => {
      stop(new SseClientError('network', 'the client failed unexpectedly', { cause }));
    });
  }

  type Handler<K extends keyof M & string> = (event: SseEvent<K, M[K]>) => void;
  return {
    get readyState() {
      return readyState;
    },
    get lastEventId() {
      return parser.lastEventId;
    },
    url: href,
    closed,
    on<K extends keyof M & string>(type: K, handler: Handler<K>) {
      return listeners.on(type, handler as (event: SseEvent<string, unknown>) => void);
    },
    off<K extends keyof M & string>(type: K, handler: Handler<K>) {
      listeners.off(type, handler as (event: SseEvent<string, unknown>) => void);
    },
    close,
    [Symbol.asyncIterator]() {
      return listeners.iterate(close) as AsyncIterator<EventOf<M>>;
    },
  };
}
