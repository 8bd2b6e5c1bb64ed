import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Hub, Logger } from '../hub/index.js';

export const STATS_TOPIC = 'demo/stats';
export const LOGS_TOPIC = 'logs';

/** How long a feed keeps publishing after its last subscriber left, so a paused page misses lines. */
const LINGER_MS = 5 * 60_000;

/**
 * The demo's live data, published through the hub like any publisher's: server stats every
 * second for the dashboard, and an example application log for the log tail. Each feed runs
 * only while someone watches its topic (and a while after), so an idle hub's history is not
 * filled with demo events.
 */
export function startDemoFeeds(hub: Hub, logger: Logger, { intervalMs = 1000 } = {}) {
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let last = hub.stats();
  let lastCpu = process.cpuUsage();
  let lastAt = Date.now();
  const watchedUntil = new Map<string, number>();
  let nextLogAt = 0;

  const watched = (topic: string, now: number): boolean => {
    // Patterns count too: a page on `logs` or a tool on `**` both watch the feed.
    if (hub.topics().some((t) => t.topic === topic && t.subscribers > 0)) {
      watchedUntil.set(topic, now + LINGER_MS);
    }
    return (watchedUntil.get(topic) ?? 0) > now;
  };

  const publish = (topic: string, event: string, data: unknown) => {
    hub.publish({ topic, event, data }).catch((error: unknown) => {
      logger.debug({ err: error, topic }, 'demo feed publish failed');
    });
  };

  let nextStatsAt = 0;
  const publishStats = (now: number) => {
    const stats = hub.stats();
    const cpu = process.cpuUsage();
    const seconds = Math.max(0.001, (now - lastAt) / 1000);
    const rate = (a: number, b: number) => Math.round((a - b) / seconds);
    publish(STATS_TOPIC, 'stats', {
      at: now,
      node: `${hostname()}:${process.pid}`,
      connections: stats.connections,
      publishesPerSecond: rate(stats.eventsPublished, last.eventsPublished),
      deliveriesPerSecond: rate(stats.eventsDelivered, last.eventsDelivered),
      bytesOutPerSecond: rate(stats.bytesOut, last.bytesOut),
      cpuPercent: Math.round(rate(cpu.user + cpu.system, lastCpu.user + lastCpu.system) / 10_000),
      rssBytes: process.memoryUsage.rss(),
      eventLoopDelayMs: Math.round(lag.percentile(99) / 1e5) / 10,
    });
    lag.reset();
    [last, lastCpu, lastAt] = [stats, cpu, now];
  };

  // Checked often so that log lines come at an uneven, log-like pace.
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (now >= nextStatsAt) {
        nextStatsAt = now + intervalMs;
        if (watched(STATS_TOPIC, now)) publishStats(now);
        else [last, lastCpu, lastAt] = [hub.stats(), process.cpuUsage(), now];
      }
      if (now >= nextLogAt && watched(LOGS_TOPIC, now)) {
        publish(LOGS_TOPIC, 'log', fakeLogLine(new Date(now)));
        nextLogAt = now + 300 + Math.random() * 1500;
      }
    },
    Math.min(intervalMs, 250),
  );
  timer.unref();

  return {
    stop(): void {
      clearInterval(timer);
      lag.disable();
    },
  };
}

const PATHS = ['/api/orders', '/api/orders/42', '/api/cart', '/login', '/api/search?q=sse'];
const AGENTS = ['curl/8.5', 'Mozilla/5.0', 'okhttp/4.12', 'python-requests/2.32'];

/** An access-log line of an imaginary app, so the log tail has something to show. */
function fakeLogLine(at: Date): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
  const roll = Math.random();
  const status = roll < 0.82 ? 200 : roll < 0.9 ? 304 : roll < 0.96 ? 404 : 500;
  const level = status >= 500 ? 'ERROR' : status >= 400 ? 'WARN ' : 'INFO ';
  const method = Math.random() < 0.7 ? 'GET ' : 'POST';
  const ms = Math.round(2 + Math.random() ** 3 * 400);
  return `${at.toISOString()} ${level} ${method} ${pick(PATHS)} ${status} ${ms}ms "${pick(AGENTS)}"`;
}
