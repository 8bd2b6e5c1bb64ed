/**
 * A load-generator process: holds up to ~15k subscriber sockets (one process may hold 20k
 * files here) and reports what they received. Driven by the bench over IPC; see `Command`.
 */
import { connect, type Socket } from 'node:net';
import { createDeliveryLog, SseCounter } from './sse-counter.js';

export type Command =
  | {
      readonly type: 'open';
      readonly port: number;
      /** One request path per subscriber. */
      readonly paths: readonly string[];
      /**
       * Addresses of the target, used in turn. The kernel picks a source port per destination,
       * so each address gives the ~28k ephemeral ports again (binding a source address would
       * not: its port is chosen before the destination is known).
       */
      readonly hosts: readonly string[];
      /** Connections started per 10 ms, so the target's accept queue is not overrun. */
      readonly perTick: number;
    }
  | { readonly type: 'stats' }
  | { readonly type: 'reset' }
  /** Cut every socket at once and reconnect each with its Last-Event-ID. */
  | { readonly type: 'storm' }
  | { readonly type: 'close' };

export type Report =
  | { readonly type: 'progress'; readonly open: number; readonly received: number }
  | { readonly type: 'ack' }
  | { readonly type: 'opened'; readonly open: number; readonly failures: readonly string[] }
  | {
      readonly type: 'stats';
      readonly received: number;
      readonly events: readonly [number, [number, number, number]][];
      readonly latency: number[];
      readonly other: number;
      readonly failures: readonly string[];
    };

type Subscriber = { socket: Socket; counter: SseCounter; path: string };

const log = createDeliveryLog((why) => process.stderr.write(`bench subscriber: ${why}\n`));
let subscribers: Subscriber[] = [];
let opening: Extract<Command, { type: 'open' }> | undefined;
const send = (report: Report) => process.send?.(report);
const received = () => subscribers.reduce((n, s) => n + s.counter.received, 0);
const openCount = () => subscribers.reduce((n, s) => n + (s.counter.open ? 1 : 0), 0);

function subscribe(i: number, path: string, lastId?: string, attempt = 0): Subscriber {
  const command = opening!;
  const socket = connect({
    port: command.port,
    host: command.hosts[i % command.hosts.length],
  });
  const counter = new SseCounter(log.sink);
  if (lastId) counter.lastId = lastId;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => counter.push(chunk));
  socket.on('error', (error) => {
    // Refused or reset before the response began (an overloaded accept queue does that):
    // try again, backing off, as EventSource would; `openAll` gives up at its deadline.
    if (!counter.open) {
      if (process.env.SSEHUB_BENCH_DEBUG)
        process.stderr.write(`retry ${attempt}: ${error.message}\n`);
      const delay = Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random());
      setTimeout(() => {
        if (subscribers[i] === entry) subscribers[i] = subscribe(i, path, lastId, attempt + 1);
      }, delay);
      return;
    }
    log.sink.failed(error.message);
  });
  const resume = lastId ? `Last-Event-ID: ${lastId}\r\n` : '';
  socket.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n${resume}\r\n`);
  const entry: Subscriber = { socket, counter, path };
  return entry;
}

async function openAll(
  paths: readonly string[],
  lastIds?: readonly string[],
  perTick = opening!.perTick,
): Promise<void> {
  // Filled in place, so a retry can replace its own slot.
  subscribers = [];
  for (let i = 0; i < paths.length; i++) {
    subscribers[i] = subscribe(i, paths[i]!, lastIds?.[i]);
    if (i % perTick === perTick - 1) await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = Date.now() + 120_000;
  while (openCount() < paths.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

const progress = setInterval(
  () => send({ type: 'progress', open: openCount(), received: received() }),
  500,
);
progress.unref();

process.on('message', async (command: Command) => {
  switch (command.type) {
    case 'open':
      opening = command;
      await openAll(command.paths);
      send({ type: 'opened', open: openCount(), failures: log.snapshot().failures });
      break;
    case 'storm': {
      const before = subscribers;
      const lastIds = before.map((s) => s.counter.lastId);
      const counts = before.map((s) => s.counter.received);
      for (const s of before) s.socket.destroy();
      await openAll(
        before.map((s) => s.path),
        lastIds,
      );
      // Keep counting across the cut: received is per subscriber, old plus new.
      subscribers.forEach((s, i) => {
        s.counter.received += counts[i]!;
      });
      send({ type: 'opened', open: openCount(), failures: log.snapshot().failures });
      break;
    }
    case 'stats': {
      const snap = log.snapshot();
      send({ type: 'stats', received: received(), ...snap });
      break;
    }
    case 'reset':
      log.reset();
      for (const s of subscribers) s.counter.received = 0;
      send({ type: 'ack' });
      break;
    case 'close':
      for (const s of subscribers) s.socket.destroy();
      clearInterval(progress);
      process.disconnect?.();
      break;
  }
});
