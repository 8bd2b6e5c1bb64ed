import type { Worker } from 'node:cluster';
import type { Bus } from '../bus/index.js';
import {
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type ReadResult,
  type StoredEvent,
} from '../history/index.js';
import type { ClientDirectory, ClientInfo } from '../hub/index.js';

/**
 * The memory engine across `--workers` processes: the primary keeps the one history and
 * assigns ids; workers append and read through IPC, and the primary sends every stored event
 * to every worker, in order. No external server, one order for all, and any worker can
 * resume any client.
 */

type Request =
  | { readonly ssehub: 'append'; readonly id: number; readonly input: EventInput }
  | { readonly ssehub: 'readAfter'; readonly id: number; readonly lastEventId: string }
  | { readonly ssehub: 'hasClient'; readonly id: number; readonly clientId: string }
  | { readonly ssehub: 'listClients'; readonly id: number };
type Notice = { readonly ssehub: 'register' | 'unregister'; readonly clientId: string };

type Reply =
  | { readonly ssehub: 'reply'; readonly id: number; readonly value: unknown }
  | {
      readonly ssehub: 'reply';
      readonly id: number;
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly eventId?: string;
      };
    }
  | { readonly ssehub: 'event'; readonly event: StoredEvent }
  /** The primary asks a worker for its clients. */
  | { readonly ssehub: 'snapshot'; readonly id: number };

const REQUESTS = new Set(['append', 'readAfter', 'hasClient', 'listClients']);
const SNAPSHOT_WAIT_MS = 500;
const isRequest = (m: unknown): m is Request =>
  typeof m === 'object' && m !== null && 'ssehub' in m && REQUESTS.has(m.ssehub as string);
const isNotice = (m: unknown): m is Notice =>
  typeof m === 'object' &&
  m !== null &&
  'ssehub' in m &&
  (m.ssehub === 'register' || m.ssehub === 'unregister');

const isSnapshotReply = (
  m: unknown,
): m is { ssehub: 'snapshotReply'; id: number; clients: ClientInfo[] } =>
  typeof m === 'object' && m !== null && 'ssehub' in m && m.ssehub === 'snapshotReply';

/** In the primary: answers workers from `history` and fans stored events out to all of them. */
export function servePrimaryHistory(history: HistoryStore, workers: () => Iterable<Worker>) {
  // Which worker holds which client, for pushes to a client on another worker.
  const owners = new Map<string, number>();
  const gathering = new Map<number, { clients: ClientInfo[]; waiting: number; done(): void }>();
  let nextSnapshot = 0;
  const serve = (worker: Worker, message: unknown): void => {
    if (isSnapshotReply(message)) {
      const gather = gathering.get(message.id);
      if (gather === undefined) return;
      gather.clients.push(...message.clients);
      if (--gather.waiting === 0) gather.done();
      return;
    }
    if (isNotice(message)) {
      if (message.ssehub === 'register') owners.set(message.clientId, worker.id);
      else owners.delete(message.clientId);
      return;
    }
    if (!isRequest(message)) return;
    if (message.ssehub === 'hasClient') {
      if (worker.isConnected()) {
        worker.send({ ssehub: 'reply', id: message.id, value: owners.has(message.clientId) });
      }
      return;
    }
    if (message.ssehub === 'listClients') {
      // Ask every worker for its clients now; whoever does not answer in time is left out.
      const id = nextSnapshot++;
      const live = [...workers()].filter((w) => w.isConnected());
      const clients: ClientInfo[] = [];
      const done = () => {
        clearTimeout(timer);
        gathering.delete(id);
        if (worker.isConnected()) worker.send({ ssehub: 'reply', id: message.id, value: clients });
      };
      const timer = setTimeout(done, SNAPSHOT_WAIT_MS);
      gathering.set(id, { clients, waiting: live.length, done });
      for (const w of live) w.send({ ssehub: 'snapshot', id });
      if (live.length === 0) done();
      return;
    }
    const reply = (body: Omit<Extract<Reply, { id: number }>, 'ssehub' | 'id'>) => {
      if (worker.isConnected()) worker.send({ ssehub: 'reply', id: message.id, ...body });
    };
    const work =
      message.ssehub === 'append'
        ? history.append(message.input).then((event) => {
            // Everyone hears of it before the publisher's reply, so order is the same for all.
            for (const w of workers()) if (w.isConnected()) w.send({ ssehub: 'event', event });
            return event;
          })
        : history.readAfter(message.lastEventId);
    void work.then(
      (value) => reply({ value }),
      (error: Error) =>
        reply({
          error: {
            name: error.name,
            message: error.message,
            ...(error instanceof DuplicateEventIdError ? { eventId: error.eventId } : {}),
          },
        }),
    );
  };
  return Object.assign(serve, {
    /** A worker died: its clients are gone. */
    forget(worker: Worker): void {
      for (const [clientId, owner] of owners) if (owner === worker.id) owners.delete(clientId);
    },
  });
}

/** In a worker: history and bus that go through the primary. */
export function createWorkerEngine(): {
  history: HistoryStore;
  bus: Bus;
  directory: ClientDirectory;
} {
  if (process.send === undefined) throw new Error('the worker engine needs an IPC channel');
  const send = process.send.bind(process);
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const handlers = new Set<(event: StoredEvent) => void>();
  let next = 0;
  let snapshot: () => ClientInfo[] = () => [];

  process.on('message', (message: Reply) => {
    if (typeof message !== 'object' || message === null || !('ssehub' in message)) return;
    if (message.ssehub === 'event') {
      for (const handler of handlers) handler(message.event);
      return;
    }
    if (message.ssehub === 'snapshot') {
      send({ ssehub: 'snapshotReply', id: message.id, clients: snapshot() });
      return;
    }
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if ('error' in message) {
      const { name, message: text, eventId } = message.error;
      waiting.reject(
        name === 'DuplicateEventIdError' && eventId !== undefined
          ? new DuplicateEventIdError(eventId)
          : new Error(text),
      );
    } else {
      waiting.resolve(message.value);
    }
  });

  function request<T>(body: { ssehub: Request['ssehub'] } & Record<string, unknown>): Promise<T> {
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      send({ ...body, id }, undefined, undefined, (error: Error | null) => {
        if (error) {
          pending.delete(id);
          reject(error);
        }
      });
    });
  }

  return {
    history: {
      append: (input) => request<StoredEvent>({ ssehub: 'append', input }),
      readAfter: (lastEventId) => request<ReadResult>({ ssehub: 'readAfter', lastEventId }),
      async close() {},
      isConnected: () => process.connected,
    },
    directory: {
      register: (info) => {
        send({ ssehub: 'register', clientId: info.id });
      },
      unregister: (clientId) => {
        send({ ssehub: 'unregister', clientId });
      },
      has: (clientId) => request<boolean>({ ssehub: 'hasClient', clientId }),
      list: () => request<ClientInfo[]>({ ssehub: 'listClients' }),
      attach(local) {
        snapshot = local;
      },
    },
    bus: {
      // The primary sends every stored event to every worker, this one included.
      async publish() {},
      subscribe(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      async close() {
        handlers.clear();
      },
      isConnected: () => process.connected,
    },
  };
}
