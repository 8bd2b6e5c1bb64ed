import { encodeEvent, type SseEvent } from '../protocol/index.js';

/** What `send` takes: a string is the data; an object names its fields. */
export type EventInit =
  | string
  | {
      /** A string goes as it is; anything else as JSON. */
      readonly data?: unknown;
      readonly event?: string | undefined;
      readonly id?: string | undefined;
      readonly retry?: number | undefined;
    };

/** How `pipe` and `eventStreamResponse` turn an iterable into events. */
export interface PipeOptions<T> {
  /** Item → event. Default: strings are data, anything else is JSON data. */
  readonly map?: ((item: T) => EventInit) | undefined;
  /** Event type for mapped items that name none. Default none (`message`). */
  readonly event?: string | undefined;
  /** Sent after the last item. Default `event: done` with empty data; false sends nothing. */
  readonly done?: EventInit | false | undefined;
  /**
   * Sent when the iterable throws. Default `event: error` with `{"message":"stream failed"}`:
   * upstream error text can hold secrets, so it is not sent unless you choose to here.
   */
  readonly error?: ((error: unknown) => EventInit | false) | undefined;
}

/** How a pipe ended: every item and `done` sent; the client left; or the iterable threw. */
export type PipeResult = 'done' | 'cancelled' | 'error';

export const DEFAULT_DONE: EventInit = { event: 'done', data: '' };
export const defaultError = (): EventInit => ({
  event: 'error',
  data: { message: 'stream failed' },
});

/** Encodes an `EventInit`; throws `SseProtocolError` for bad fields before anything is sent. */
export function encodeInit(init: EventInit, defaultType?: string): string {
  if (typeof init === 'string') return encodeEvent({ data: init, event: defaultType });
  const event: SseEvent = {
    data:
      init.data === undefined
        ? undefined
        : typeof init.data === 'string'
          ? init.data
          : JSON.stringify(init.data),
    event: init.event ?? defaultType,
    id: init.id,
    retry: init.retry,
  };
  return encodeEvent(event);
}

export function mapItem<T>(item: T, options: PipeOptions<T>): string {
  if (options.map) return encodeInit(options.map(item), options.event);
  return encodeInit(typeof item === 'string' ? item : { data: item }, options.event);
}

/** An iterator over sync or async iterables, so both pipe alike. */
export function iteratorOf<T>(
  source: AsyncIterable<T> | Iterable<T>,
): AsyncIterator<T> | Iterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  return source[Symbol.iterator]();
}

/** Stops an upstream without waiting on it: a generator mid-step stops after that step. */
export function stopIterator<T>(iterator: AsyncIterator<T> | Iterator<T>): void {
  try {
    Promise.resolve(iterator.return?.()).catch(() => {});
  } catch {
    // An iterator whose return throws is stopped as far as we can.
  }
}
