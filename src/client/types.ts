import type { SseClientError } from './errors.js';

/** Event names mapped to the type of their data. Data is a string unless decoded as JSON. */
export type EventMap = Record<string, unknown>;

/** One dispatched event, as `EventSource` would deliver it. */
export interface SseEvent<K extends string = string, T = string> {
  readonly type: K;
  readonly data: T;
  /** The stream's last event id at dispatch time; persists over events without `id:`. */
  readonly lastEventId: string;
}

/** Any event of the map, as a union discriminated by `type`. */
export type EventOf<M extends EventMap> = {
  [K in keyof M & string]: SseEvent<K, M[K]>;
}[keyof M & string];

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSED = 2;
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED;

/** What the hub says when it cannot resume from the id the client sent. */
export interface ResetInfo {
  /** `unknown-id`, `expired`, `other-epoch`, or whatever the server sent. */
  readonly reason: string;
}

export interface ReconnectOptions {
  /** First delay (ms) before the server sends `retry:`. Default 1,000. */
  readonly initialDelayMs?: number | undefined;
  /** Upper bound for one delay (ms). Default 30,000. */
  readonly maxDelayMs?: number | undefined;
  /** Lower bound for one delay (ms), so that even `retry: 0` cannot loop tightly. Default 100. */
  readonly minDelayMs?: number | undefined;
  /** A connection open this long (ms) counts as healthy: the backoff starts over. Default 10,000. */
  readonly healthyAfterMs?: number | undefined;
  /** Reconnects in a row without a healthy connection before giving up. Default: never give up. */
  readonly maxRetries?: number | undefined;
}

type Awaitable<T> = T | Promise<T>;

export interface ConnectOptions {
  /** Default GET. */
  readonly method?: string | undefined;
  /** Sent on every attempt; a function is called again on each one (fresh tokens). */
  readonly headers?: HeadersInit | (() => Awaitable<HeadersInit>) | undefined;
  /** Request body (with POST). A function is called again on each attempt. */
  readonly body?: BodyInit | (() => Awaitable<BodyInit>) | undefined;
  readonly credentials?: RequestCredentials | undefined;
  /** Aborting it is the same as `close()`. */
  readonly signal?: AbortSignal | undefined;
  /** Replaces the global `fetch` (tests, proxies, instrumentation). */
  readonly fetch?: typeof fetch | undefined;
  /** Resume from this id, e.g. one the app saved before a reload. */
  readonly lastEventId?: string | undefined;
  /**
   * Send `lastEventId` as this query parameter on the first connect instead of the
   * `Last-Event-ID` header (which makes browsers send a CORS preflight). Reconnects use the header.
   */
  readonly lastEventIdParam?: string | undefined;
  /** Decode `data` as JSON: for every event type, or for the listed ones. Default none. */
  readonly json?: boolean | readonly string[] | undefined;
  readonly reconnect?: ReconnectOptions | undefined;
  /**
   * With no bytes at all (not even a heartbeat comment) for this long (ms), the connection is
   * taken as dead and reopened. Set it above the server's heartbeat interval. 0 turns it off.
   * Default 45,000 (three of ssehub's default 15 s heartbeats).
   */
  readonly watchdogMs?: number | undefined;
  /** A connection opened (status 200, event-stream). */
  onOpen?(response: Response): void;
  /**
   * Something went wrong. With `retry`, the client reconnects after `retry.delayMs`; without it,
   * it has stopped for good.
   */
  onError?(
    error: SseClientError,
    retry?: { readonly delayMs: number; readonly attempt: number },
  ): void;
  /** The hub could not resume from our id: reload state, as events were missed. */
  onReset?(info: ResetInfo): void;
  /** The client stopped for good: `close()`, 204, a fatal error (then `error` is set). */
  onClose?(error?: SseClientError): void;
}

export interface SseClient<M extends EventMap> extends AsyncIterable<EventOf<M>> {
  readonly readyState: ReadyState;
  /** What is sent as `Last-Event-ID` on the next reconnect. */
  readonly lastEventId: string;
  /** The URL of the stream. */
  readonly url: string;
  /** Resolves when the client has stopped for good, with the error that stopped it, if any. */
  readonly closed: Promise<SseClientError | undefined>;
  /** Calls `handler` for each event of `type`; returns a function that removes it. */
  on<K extends keyof M & string>(type: K, handler: (event: SseEvent<K, M[K]>) => void): () => void;
  off<K extends keyof M & string>(type: K, handler: (event: SseEvent<K, M[K]>) => void): void;
  /** Stops for good: aborts the request, cancels any reconnect; no event is dispatched after. */
  close(): void;
}
