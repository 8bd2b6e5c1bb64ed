import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FanOutObserver, Hub, HubStats } from '../hub/index.js';
import type { Limits } from './limits.js';

/** Topics beyond this many (by subscribers) are summed under `topic="_other"`. */
const TOP_TOPICS = 50;
/** Fan-outs kept for the admin page's percentiles. */
const RECENT = 2048;

export interface OpsSample {
  readonly at: number;
  readonly lagMs: number;
  readonly durationMs: number;
}

/**
 * Prometheus metrics for one hub (prom-client), and a short memory of recent fan-outs for the
 * admin page. Counters are read from `hub.stats()` at scrape time, so the hot path pays only for
 * the two histograms, once per event (not per delivery).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let hub: Hub | undefined;
  let limits: Limits | undefined;
  const refused = new Map<string, number>();
  // The latest event per topic, for the admin page; the oldest topic drops out past 100.
  const latest = new Map<string, { id: string; event: string; data: string; at: number }>();
  const recent: OpsSample[] = [];
  let next = 0;

  const lag = new Histogram({
    name: 'ssehub_publish_to_write_seconds',
    help: 'From the store accepting an event to its fan-out starting on this node',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const fanOut = new Histogram({
    name: 'ssehub_fanout_duration_seconds',
    help: 'Time to write one event to every recipient on this node',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });

  /** A counter whose value is read from the hub at scrape time. */
  function fromStats(name: string, help: string, read: (stats: HubStats) => number): void {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        if (hub === undefined) return;
        const value = read(hub.stats());
        this.inc(Math.max(0, value - last));
        last = value;
      },
    });
  }
  fromStats('ssehub_connections_accepted_total', 'Streams opened', (s) => s.connectionsAccepted);
  fromStats(
    'ssehub_events_published_total',
    'Events stored and sent to the bus',
    (s) => s.eventsPublished,
  );
  fromStats(
    'ssehub_events_delivered_total',
    'Events written to streams live',
    (s) => s.eventsDelivered,
  );
  fromStats(
    'ssehub_events_replayed_total',
    'Events written to streams from history on resume',
    (s) => s.eventsReplayed,
  );
  fromStats(
    'ssehub_bytes_out_total',
    'Event bytes written to streams, before compression',
    (s) => s.bytesOut,
  );
  fromStats('ssehub_resets_total', 'reset events sent (resume impossible)', (s) => s.resetsSent);
  fromStats(
    'ssehub_slow_consumer_disconnects_total',
    'Streams cut for falling more than maxQueueBytes behind',
    (s) => s.slowConsumerDisconnects,
  );

  new Gauge({
    name: 'ssehub_connections',
    help: 'Open streams',
    registers: [registry],
    collect() {
      this.set(hub?.stats().connections ?? 0);
    },
  });
  const lastRejected = new Map<string, number>();
  new Counter({
    name: 'ssehub_connections_rejected_total',
    help: 'Streams refused, by reason (limits, auth, bad requests)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const now = new Map(refused);
      for (const [reason, n] of Object.entries(limits?.stats().rejected ?? {})) now.set(reason, n);
      for (const [reason, n] of now) {
        this.inc({ reason }, Math.max(0, n - (lastRejected.get(reason) ?? 0)));
        lastRejected.set(reason, n);
      }
    },
  });
  new Gauge({
    name: 'ssehub_subscriptions',
    help: `Subscribers per subscription (topic or pattern); beyond the top ${TOP_TOPICS}, summed as "_other"`,
    labelNames: ['topic'],
    registers: [registry],
    collect() {
      this.reset();
      const topics = (hub?.topics() ?? []).sort((a, b) => b.subscribers - a.subscribers);
      let other = 0;
      topics.forEach(({ topic, subscribers }, i) => {
        if (i < TOP_TOPICS) this.set({ topic }, subscribers);
        else other += subscribers;
      });
      if (topics.length > TOP_TOPICS) this.set({ topic: '_other' }, other);
    },
  });
  new Gauge({
    name: 'ssehub_engine_up',
    help: 'Whether the history and bus engine is reachable (1) or not (0)',
    registers: [registry],
    collect() {
      this.set(hub?.health().engineConnected ? 1 : 0);
    },
  });
  const engineLag = new Gauge({
    name: 'ssehub_engine_lag_seconds',
    help: 'Publish-to-write lag of the latest event fanned out here',
    registers: [registry],
  });
  new Gauge({
    name: 'ssehub_draining',
    help: 'Shutting down: no new streams, open ones being closed in batches',
    registers: [registry],
    collect() {
      this.set(hub?.stats().draining ? 1 : 0);
    },
  });

  const observeFanOut: FanOutObserver = ({ event, lagMs, durationMs }) => {
    if (event.to.kind === 'topics') {
      const summary = {
        id: event.id,
        event: event.event ?? 'message',
        data: event.data.length > 200 ? `${event.data.slice(0, 200)}…` : event.data,
        at: event.publishedAt,
      };
      for (const topic of event.to.topics) {
        latest.delete(topic);
        latest.set(topic, summary);
        if (latest.size > 100) latest.delete(latest.keys().next().value as string);
      }
    }
    lag.observe(lagMs / 1000);
    fanOut.observe(durationMs / 1000);
    engineLag.set(lagMs / 1000);
    const sample = { at: Date.now(), lagMs, durationMs };
    if (recent.length < RECENT) recent.push(sample);
    else recent[next] = sample;
    next = (next + 1) % RECENT;
  };

  return {
    registry,
    observeFanOut,
    /** Connects the hub (created after, since it takes `observeFanOut`) and the limits. */
    attach(target: { hub: Hub; limits?: Limits | undefined }) {
      hub = target.hub;
      limits = target.limits;
    },
    /** Counts a refused stream (auth, bad request) by its error code. */
    streamRefused(reason: string) {
      refused.set(reason, (refused.get(reason) ?? 0) + 1);
    },
    /** The latest event of each recently active topic, newest first. */
    latestEvents() {
      return [...latest].reverse().map(([topic, event]) => ({ topic, ...event }));
    },
    /** p50/p99 of lag and fan-out time over the last `windowMs`. */
    recentPercentiles(windowMs: number) {
      const since = Date.now() - windowMs;
      const window = recent.filter((s) => s.at >= since);
      const pct = (values: number[], p: number) => {
        if (values.length === 0) return 0;
        values.sort((a, b) => a - b);
        return values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
      };
      const lags = window.map((s) => s.lagMs);
      const durations = window.map((s) => s.durationMs);
      return {
        samples: window.length,
        lagP50Ms: pct(lags, 50),
        lagP99Ms: pct(lags, 99),
        fanOutP99Ms: pct(durations, 99),
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
