/** Who an event is for. */
export type Recipients =
  | { readonly kind: 'topics'; readonly topics: readonly string[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'client'; readonly clientId: string }
  /** Every connection of one user (the `subject` their auth named), here and on resume. */
  | { readonly kind: 'subject'; readonly subject: string };

/** An event as a publisher hands it to the hub, before it has an id. */
export interface EventInput {
  readonly to: Recipients;
  readonly data: string;
  readonly event?: string | undefined;
  /** A publisher-chosen id; unique within history. The store assigns one when absent. */
  readonly id?: string | undefined;
  readonly retry?: number | undefined;
  /**
   * Only for connections whose auth grants one of the event's topics; never for anonymous
   * ones, live or in a replay.
   */
  readonly private?: boolean | undefined;
  /** Not an event for the client but an order for the node holding it (only to one client). */
  readonly control?: 'disconnect' | undefined;
}

/** An event once the history store has accepted it. */
export interface StoredEvent extends EventInput {
  readonly id: string;
  /** Milliseconds since the epoch, when the store accepted it. */
  readonly publishedAt: number;
}

/** Why a resume cannot be served from history; sent to the client in a `reset` event. */
export type ResetReason = 'unknown-id' | 'expired' | 'other-epoch';

export type ReadResult =
  | { readonly ok: true; readonly events: readonly StoredEvent[] }
  /** `head` is the id of the newest position now, a valid resume point from here on. */
  | { readonly ok: false; readonly reason: ResetReason; readonly head: string };

/** Assigns ids and keeps a bounded tail of events for resume. */
export interface HistoryStore {
  /** Stores the event and returns it with its id. Rejects a publisher id already in history. */
  append(input: EventInput): Promise<StoredEvent>;
  /** Every stored event after `lastEventId`, oldest first, or why that cannot be answered. */
  readAfter(lastEventId: string): Promise<ReadResult>;
  close(): Promise<void>;
  /** Whether the engine behind it is reachable now (readiness). Absent: always. */
  isConnected?(): boolean;
}

export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly eventId: string) {
    super(`ssehub: an event with id "${eventId}" is already in history`);
  }
}
