import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Histogram, merge, newHistogram } from './histogram.js';
import type { Command, Report } from './subscriber-worker.js';

/** Sockets per load process: one process may hold 20,000 files here, with room to spare. */
export const PER_PROCESS = 14_000;

const worker = [
  fileURLToPath(new URL('./subscriber-worker.js', import.meta.url)),
  fileURLToPath(new URL('./subscriber-worker.ts', import.meta.url)),
].find(existsSync)!;

export interface Deliveries {
  received: number;
  /** seq → deliveries, first and last arrival (µs since the epoch). */
  events: Map<number, [number, number, number]>;
  latency: Histogram;
  failures: string[];
}

/**
 * Subscribers spread over as many load processes as their number needs. Each process reports
 * its open sockets and deliveries every 500 ms; `status()` sums the latest reports.
 */
export async function openLoad(
  port: number,
  hosts: readonly string[],
  paths: readonly string[],
  onProgress?: (open: number) => void,
  /** New connections per second, over all load processes. */
  connectRate = 5000,
) {
  const count = Math.max(1, Math.ceil(paths.length / PER_PROCESS));
  const children: ChildProcess[] = [];
  const latest: { open: number; received: number }[] = [];
  const waiting = new Map<ChildProcess, { type: Report['type']; resolve: (r: Report) => void }>();
  for (let i = 0; i < count; i++) {
    const child = fork(worker, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: worker.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    latest.push({ open: 0, received: 0 });
    child.on('message', (report: Report) => {
      if (report.type === 'progress') {
        latest[i] = { open: report.open, received: report.received };
        onProgress?.(latest.reduce((n, l) => n + l.open, 0));
      }
      const wait = waiting.get(child);
      if (wait !== undefined && wait.type === report.type) {
        waiting.delete(child);
        wait.resolve(report);
      }
    });
    children.push(child);
  }
  const ask = <T extends Report['type']>(command: Command, reply: T) =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<Extract<Report, { type: T }>>((resolve) => {
            waiting.set(child, { type: reply, resolve: resolve as (r: Report) => void });
            child.send(command);
          }),
      ),
    );

  const share = Math.ceil(paths.length / count);
  // Spread the connecting over all load processes at once, each at its own pace.
  const opened = await Promise.all(
    children.map(
      (child, i) =>
        new Promise<Extract<Report, { type: 'opened' }>>((resolve) => {
          waiting.set(child, { type: 'opened', resolve: resolve as (r: Report) => void });
          child.send({
            type: 'open',
            port,
            paths: paths.slice(i * share, (i + 1) * share),
            hosts,
            // Faster than the target accepts overflows its accept queue (SYN cookies, then
            // resets), which measures the kernel and the load, not the server.
            perTick: Math.max(1, Math.round(connectRate / 100 / count)),
          } satisfies Command);
        }),
    ),
  );

  return {
    opened: opened.reduce((n, r) => n + r.open, 0),
    failures: opened.flatMap((r) => r.failures),
    status: () => ({
      open: latest.reduce((n, l) => n + l.open, 0),
      received: latest.reduce((n, l) => n + l.received, 0),
    }),
    async reset(): Promise<void> {
      await ask({ type: 'reset' }, 'ack');
      for (const l of latest) l.received = 0;
    },
    async deliveries(): Promise<Deliveries> {
      const reports = await ask({ type: 'stats' }, 'stats');
      const events = new Map<number, [number, number, number]>();
      const latency = newHistogram();
      for (const r of reports) {
        merge(latency, r.latency);
        for (const [seq, [n, first, last]] of r.events) {
          const e = events.get(seq);
          if (e === undefined) events.set(seq, [n, first, last]);
          else events.set(seq, [e[0] + n, Math.min(e[1], first), Math.max(e[2], last)]);
        }
      }
      return {
        received: reports.reduce((n, r) => n + r.received, 0),
        events,
        latency,
        failures: reports.flatMap((r) => r.failures),
      };
    },
    /** Every socket cut at once, each reconnecting with its Last-Event-ID; resolves when open. */
    async storm(): Promise<number> {
      const reports = await ask({ type: 'storm' }, 'opened');
      return reports.reduce((n, r) => n + r.open, 0);
    },
    close(): void {
      for (const child of children) {
        child.send({ type: 'close' } satisfies Command);
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }
    },
  };
}

export type Load = Awaited<ReturnType<typeof openLoad>>;
