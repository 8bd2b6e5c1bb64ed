import { createHash } from 'node:crypto';
import {
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Bus } from '../bus/index.js';
import {
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type StoredEvent,
} from '../history/index.js';
import type { ClientDirectory, ClientInfo, Logger } from '../hub/index.js';
import { silentLogger } from '../hub/logger.js';

export interface NatsEngineOptions {
  /** `nats://host:port`, or several, comma-separated. */
  readonly url: string;
  /** Names the JetStream stream and subject, so several hubs can share one NATS. Default `ssehub`. */
  readonly prefix?: string | undefined;
  readonly maxEvents?: number | undefined;
  readonly maxAgeMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

// Ids are "<10 hex epoch>-<stream sequence>". The epoch is derived from the stream's creation
// time: a stream lost and created again (a NATS without its store) gets a new one.
const OUR_ID = /^([0-9a-f]{10})-(\d{1,16})$/;
const PUBLISH_TIMEOUT_MS = 2000;

/**
 * History and fan-out on one JetStream stream with bounded retention: every node publishes to
 * it and follows it with an ordered consumer, and replays by sequence, so any node can resume
 * any client.
 */
export function createNatsEngine(options: NatsEngineOptions) {
  const name = (options.prefix ?? 'ssehub').replace(/[^A-Za-z0-9_-]/g, '_');
  const stream = `${name}_EVENTS`;
  const subject = `${name}.events`;
  const maxEvents = options.maxEvents ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const log = options.logger ?? silentLogger;

  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let jsm: JetStreamManager | undefined;
  let epoch: string | undefined;
  let connected = false;
  let closed = false;

  /** Creates the stream if missing (or adopts it) and reads its epoch. */
  async function ensureStream(): Promise<string> {
    if (jsm === undefined) throw new Error('nats is not connected');
    const config = {
      name: stream,
      subjects: [subject],
      max_msgs: Math.max(1, maxEvents),
      max_age: nanos(maxAgeMs),
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      // Publisher ids are deduplicated by JetStream within this window.
      duplicate_window: nanos(Math.min(maxAgeMs, 2 * 60 * 1000)),
    };
    const info = await jsm.streams.info(stream).catch(() => jsm!.streams.add(config));
    epoch = createHash('sha256').update(info.created).digest('hex').slice(0, 10);
    return epoch;
  }

  // The sequence this node's consumer starts from, fixed before the first append is allowed,
  // so no event can land between "now" and the start of the consumer.
  let followFrom: number | undefined;

  function requireReady(): { js: JetStreamClient; jsm: JetStreamManager; epoch: string } {
    if (
      !connected ||
      js === undefined ||
      jsm === undefined ||
      epoch === undefined ||
      followFrom === undefined
    ) {
      throw new Error('nats is not connected');
    }
    return { js, jsm, epoch };
  }

  function toEvent(seq: number, data: Uint8Array, millis: number, ep: string): StoredEvent {
    const input = JSON.parse(new TextDecoder().decode(data)) as EventInput;
    return { ...input, id: input.id ?? `${ep}-${seq}`, publishedAt: millis };
  }

  const history: HistoryStore = {
    async append(input) {
      const ready = requireReady();
      if (input.id !== undefined && OUR_ID.test(input.id))
        throw new DuplicateEventIdError(input.id);
      const ack = await ready.js.publish(subject, JSON.stringify(input), {
        ...(input.id === undefined ? {} : { msgID: input.id }),
        timeout: PUBLISH_TIMEOUT_MS,
      });
      if (ack.duplicate) throw new DuplicateEventIdError(input.id ?? String(ack.seq));
      return { ...input, id: input.id ?? `${ready.epoch}-${ack.seq}`, publishedAt: Date.now() };
    },

    async readAfter(lastEventId) {
      const ready = requireReady();
      const info = await ready.jsm.streams.info(stream);
      const ep = await ensureStream();
      const { first_seq: first, last_seq: last } = info.state;
      const head = `${ep}-${last}`;
      const ours = OUR_ID.exec(lastEventId);
      // Publisher-chosen ids are not indexed here: they cannot be resumed, and say so.
      if (!ours) return { ok: false, reason: 'unknown-id', head };
      if (ours[1] !== ep) return { ok: false, reason: 'other-epoch', head };
      const seq = Number(ours[2]);
      if (seq > last) return { ok: false, reason: 'unknown-id', head };
      if (seq < first - 1) return { ok: false, reason: 'expired', head };
      const events: StoredEvent[] = [];
      if (seq === last) return { ok: true, events };
      const consumer = await ready.js.consumers.get(stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: seq + 1,
      });
      try {
        while (events.length < last - seq) {
          const batch = await consumer.fetch({
            max_messages: Math.min(1000, last - seq - events.length),
            expires: 2000,
          });
          let got = 0;
          for await (const m of batch) {
            got++;
            events.push(toEvent(m.seq, m.data, Math.floor(m.info.timestampNanos / 1e6), ep));
            if (m.seq >= last) break;
          }
          // A message that expired while we read leaves a hole in [seq+1, last]: stop there.
          if (got === 0 || events.at(-1)!.id === `${ep}-${last}`) break;
        }
      } finally {
        await consumer.delete().catch(() => {});
      }
      return { ok: true, events };
    },

    async close() {},

    isConnected() {
      return connected && epoch !== undefined && followFrom !== undefined;
    },
  };

  const handlers = new Set<(event: StoredEvent) => void>();
  let following = false;
  let current: { stop(): void } | undefined;

  async function follow(): Promise<void> {
    let failures = 0;
    while (!closed) {
      try {
        const ready = requireReady();
        const next = followFrom!;
        const consumer = await ready.js.consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        });
        const messages = await consumer.consume();
        current = messages;
        failures = 0;
        for await (const m of messages) {
          followFrom = m.seq + 1;
          const event = toEvent(m.seq, m.data, Math.floor(m.info.timestampNanos / 1e6), epoch!);
          for (const handler of handlers) handler(event);
          if (closed) break;
        }
      } catch (err) {
        if (closed) return;
        failures++;
        if (failures === 1 || failures % 20 === 0) {
          log.warn({ err: (err as Error).message, failures }, 'nats follow interrupted; retrying');
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(2000, 50 * 2 ** Math.min(failures, 6))),
        );
      }
    }
  }

  const bus: Bus = {
    // Publishing to the stream in history.append already reached every node's consumer.
    async publish() {},
    subscribe(handler) {
      handlers.add(handler);
      if (!following) {
        following = true;
        void follow();
      }
      return () => handlers.delete(handler);
    },
    async close() {
      closed = true;
      handlers.clear();
      await nc?.close().catch(() => {});
    },
    isConnected() {
      return history.isConnected?.() ?? false;
    },
  };

  async function watchStatus(conn: NatsConnection): Promise<void> {
    for await (const status of conn.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        log.warn({ engine: 'nats' }, 'nats disconnected');
      } else if (status.type === 'reconnect') {
        // The stream may be gone (a server restarted without its store): adopt or recreate it.
        const before = epoch;
        await ensureStream()
          .then(async () => {
            if (epoch !== before && jsm !== undefined) {
              // A new stream: follow it from its start, not from the old one's position.
              followFrom = (await jsm.streams.info(stream)).state.last_seq + 1;
              current?.stop();
              log.warn({ engine: 'nats', epoch }, 'nats stream was recreated: new epoch');
            }
            connected = true;
            log.info({ engine: 'nats', epoch }, 'nats reconnected');
          })
          .catch((err: Error) => log.warn({ err: err.message }, 'nats stream unavailable'));
      }
    }
  }

  // Each node answers for its own clients on a subject per client: asking is a request, and
  // "no responders" (at once) means no node has that client.
  const clientSubs = new Map<string, { unsubscribe(): void }>();
  const clientSubject = (id: string) => `${name}.client.${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  function answerFor(id: string): void {
    if (nc === undefined || clientSubs.has(id)) return;
    const callback = (_err: Error | null, msg: { respond(): boolean }) => {
      msg.respond();
    };
    clientSubs.set(id, nc.subscribe(clientSubject(id), { callback }));
  }
  const pendingClients = new Set<string>();
  let snapshot: () => ClientInfo[] = () => [];
  // Every node answers a roll call with its clients; listing gathers the answers briefly.
  const rollCall = `${name}.clients`;
  function answerRollCall(conn: NatsConnection): void {
    conn.subscribe(rollCall, {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(snapshot()));
      },
    });
  }
  const directory: ClientDirectory = {
    register({ id }) {
      if (nc === undefined) pendingClients.add(id);
      else answerFor(id);
    },
    async list() {
      if (nc === undefined || !connected) return [];
      const replies = await nc.requestMany(rollCall, '', { strategy: 'timer', maxWait: 300 });
      const all: ClientInfo[] = [];
      for await (const reply of replies) all.push(...(JSON.parse(reply.string()) as ClientInfo[]));
      return all;
    },
    attach(local) {
      snapshot = local;
    },
    unregister(id) {
      pendingClients.delete(id);
      clientSubs.get(id)?.unsubscribe();
      clientSubs.delete(id);
    },
    async has(id) {
      if (nc === undefined || !connected) return false;
      try {
        await nc.request(clientSubject(id), '', { timeout: 500 });
        return true;
      } catch {
        return false;
      }
    },
  };

  return {
    history,
    bus,
    directory,
    /**
     * Connects; resolves once the stream is ready. If NATS cannot be reached it keeps trying in
     * the background (and rejects this first attempt), so the hub can serve as not ready.
     */
    async connect(): Promise<void> {
      const conn = await connect({
        servers: options.url.split(','),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: true,
        name: 'ssehub',
      });
      nc = conn;
      answerRollCall(conn);
      for (const id of pendingClients) answerFor(id);
      pendingClients.clear();
      js = jetstream(conn);
      jsm = await jetstreamManager(conn);
      void watchStatus(conn);
      await ensureStream();
      followFrom ??= (await jsm.streams.info(stream)).state.last_seq + 1;
      connected = true;
    },
  };
}
