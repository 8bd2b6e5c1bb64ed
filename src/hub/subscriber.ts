import type { StoredEvent } from '../history/types.js';
import type { Frame, SseStream } from '../stream/index.js';
import type { Member } from './types.js';

/** What the hub keeps per connection. Mutable counters live here, not in a side table. */
export interface Subscriber {
  readonly id: string;
  readonly subscriptions: readonly string[];
  /** Whether a published topic matches any of `subscriptions` (compiled once). */
  readonly matches: (topic: string) => boolean;
  readonly remoteAddress: string;
  readonly subject: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly requestId: string | undefined;
  /** Subscriptions that announce joins and leaves (exact topics under `presence`). */
  readonly presenceTopics: readonly string[];
  /** Whether a private event on this topic may go to this connection. */
  readonly mayReceivePrivate: (topic: string) => boolean;
  /** Closes the stream when its credentials expire. */
  expiry: ReturnType<typeof setTimeout> | undefined;
  readonly connectedAt: number;
  readonly stream: SseStream;
  eventsSent: number;
  bytesSent: number;
  /** Last fan-out this subscriber received; an event matching several subscriptions goes once. */
  stamp: number;
  /** Live events held back while history is replayed, so the seam has no gap and no repeat. */
  held: { event: StoredEvent; frame: Frame }[] | undefined;
  heldBytes: number;
}

/** A connection as the registry shows it (`GET /clients`). */
export interface ClientInfo {
  readonly id: string;
  readonly topics: readonly string[];
  readonly remoteAddress: string;
  /** The user, when the app's auth named one. */
  readonly subject?: string | undefined;
  /** The hub node holding the connection. */
  readonly node: string;
  /** What presence shows of it (`?meta=`). */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** ISO 8601. */
  readonly connectedAt: string;
  readonly eventsSent: number;
  readonly bytesSent: number;
  /** Bytes written but not yet sent: a client falling behind shows here first. */
  readonly queuedBytes: number;
  readonly durationSeconds: number;
  /** Events sent per second over the connection's life. */
  readonly eventsPerSecond: number;
}

/** Per second, to two decimals. */
export function rate(count: number, durationMs: number): number {
  return durationMs <= 0 ? 0 : Math.round((count / durationMs) * 100_000) / 100;
}

export function clientInfo(subscriber: Subscriber, node: string): ClientInfo {
  const durationMs = Date.now() - subscriber.connectedAt;
  return {
    id: subscriber.id,
    topics: subscriber.subscriptions,
    remoteAddress: subscriber.remoteAddress,
    subject: subscriber.subject,
    node,
    metadata: subscriber.metadata,
    connectedAt: new Date(subscriber.connectedAt).toISOString(),
    eventsSent: subscriber.eventsSent,
    bytesSent: subscriber.bytesSent,
    queuedBytes: subscriber.stream.queuedBytes,
    durationSeconds: Math.round(durationMs / 100) / 10,
    eventsPerSecond: rate(subscriber.eventsSent, durationMs),
  };
}

export function memberOf(subscriber: Subscriber): Member {
  return {
    clientId: subscriber.id,
    subject: subscriber.subject,
    metadata: subscriber.metadata,
    connectedAt: new Date(subscriber.connectedAt).toISOString(),
  };
}
