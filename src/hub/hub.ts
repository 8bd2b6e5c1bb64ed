import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createLocalBus } from '../bus/index.js';
import {
  createMemoryHistory,
  DuplicateEventIdError,
  type EventInput,
  type StoredEvent,
} from '../history/index.js';
import { encodeEvent } from '../protocol/index.js';
import { type CloseReason, createFrame, type Frame, openSseStream } from '../stream/index.js';
import { clusterView } from './cluster-view.js';
import { HubError } from './errors.js';
import { startHeartbeat } from './heartbeat.js';
import { silentLogger } from './logger.js';
import { checkFields, checkTopics } from './publish-input.js';
import { createReplay } from './replay.js';
import { type ClientInfo, clientInfo, memberOf, rate, type Subscriber } from './subscriber.js';
import { assertSubscription, compileMatcher, createTopicIndex, isPattern } from './topics.js';

// Shared by every subscriber that needs no state of its own: tens of thousands of idle
// connections should not each carry a copy.
const ALWAYS = () => true;
const NEVER = () => false;
const NONE: readonly string[] = Object.freeze([]);

function privateMatcher(grant: readonly string[] | 'all' | undefined): (topic: string) => boolean {
  if (grant === 'all') return ALWAYS;
  if (grant === undefined || grant.length === 0) return NEVER;
  return compileMatcher(grant);
}

import type { Hub, HubOptions, Member } from './types.js';

const SHUTDOWN_BATCHES = 10;

/**
 * A hub: subscribers on topics, fan-out of each event encoded once, resume from history.
 * The hub owns the history and bus it is given and closes them in `close()`.
 */
export function createHub(options: HubOptions = {}): Hub {
  const history = options.history ?? createMemoryHistory();
  const bus = options.bus ?? createLocalBus();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 3_000;
  const maxQueueBytes = options.maxQueueBytes ?? 1024 * 1024;
  const maxEventBytes = options.maxEventBytes ?? 256 * 1024;
  const maxTopics = options.maxTopicsPerSubscriber ?? 32;
  const maxTopicLength = options.maxTopicLength ?? 256;
  const connectedEvent = options.connectedEvent ?? true;
  const compression = options.compression;
  const log = options.logger ?? silentLogger;
  if (maxEventBytes > maxQueueBytes) {
    // An event bigger than the queue would disconnect every subscriber it is sent to.
    throw new RangeError(
      `ssehub: maxEventBytes (${maxEventBytes}) must not exceed maxQueueBytes (${maxQueueBytes})`,
    );
  }

  const subscribers = new Map<string, Subscriber>();
  const directory = options.directory;
  // The suffix tells apart hubs in one process (tests, an app embedding two).
  const nodeId = options.nodeId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;
  directory?.attach?.(() => [...subscribers.values()].map((s) => clientInfo(s, nodeId)));
  const bySubject = new Map<string, Set<Subscriber>>();
  const index = createTopicIndex<Subscriber>();
  // Encoded once per event, shared by every subscriber and by replays of the same object.
  const frames = new WeakMap<StoredEvent, Frame>();
  let stamp = 0;
  let closing = false;
  let closed = false;
  const counters = {
    connectionsAccepted: 0,
    eventsPublished: 0,
    eventsDelivered: 0,
    eventsReplayed: 0,
    bytesOut: 0,
    resetsSent: 0,
    slowConsumerDisconnects: 0,
  };

  function frameOf(event: StoredEvent): Frame {
    let frame = frames.get(event);
    if (frame === undefined) {
      frame = createFrame(encodeEvent(event));
      frames.set(event, frame);
    }
    return frame;
  }

  function write(subscriber: Subscriber, frame: Frame): void {
    if (subscriber.stream.write(frame)) {
      subscriber.eventsSent++;
      subscriber.bytesSent += frame.bytes.length;
      counters.bytesOut += frame.bytes.length;
      counters.eventsDelivered++;
    }
  }

  function send(subscriber: Subscriber, event: StoredEvent, frame: Frame): void {
    recipients++;
    if (subscriber.held === undefined) {
      write(subscriber, frame);
      return;
    }
    subscriber.held.push({ event, frame });
    subscriber.heldBytes += frame.bytes.length;
    // Held events count against the same bound as unsent bytes.
    if (subscriber.heldBytes > maxQueueBytes) subscriber.stream.close('slow-consumer');
  }

  /** A private event goes only where the connection's grant covers a topic it matched. */
  function mayReceive(subscriber: Subscriber, event: StoredEvent): boolean {
    if (event.private !== true) return true;
    const to = event.to;
    if (to.kind !== 'topics') return false;
    return to.topics.some((t) => subscriber.matches(t) && subscriber.mayReceivePrivate(t));
  }

  function wants(subscriber: Subscriber, event: StoredEvent): boolean {
    const to = event.to;
    if (to.kind === 'all') return true;
    if (to.kind === 'client') return to.clientId === subscriber.id;
    if (to.kind === 'subject') return to.subject === subscriber.subject;
    return to.topics.some(subscriber.matches) && mayReceive(subscriber, event);
  }

  const onFanOut = options.onFanOut;
  let recipients = 0;

  function deliver(event: StoredEvent): void {
    if (onFanOut === undefined) {
      fanOut(event);
      return;
    }
    const started = performance.now();
    const lagMs = Math.max(0, Date.now() - event.publishedAt);
    recipients = 0;
    fanOut(event);
    onFanOut({ event, recipients, lagMs, durationMs: performance.now() - started });
  }

  function fanOut(event: StoredEvent): void {
    const to = event.to;
    if (event.control === 'disconnect') {
      if (to.kind === 'client') subscribers.get(to.clientId)?.stream.close('closed-by-server');
      return;
    }
    const frame = frameOf(event);
    if (to.kind === 'client') {
      const subscriber = subscribers.get(to.clientId);
      if (subscriber !== undefined) send(subscriber, event, frame);
      return;
    }
    if (to.kind === 'all') {
      for (const subscriber of subscribers.values()) send(subscriber, event, frame);
      return;
    }
    if (to.kind === 'subject') {
      for (const subscriber of bySubject.get(to.subject) ?? []) send(subscriber, event, frame);
      return;
    }
    const mark = ++stamp;
    const isPrivate = event.private === true;
    const visit = (subscriber: Subscriber) => {
      if (subscriber.stamp === mark) return;
      subscriber.stamp = mark;
      // The common case pays one boolean test; only private events check the grant.
      if (isPrivate && !mayReceive(subscriber, event)) return;
      send(subscriber, event, frame);
    };
    for (const topic of to.topics) index.forEachMatch(topic, visit);
  }

  const stopBus = bus.subscribe(deliver);

  const heartbeat = heartbeatMs > 0 ? startHeartbeat(subscribers, heartbeatMs) : undefined;

  function unregister(subscriber: Subscriber, reason: CloseReason): void {
    if (subscribers.get(subscriber.id) !== subscriber) return;
    subscribers.delete(subscriber.id);
    for (const subscription of subscriber.subscriptions) index.remove(subscription, subscriber);
    if (subscriber.subject !== undefined) {
      const same = bySubject.get(subscriber.subject);
      same?.delete(subscriber);
      if (same?.size === 0) bySubject.delete(subscriber.subject);
    }
    clearTimeout(subscriber.expiry);
    directory?.unregister(subscriber.id);
    subscriber.held = undefined;
    announce(subscriber, 'leave');
    if (reason === 'slow-consumer') {
      counters.slowConsumerDisconnects++;
      log.warn(
        { clientId: subscriber.id, reason, queuedBytes: subscriber.stream.queuedBytes },
        'subscriber disconnected: it fell more than maxQueueBytes behind',
      );
    }
    const durationMs = Date.now() - subscriber.connectedAt;
    log.info(
      {
        clientId: subscriber.id,
        requestId: subscriber.requestId,
        subject: subscriber.subject,
        reason,
        durationMs,
        eventsSent: subscriber.eventsSent,
        bytesSent: subscriber.bytesSent,
        eventsPerSecond: rate(subscriber.eventsSent, durationMs),
      },
      'stream closed',
    );
  }

  const presence = options.presence ?? [];
  const announcesPresence = presence.length === 0 ? () => false : compileMatcher(presence);

  /** Publishes a join or leave to each presence topic the subscriber named. */
  function announce(subscriber: Subscriber, action: 'join' | 'leave'): void {
    // On shutdown every stream leaves at once; announcing that would only flood the others.
    if (closing || subscriber.presenceTopics.length === 0) return;
    for (const topic of subscriber.presenceTopics) {
      const data = JSON.stringify({ action, topic, ...memberOf(subscriber) });
      store({ to: { kind: 'topics', topics: [topic] }, event: 'presence', data }).catch((error) =>
        log.warn({ err: error, topic, action }, 'presence event not published'),
      );
    }
  }

  function closeAt(subscriber: Subscriber, at: number): void {
    // setTimeout holds at most 2^31-1 ms (24.8 days); a longer wait is taken in steps.
    const wait = Math.min(at - Date.now(), 2 ** 31 - 1);
    if (wait <= 0) {
      subscriber.stream.close('expired');
      return;
    }
    subscriber.expiry = setTimeout(() => closeAt(subscriber, at), wait);
    subscriber.expiry.unref();
  }

  const replay = createReplay({
    history,
    log,
    maxQueueBytes,
    wants,
    frameOf,
    write,
    replayed: () => counters.eventsReplayed++,
    reset: () => counters.resetsSent++,
  });

  async function store(input: EventInput): Promise<StoredEvent> {
    if (closed) throw new HubError('shutting_down', 'the hub is closed');
    let event: StoredEvent;
    try {
      event = await history.append(input);
    } catch (error) {
      if (error instanceof DuplicateEventIdError) throw new HubError('duplicate_id', error.message);
      // Refused, not accepted and lost: the publisher learns now and can retry.
      log.warn({ err: error }, 'history store failed: event refused');
      throw new HubError('engine_unavailable', 'the event store is unavailable; retry later');
    }
    counters.eventsPublished++;
    await bus.publish(event);
    return event;
  }

  const hub: Hub = {
    ...clusterView({
      directory,
      local: {
        clients: (filter) => hub.clients(filter),
        members: (topic) => hub.members(topic),
        client: (clientId) => hub.client(clientId),
        disconnect: (clientId) => hub.disconnect(clientId),
      },
      // An order through the bus: the node holding the client closes it.
      orderDisconnect: (clientId) =>
        store({ to: { kind: 'client', clientId }, data: '', control: 'disconnect' }).then(() => {}),
    }),
    async subscribe(req, res, { topics, headers, ...options }) {
      const header = req.headers['last-event-id'];
      const lastEventId = options.lastEventId ?? (typeof header === 'string' ? header : undefined);
      if (closing) throw new HubError('shutting_down', 'the hub is shutting down');
      if (topics.length === 0)
        throw new HubError('invalid_topic', 'at least one topic is required');
      if (topics.length > maxTopics) {
        throw new HubError('too_many_topics', `at most ${maxTopics} topics per subscription`);
      }
      for (const topic of topics) assertSubscription(topic, maxTopicLength);

      const id = randomUUID();
      let subscriber: Subscriber | undefined;
      const stream = openSseStream(req, res, {
        maxQueueBytes,
        retry: retryMs,
        headers,
        compression,
        onClose: (reason) => {
          if (subscriber !== undefined) unregister(subscriber, reason);
        },
      });
      const subscriptions = [...new Set(topics)];
      subscriber = {
        id,
        subscriptions,
        matches: compileMatcher(subscriptions),
        remoteAddress: options.remoteAddress ?? req.socket.remoteAddress ?? '',
        subject: options.subject,
        metadata: options.metadata,
        requestId: options.requestId,
        presenceTopics:
          presence.length === 0
            ? NONE
            : subscriptions.filter((t) => !isPattern(t) && announcesPresence(t)),
        mayReceivePrivate: privateMatcher(options.privateTopics),
        expiry: undefined,
        connectedAt: Date.now(),
        stream,
        eventsSent: 0,
        bytesSent: 0,
        stamp: 0,
        // Live events wait while history is read (for a resume, or for the start position).
        held: [],
        heldBytes: 0,
      };
      if (stream.closed) return clientInfo(subscriber, nodeId);
      subscribers.set(id, subscriber);
      for (const subscription of subscriber.subscriptions) index.add(subscription, subscriber);
      if (subscriber.subject !== undefined) {
        let same = bySubject.get(subscriber.subject);
        if (same === undefined) {
          same = new Set();
          bySubject.set(subscriber.subject, same);
        }
        same.add(subscriber);
      }
      if (options.expiresAt !== undefined) closeAt(subscriber, options.expiresAt);
      directory?.register(clientInfo(subscriber, nodeId));
      announce(subscriber, 'join');
      counters.connectionsAccepted++;
      log.info(
        {
          clientId: id,
          requestId: subscriber.requestId,
          subject: subscriber.subject,
          topics: subscriber.subscriptions,
          remoteAddress: subscriber.remoteAddress,
          resumeFrom: lastEventId,
        },
        'stream opened',
      );

      const greeting = connectedEvent ? JSON.stringify({ clientId: id }) : undefined;
      if (lastEventId && greeting !== undefined) {
        // No id: this must not move a resuming client's Last-Event-ID.
        stream.write(encodeEvent({ event: 'connected', data: greeting }));
      }
      await replay(subscriber, lastEventId, lastEventId ? undefined : greeting);
      return clientInfo(subscriber, nodeId);
    },

    async publish(input) {
      const fields = checkFields(input, maxEventBytes);
      if (input.broadcast === true) {
        if (input.private === true) {
          throw new HubError('invalid_event', 'a broadcast cannot be private: name its topics');
        }
        return store({ ...fields, to: { kind: 'all' } });
      }
      const topics = checkTopics(input, maxTopicLength);
      return store({ ...fields, private: input.private === true, to: { kind: 'topics', topics } });
    },

    async sendToSubject(subject, input) {
      const fields = checkFields(input, maxEventBytes);
      if (subject === '') throw new HubError('invalid_subject', 'subject must not be empty');
      return store({ ...fields, to: { kind: 'subject', subject } });
    },

    async sendToClient(clientId, input) {
      const fields = checkFields(input, maxEventBytes);
      if (!subscribers.has(clientId) && !(await directory?.has(clientId))) {
        throw new HubError('client_not_found', `no client "${clientId}" is connected`);
      }
      return store({ ...fields, to: { kind: 'client', clientId } });
    },

    client(clientId) {
      const subscriber = subscribers.get(clientId);
      return subscriber === undefined ? undefined : clientInfo(subscriber, nodeId);
    },

    clients(filter = {}) {
      const out: ClientInfo[] = [];
      const { topic } = filter;
      for (const subscriber of subscribers.values()) {
        if (topic === undefined || subscriber.matches(topic)) {
          out.push(clientInfo(subscriber, nodeId));
        }
      }
      return out;
    },

    members(topic) {
      const out: Member[] = [];
      index.forEachMatch(topic, (subscriber) => out.push(memberOf(subscriber)));
      return out;
    },

    health() {
      const engineConnected = (bus.isConnected?.() ?? true) && (history.isConnected?.() ?? true);
      return { ready: !closing && engineConnected, draining: closing, engineConnected };
    },

    topics() {
      return [...index.counts()].map(([topic, subscribers]) => ({ topic, subscribers }));
    },

    disconnect(clientId) {
      const subscriber = subscribers.get(clientId);
      if (subscriber === undefined) return false;
      subscriber.stream.close('closed-by-server');
      return true;
    },

    stats() {
      return { connections: subscribers.size, ...counters, draining: closing };
    },

    async close({ graceMs = 0 } = {}) {
      if (closing) return;
      closing = true;
      heartbeat?.stop();
      const all = [...subscribers.values()];
      const batchSize = Math.max(1, Math.ceil(all.length / SHUTDOWN_BATCHES));
      const pause = graceMs / SHUTDOWN_BATCHES;
      for (let i = 0; i < all.length; i += batchSize) {
        if (i > 0 && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        for (const subscriber of all.slice(i, i + batchSize)) {
          const jitter = Math.round(Math.random() * Math.max(graceMs, retryMs));
          subscriber.stream.write(encodeEvent({ retry: retryMs + jitter }));
          subscriber.stream.close('shutdown');
        }
      }
      // Streams in later batches kept receiving events until their turn; now nobody is left.
      stopBus();
      closed = true;
      await directory?.close?.();
      await bus.close();
      await history.close();
    },
  };
  return hub;
}
