import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Bus } from '../bus/index.js';
import {
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type ReadResult,
  type StoredEvent,
} from '../history/index.js';
import type { ClientDirectory, ClientInfo, Logger } from '../hub/index.js';
import { silentLogger } from '../hub/logger.js';

export interface RedisEngineOptions {
  /** `redis://[user:pass@]host:port[/db]` */
  readonly url: string;
  /** Prefix of every key, so several hubs can share one Redis. Default `ssehub:`. */
  readonly prefix?: string | undefined;
  /** Events kept in the stream (approximately: trimming is `MAXLEN ~`). Default 10,000. */
  readonly maxEvents?: number | undefined;
  /** Oldest event kept (ms). Default 1 hour. */
  readonly maxAgeMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

// Ids are "<10 hex epoch>-<stream id>". The epoch lives in Redis: a Redis restarted without
// persistence gets a new one, so ids from before can never be mistaken for current ones.
const OUR_ID = /^([0-9a-f]{10})-(\d{1,20}-\d{1,20})$/;
// A crashed node's clients leave the directory (and presence lists) within this time.
const CLIENT_TTL_MS = 15_000;

/**
 * History and fan-out on one Redis Stream: every node appends with XADD and tails with
 * XREAD BLOCK, so the stream is both the log that resumes clients and the bus that feeds
 * nodes, in one order, and any node can resume any client.
 */
export function createRedisEngine(options: RedisEngineOptions) {
  const prefix = options.prefix ?? 'ssehub:';
  const key = `${prefix}events`;
  const epochKey = `${prefix}epoch`;
  const maxEvents = options.maxEvents ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const log = options.logger ?? silentLogger;
  // Commands fail at once while Redis is away (no offline queue): a publish is refused, never
  // held and silently replayed minutes later.
  const connection = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
    lazyConnect: true,
  };
  const cmd = new Redis(options.url, connection);
  const reader = new Redis(options.url, { ...connection, enableOfflineQueue: true });
  for (const [name, client] of [
    ['commands', cmd],
    ['reader', reader],
  ] as const) {
    client.on('error', (err: Error) =>
      log.warn({ err: err.message, connection: name }, 'redis error'),
    );
  }
  let epoch: string | undefined;

  async function currentEpoch(): Promise<string> {
    // Set once per Redis dataset; after a restart without persistence the key is gone and a
    // new epoch begins.
    await cmd.set(epochKey, randomBytes(5).toString('hex'), 'NX');
    const value = await cmd.get(epochKey);
    if (value === null) throw new Error('redis lost the epoch key');
    epoch = value;
    return value;
  }
  cmd.on('ready', () => {
    currentEpoch().catch((err: Error) => log.warn({ err: err.message }, 'redis epoch unreadable'));
  });

  function toEvent(streamId: string, fields: string[], eventEpoch: string): StoredEvent {
    const input = JSON.parse(fields[1] ?? '{}') as EventInput;
    return {
      ...input,
      id: input.id ?? `${eventEpoch}-${streamId}`,
      publishedAt: Number(streamId.split('-')[0]),
    };
  }

  // True once this node's tail has a position: before that, an appended event could land
  // ahead of the tail and never reach this node's subscribers, so appends are refused.
  let tailPositioned = false;

  const history: HistoryStore = {
    async append(input) {
      if (!tailPositioned) throw new Error('redis tail not positioned yet');
      const ep = epoch ?? (await currentEpoch());
      const pidKey = input.id === undefined ? undefined : `${prefix}pid:${input.id}`;
      if (input.id !== undefined && OUR_ID.test(input.id))
        throw new DuplicateEventIdError(input.id);
      if (pidKey !== undefined) {
        const claimed = await cmd.set(pidKey, 'pending', 'PX', maxAgeMs, 'NX');
        if (claimed === null) throw new DuplicateEventIdError(input.id!);
      }
      let streamId: unknown;
      try {
        const results = await cmd
          .multi()
          .xadd(key, 'MAXLEN', '~', String(Math.max(1, maxEvents)), '*', 'e', JSON.stringify(input))
          .xtrim(key, 'MINID', '~', String(Date.now() - maxAgeMs))
          .exec();
        streamId = results?.[0]?.[1];
        if (typeof streamId !== 'string') throw new Error('redis XADD returned no id');
      } catch (error) {
        // Not stored: free the id, so the publisher's retry is not refused as a duplicate.
        if (pidKey !== undefined) await cmd.del(pidKey).catch(() => {});
        throw error;
      }
      if (pidKey !== undefined) await cmd.set(pidKey, streamId, 'PX', maxAgeMs);
      return {
        ...input,
        id: input.id ?? `${ep}-${streamId}`,
        publishedAt: Number(streamId.split('-')[0]),
      };
    },

    async readAfter(lastEventId) {
      const ep = await currentEpoch();
      const info = (await cmd.call('XINFO', 'STREAM', key).catch(() => undefined)) as
        | unknown[]
        | undefined;
      const field = (name: string) => {
        const i = info?.indexOf(name) ?? -1;
        return i === -1 ? undefined : info?.[i + 1];
      };
      const lastId = (field('last-generated-id') as string | undefined) ?? '0-0';
      const deleted = (field('max-deleted-entry-id') as string | undefined) ?? '0-0';
      const head = `${ep}-${lastId}`;
      let after: string | undefined;
      const ours = OUR_ID.exec(lastEventId);
      if (ours) {
        if (ours[1] !== ep) return { ok: false, reason: 'other-epoch', head };
        after = ours[2];
      } else {
        const stored = await cmd.get(`${prefix}pid:${lastEventId}`);
        if (stored !== null && stored !== 'pending') after = stored;
      }
      if (after === undefined || compareIds(after, lastId) > 0) {
        return { ok: false, reason: 'unknown-id', head };
      }
      // Something after our position was trimmed away: resuming would leave a gap.
      if (compareIds(after, deleted) < 0) return { ok: false, reason: 'expired', head };
      const entries = (await cmd.xrange(key, `(${after}`, '+')) as [string, string[]][];
      return {
        ok: true,
        events: entries.map(([id, fields]) => toEvent(id, fields, ep)),
      } satisfies ReadResult;
    },

    async close() {},

    isConnected() {
      return (
        cmd.status === 'ready' && reader.status === 'ready' && epoch !== undefined && tailPositioned
      );
    },
  };

  const handlers = new Set<(event: StoredEvent) => void>();
  let tailing = false;
  let stopped = false;

  async function tail(): Promise<void> {
    // Start at the end: a node serves what is published from now on; history covers before.
    // A concrete id, not "$": "$" would skip whatever lands between two reads.
    let lastId: string | undefined;
    let failures = 0;
    while (!stopped) {
      try {
        if (lastId === undefined) {
          const newest = (await reader.xrevrange(key, '+', '-', 'COUNT', 1)) as [
            string,
            string[],
          ][];
          lastId = newest[0]?.[0] ?? '0-0';
          tailPositioned = true;
        }
        const reply = (await reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', key, lastId)) as
          | [string, [string, string[]][]][]
          | null;
        failures = 0;
        if (reply === null) continue;
        const ep = epoch ?? (await currentEpoch());
        for (const [, entries] of reply) {
          for (const [id, fields] of entries) {
            lastId = id;
            const event = toEvent(id, fields, ep);
            for (const handler of handlers) handler(event);
          }
        }
      } catch (err) {
        if (stopped) return;
        failures++;
        log.warn({ err: (err as Error).message, failures }, 'redis tail interrupted; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** failures)));
      }
    }
  }

  const bus: Bus = {
    // XADD in history.append already made the event visible to every node's tail.
    async publish() {},
    subscribe(handler) {
      handlers.add(handler);
      if (!tailing) {
        tailing = true;
        void tail();
      }
      return () => handlers.delete(handler);
    },
    async close() {
      stopped = true;
      handlers.clear();
      reader.disconnect();
      cmd.disconnect();
    },
    isConnected() {
      return history.isConnected?.() ?? false;
    },
  };

  // Each node keeps a short-lived key per connected client, holding its latest details, and
  // refreshes them; a node that dies stops refreshing, so its clients drop out within the TTL.
  const localClients = new Set<string>();
  let snapshot: () => ClientInfo[] = () => [];
  const clientKey = (id: string) => `${prefix}client:${id}`;
  const refresh = setInterval(() => {
    if (cmd.status !== 'ready' || localClients.size === 0) return;
    const pipeline = cmd.pipeline();
    for (const info of snapshot()) {
      if (localClients.has(info.id)) {
        pipeline.set(clientKey(info.id), JSON.stringify(info), 'PX', CLIENT_TTL_MS);
      }
    }
    pipeline.exec().catch(() => {});
  }, CLIENT_TTL_MS / 3);
  refresh.unref();
  const directory: ClientDirectory = {
    register(info) {
      localClients.add(info.id);
      cmd.set(clientKey(info.id), JSON.stringify(info), 'PX', CLIENT_TTL_MS).catch(() => {});
    },
    unregister(id) {
      localClients.delete(id);
      cmd.del(clientKey(id)).catch(() => {});
    },
    async has(id) {
      return (await cmd.exists(clientKey(id)).catch(() => 0)) === 1;
    },
    async list() {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await cmd.scan(cursor, 'MATCH', `${prefix}client:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      if (keys.length === 0) return [];
      const values = await cmd.mget(...keys);
      return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as ClientInfo]));
    },
    attach(local) {
      snapshot = local;
    },
    async close() {
      clearInterval(refresh);
      if (localClients.size > 0) await cmd.del(...[...localClients].map(clientKey)).catch(() => {});
    },
  };

  return {
    history,
    bus,
    directory,
    /** Connects both clients; resolves when ready, rejects if Redis cannot be reached now. */
    async connect(): Promise<void> {
      await Promise.all([cmd.connect(), reader.connect()]);
      await currentEpoch();
    },
  };
}

/** Orders Redis stream ids ("ms-seq") numerically. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}
