import type { Bus } from '../bus/index.js';
import type { HistoryStore, StoredEvent } from '../history/index.js';
import type { CompressionOption, HttpRequest, HttpResponse } from '../stream/index.js';
import type { Logger } from './logger.js';
import type { EventFields, PublishInput } from './publish-input.js';
import type { ClientInfo } from './subscriber.js';

/**
 * Which client ids are connected anywhere in a cluster, so a push to a client on another node
 * is accepted (and reaches it through the bus) while one to nobody still gets 404.
 */
export interface ClientDirectory {
  register(client: ClientInfo): void;
  unregister(clientId: string): void;
  /** Whether some node has this client now. */
  has(clientId: string): Promise<boolean>;
  /** Every node's clients, for `GET /clients` across the cluster. */
  list?(): Promise<ClientInfo[]>;
  /** Gives the directory this node's current clients, to answer other nodes. */
  attach?(local: () => ClientInfo[]): void;
  close?(): Promise<void>;
}

export interface HubOptions {
  /** Where events are kept for resume. Default: in memory, 10,000 events / 64 MiB / 1 hour. */
  readonly history?: HistoryStore | undefined;
  /** How events reach every node. Default: this process only. */
  readonly bus?: Bus | undefined;
  /** Names this node in client lists. Default `<hostname>:<pid>:<4 random hex>`. */
  readonly nodeId?: string | undefined;
  /** Clients on other nodes. Default: this node only. */
  readonly directory?: ClientDirectory | undefined;
  /** A heartbeat comment at least this often (ms) on an otherwise quiet stream. 0 turns them off. Default 15,000. */
  readonly heartbeatMs?: number | undefined;
  /** `retry:` hint (ms) sent when a stream opens. Default 3,000. */
  readonly retryMs?: number | undefined;
  /** Bytes a subscriber may fall behind before it is disconnected. Default 1 MiB. */
  readonly maxQueueBytes?: number | undefined;
  /** Largest event (data plus type, UTF-8 bytes). Default 256 KiB. */
  readonly maxEventBytes?: number | undefined;
  /** Most topics in one subscription. Default 32. */
  readonly maxTopicsPerSubscriber?: number | undefined;
  /** Longest topic or pattern. Default 256. */
  readonly maxTopicLength?: number | undefined;
  /** Send `event: connected` with the client id first on each stream. Default true. */
  readonly connectedEvent?: boolean | undefined;
  /**
   * Compress streams for clients that accept it (`true`: brotli, else gzip), flushed per event.
   * Off by default: each compressed stream costs CPU of its own, where plain streams share one
   * encoded buffer per event. Worth it for large, repetitive events over slow links.
   */
  readonly compression?: CompressionOption | undefined;
  readonly onFanOut?: FanOutObserver | undefined;
  /**
   * Topics (or patterns) that announce who is there: a stream subscribing to such a topic by
   * name publishes `event: presence` `{"action":"join",…}` to it, and `"leave"` when it ends.
   */
  readonly presence?: readonly string[] | undefined;
  readonly logger?: Logger | undefined;
}

export interface SubscribeOptions {
  /** Topics or patterns (see `matchesTopic`). At least one. */
  readonly topics: readonly string[];
  /**
   * Resume after this id: replays what was missed, or sends `reset` when that is impossible.
   * Default: the request's `Last-Event-ID` header.
   */
  readonly lastEventId?: string | undefined;
  /** Extra response headers (e.g. CORS). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Who this is (a user id from the app's auth): shown in the client list, target of `sendToSubject`. */
  readonly subject?: string | undefined;
  /**
   * Topics and patterns whose private events this connection may receive: its auth grant.
   * `'all'` where there is no auth at all. Default none: private events are opt-in per connection.
   */
  readonly privateTopics?: readonly string[] | 'all' | undefined;
  /** Close the stream at this time (ms since the epoch), e.g. when its token expires. */
  readonly expiresAt?: number | undefined;
  /** The client's address when a proxy stands between (default: the socket's peer). */
  readonly remoteAddress?: string | undefined;
  /** The HTTP request's id, so the stream's open and close logs can be matched to it. */
  readonly requestId?: string | undefined;
  /** Shown to others in presence events and member lists (e.g. a display name). */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** One connection on a topic, as presence shows it. */
export interface Member {
  readonly clientId: string;
  readonly subject?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** ISO 8601. */
  readonly connectedAt: string;
}

export interface HubStats {
  readonly connections: number;
  /** Streams opened since start. */
  readonly connectionsAccepted: number;
  readonly eventsPublished: number;
  readonly eventsDelivered: number;
  readonly eventsReplayed: number;
  /** Event bytes written to streams (live and replayed), before any compression. */
  readonly bytesOut: number;
  readonly resetsSent: number;
  readonly slowConsumerDisconnects: number;
  /** True from `close()` on: no new subscribers, streams being closed in batches. */
  readonly draining: boolean;
}

/** Called once per event fanned out on this node, for metrics. Keep it cheap. */
export type FanOutObserver = (info: {
  readonly event: StoredEvent;
  /** Streams it was written (or held) for. */
  readonly recipients: number;
  /** From the store accepting it to the start of fan-out here (ms): bus and queue lag. */
  readonly lagMs: number;
  /** Time spent writing it to every recipient (ms). */
  readonly durationMs: number;
}) => void;

export interface Hub {
  /** Turns a request into a subscriber. Throws HubError (nothing written) on bad topics. */
  subscribe(req: HttpRequest, res: HttpResponse, options: SubscribeOptions): Promise<ClientInfo>;
  /** Publishes to topics, or to everyone with `broadcast: true`. Resolves to the stored event. */
  publish(input: PublishInput): Promise<StoredEvent>;
  /** Sends to one connection; HubError `client_not_found` if it is not connected. */
  sendToClient(clientId: string, fields: EventFields): Promise<StoredEvent>;
  /**
   * Sends to every connection of one user, now and on their resume; stored in history even if
   * none is connected, so a user who reconnects within history still gets it.
   */
  sendToSubject(subject: string, fields: EventFields): Promise<StoredEvent>;
  client(clientId: string): ClientInfo | undefined;
  /** Connections, optionally only those whose subscriptions match `topic`. */
  clients(filter?: { readonly topic?: string }): ClientInfo[];
  /** Active subscriptions (topics and patterns) with subscriber counts. */
  topics(): { topic: string; subscribers: number }[];
  /** Connections on this node whose subscriptions match `topic`, for presence lists. */
  members(topic: string): Member[];
  /** The same on every node (through the directory). */
  listMembers(topic: string): Promise<Member[]>;
  /** `ready`: taking subscribers and the engine behind history and bus is reachable. */
  health(): {
    readonly ready: boolean;
    readonly draining: boolean;
    readonly engineConnected: boolean;
  };
  /** Ends one connection; false if it was not connected. */
  disconnect(clientId: string): boolean;
  /** Clients on every node (through the directory); this node's alone without one. */
  listClients(filter?: { readonly topic?: string }): Promise<ClientInfo[]>;
  /** One client on any node. */
  findClient(clientId: string): Promise<ClientInfo | undefined>;
  /** Ends a connection on whichever node holds it; false if none does. */
  disconnectAnywhere(clientId: string): Promise<boolean>;
  stats(): HubStats;
  /**
   * Stops taking subscribers and closes every stream, in batches spread over `graceMs`, each
   * with a jittered `retry:` so clients do not all reconnect at the same instant.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}
