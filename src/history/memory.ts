import { randomBytes } from 'node:crypto';
import {
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type ReadResult,
  type StoredEvent,
} from './types.js';

export interface MemoryHistoryOptions {
  /** Most events kept. 0 keeps none (every resume but from the newest id gets a reset). Default 10,000. */
  readonly maxEvents?: number;
  /** Most bytes of event payload kept (data, type and id, UTF-8). Default 64 MiB. */
  readonly maxBytes?: number;
  /** Oldest event kept, in milliseconds. Default 1 hour. */
  readonly maxAgeMs?: number;
  /** Fixed epoch, for tests. Default: random per store, so a restarted hub never mis-resumes. */
  readonly epoch?: string;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly event: StoredEvent;
  readonly seq: number;
  readonly bytes: number;
}

// Generated ids look like "<10 hex epoch>-<sequence>": ASCII, opaque to clients.
const GENERATED_ID = /^([0-9a-f]{10})-(0|[1-9][0-9]{0,15})$/;
// Bytes of bookkeeping per entry, counted so that a flood of tiny events is bounded too.
const ENTRY_OVERHEAD = 64;

/**
 * History in one process: a ring of the newest events. Sequence numbers are contiguous, so
 * resuming finds its place by arithmetic instead of a search.
 */
export function createMemoryHistory(options: MemoryHistoryOptions = {}): HistoryStore & {
  readonly epoch: string;
  readonly size: number;
} {
  const maxEvents = options.maxEvents ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const epoch = options.epoch ?? randomBytes(5).toString('hex');

  let entries: Entry[] = [];
  let start = 0; // index of the oldest live entry in `entries`
  let bytes = 0;
  let lastSeq = 0;
  const publisherIds = new Map<string, number>();

  const size = () => entries.length - start;
  // Sequence of the oldest kept event; lastSeq + 1 when nothing is kept.
  const firstSeq = () => lastSeq - size() + 1;

  function evictOldest(): void {
    const entry = entries[start]!;
    entries[start] = undefined as unknown as Entry; // let the event be collected
    start++;
    bytes -= entry.bytes;
    if (entry.event.id !== `${epoch}-${entry.seq}`) publisherIds.delete(entry.event.id);
    // Compact once the dead prefix is the larger half, keeping eviction O(1) amortised.
    if (start > 1024 && start * 2 > entries.length) {
      entries = entries.slice(start);
      start = 0;
    }
  }

  function trim(): void {
    const oldestAllowed = now() - maxAgeMs;
    while (size() > 0) {
      const oldest = entries[start]!;
      if (size() > maxEvents || bytes > maxBytes || oldest.event.publishedAt < oldestAllowed) {
        evictOldest();
      } else break;
    }
  }

  function seqOf(id: string): number | 'other-epoch' | undefined {
    const published = publisherIds.get(id);
    if (published !== undefined) return published;
    const match = GENERATED_ID.exec(id);
    if (!match) return undefined;
    return match[1] === epoch ? Number(match[2]) : 'other-epoch';
  }

  return {
    epoch,
    get size() {
      return size();
    },
    async append(input: EventInput): Promise<StoredEvent> {
      trim();
      if (input.id !== undefined && (publisherIds.has(input.id) || GENERATED_ID.test(input.id))) {
        // An id shaped like ours would be ambiguous on resume, so it counts as taken too.
        throw new DuplicateEventIdError(input.id);
      }
      const seq = lastSeq + 1;
      const event: StoredEvent = {
        ...input,
        id: input.id ?? `${epoch}-${seq}`,
        publishedAt: now(),
      };
      const entryBytes =
        ENTRY_OVERHEAD +
        Buffer.byteLength(event.data) +
        Buffer.byteLength(event.id) +
        (event.event === undefined ? 0 : Buffer.byteLength(event.event));
      lastSeq = seq;
      entries.push({ event, seq, bytes: entryBytes });
      bytes += entryBytes;
      if (input.id !== undefined) publisherIds.set(input.id, seq);
      trim();
      return event;
    },
    async readAfter(lastEventId: string): Promise<ReadResult> {
      trim();
      const head = `${epoch}-${lastSeq}`;
      const seq = seqOf(lastEventId);
      if (seq === undefined) return { ok: false, reason: 'unknown-id', head };
      if (seq === 'other-epoch') return { ok: false, reason: 'other-epoch', head };
      if (seq > lastSeq) return { ok: false, reason: 'unknown-id', head };
      // Resume needs every event after `seq`; the oldest kept must be seq + 1 or older.
      if (seq < firstSeq() - 1) return { ok: false, reason: 'expired', head };
      const from = start + (seq - firstSeq() + 1);
      const events: StoredEvent[] = [];
      for (let i = from; i < entries.length; i++) events.push(entries[i]!.event);
      return { ok: true, events };
    },
    async close() {
      entries = [];
      start = 0;
      bytes = 0;
      publisherIds.clear();
    },
  };
}
