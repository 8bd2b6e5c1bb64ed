import { countOf, type Histogram, quantile } from './histogram.js';
import { type Deliveries, type Load, openLoad } from './load.js';
import { cpuSeconds, processTree, rssBytes } from './proc.js';
import type { RunningTarget } from './targets.js';

export interface ScenarioContext {
  readonly target: RunningTarget;
  /** New connections per second the load opens. */
  readonly connectRate?: number | undefined;
  /** A status line for a person watching; called about once a second. */
  readonly progress: (line: string) => void;
}

export interface Measured {
  [key: string]: number | string | boolean | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowMicros = () => (performance.timeOrigin + performance.now()) * 1000;
const round = (n: number | undefined, digits = 1) =>
  n === undefined ? undefined : Math.round(n * 10 ** digits) / 10 ** digits;
const ms = (micros: number | undefined) =>
  round(micros === undefined ? undefined : micros / 1000, 2);

/** Event data: `<seq>.<sent µs>`, padded with spaces and x to `size` bytes. */
const payload = (seq: number, size: number) => {
  const at = Math.round(nowMicros());
  const head = `${seq}.${at}`;
  return {
    at,
    data: size > head.length + 1 ? `${head} ${'x'.repeat(size - head.length - 1)}` : head,
  };
};

/** CPU seconds the processes use from now until the returned function is called. */
function cpuMeter(pids: readonly number[]) {
  const start = cpuSeconds(pids);
  return () => {
    const now = cpuSeconds(pids);
    const user = now.user - start.user;
    return { user, total: user + now.system - start.system };
  };
}

function percentiles(values: number[]): { p50?: number; p99?: number } {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)]!;
  return { p50: at(0.5), p99: at(0.99) };
}

async function connect(context: ScenarioContext, paths: readonly string[]): Promise<Load> {
  const { target, progress } = context;
  const started = Date.now();
  let load: Load | undefined;
  let open = 0;
  const timer = setInterval(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    progress(`${open} of ${paths.length} subscribers open after ${seconds} s`);
  }, 1000);
  try {
    load = await openLoad(
      target.port,
      target.hosts,
      paths,
      (n) => {
        open = n;
      },
      context.connectRate,
    );
  } finally {
    clearInterval(timer);
  }
  if (load.opened < paths.length) {
    load.close();
    throw new Error(
      `only ${load.opened} of ${paths.length} subscribers connected: ${load.failures.slice(0, 3).join('; ')}`,
    );
  }
  return load;
}

/** Waits until `expected` deliveries arrived (or the time is up), reporting progress. */
async function awaitDeliveries(
  load: Load,
  expected: number,
  context: ScenarioContext,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  while (load.status().received < expected && Date.now() < deadline) {
    if (Date.now() - lastReport >= 1000) {
      lastReport = Date.now();
      context.progress(`delivered ${load.status().received} of ${expected}`);
    }
    await sleep(50);
  }
  // The counts come every 500 ms; the exact figures come from the stats themselves.
  return load.deliveries();
}

function deliveryFigures(d: Deliveries, sent: Map<number, number>, cpu: number, cpuUser: number) {
  let lastArrival = 0;
  let firstSend = Number.POSITIVE_INFINITY;
  const first: number[] = [];
  const last: number[] = [];
  for (const [seq, [, f, l]] of d.events) {
    const at = sent.get(seq);
    if (at === undefined) continue;
    first.push(f - at);
    last.push(l - at);
    lastArrival = Math.max(lastArrival, l);
    firstSend = Math.min(firstSend, at);
  }
  const seconds = (lastArrival - firstSend) / 1e6;
  const latency: Histogram = d.latency;
  return {
    deliveries: d.received,
    deliveriesPerSecond: Math.round(d.received / Math.max(seconds, 1e-3)),
    cpuMicrosPerDelivery: round((cpu * 1e6) / Math.max(1, d.received), 2),
    userShare: round(cpu === 0 ? 0 : cpuUser / cpu, 2),
    latencyP50Ms: ms(quantile(latency, 0.5)),
    latencyP99Ms: ms(quantile(latency, 0.99)),
    fanoutFirstP50Ms: ms(percentiles(first).p50),
    fanoutLastP50Ms: ms(percentiles(last).p50),
    fanoutLastP99Ms: ms(percentiles(last).p99),
    samples: countOf(latency),
  };
}

/**
 * N subscribers on one topic; idle memory per connection once they are in; then M events at a
 * steady rate, each to all of them. With `storm`, every connection is then cut at once and
 * reconnects with its Last-Event-ID while more events are published, and the scenario checks
 * that each subscriber got every event exactly once.
 */
export async function fanout(
  context: ScenarioContext,
  options: {
    subscribers: number;
    events: number;
    rate: number;
    size: number;
    storm?: number | undefined;
  },
): Promise<Measured> {
  const { target } = context;
  const n = options.subscribers;
  const pids = () => processTree(target.pid);
  await sleep(500);
  const rssBefore = rssBytes(pids());
  const load = await connect(
    context,
    Array.from({ length: n }, () => target.subscribePath('bench')),
  );
  try {
    context.progress(`${n} open; letting memory settle`);
    await sleep(3000);
    const idleBytesPerConnection = Math.round((rssBytes(pids()) - rssBefore) / n);
    await load.reset();
    const sent = new Map<number, number>();
    const tree = pids();
    const cpuUsed = cpuMeter(tree);
    const gap = 1000 / options.rate;
    const start = performance.now();
    for (let seq = 0; seq < options.events; seq++) {
      const { data, at } = payload(seq, options.size);
      sent.set(seq, at);
      await target.publish('bench', data);
      const next = start + (seq + 1) * gap;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const d = await awaitDeliveries(load, n * options.events, context);
    const cpu = cpuUsed();
    const figures = deliveryFigures(d, sent, cpu.total, cpu.user);
    const result: Measured = {
      subscribers: n,
      events: options.events,
      idleBytesPerConnection,
      missing: n * options.events - d.received,
      ...figures,
    };
    if (options.storm !== undefined)
      Object.assign(result, await storm(context, load, n, options.storm, options.size));
    return result;
  } finally {
    load.close();
  }
}

async function storm(
  context: ScenarioContext,
  load: Load,
  n: number,
  events: number,
  size: number,
): Promise<Measured> {
  if (!context.target.resumes) return { storm: 'n/a (no resume)' };
  await load.reset();
  const base = 1_000_000;
  const sent = new Map<number, number>();
  const started = performance.now();
  const reconnected = load.storm();
  // Published while every client is reconnecting: each must get them from history or live.
  for (let i = 0; i < events; i++) {
    const { data, at } = payload(base + i, size);
    sent.set(base + i, at);
    await context.target.publish('bench', data);
    await sleep(20);
  }
  const open = await reconnected;
  const reconnectMs = Math.round(performance.now() - started);
  const d = await awaitDeliveries(load, n * events, context, 60_000);
  let exactlyOnce = open === n;
  for (let i = 0; i < events; i++) {
    if (d.events.get(base + i)?.[0] !== n) exactlyOnce = false;
  }
  return {
    stormReconnectMs: reconnectMs,
    stormResumedExactlyOnce: exactlyOnce && d.received === n * events,
    stormDeliveries: d.received,
  };
}

/** N topics with one subscriber each; one event to each topic, published 32 at a time. */
export async function manyTopics(
  context: ScenarioContext,
  options: { topics: number; size: number },
): Promise<Measured> {
  const { target } = context;
  const n = options.topics;
  const load = await connect(
    context,
    Array.from({ length: n }, (_, i) => target.subscribePath(`t/${i}`)),
  );
  try {
    await sleep(1000);
    await load.reset();
    const tree = processTree(target.pid);
    const cpuUsed = cpuMeter(tree);
    const sent = new Map<number, number>();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < n) {
          const seq = next++;
          const { data, at } = payload(seq, options.size);
          sent.set(seq, at);
          await target.publish(`t/${seq}`, data);
        }
      }),
    );
    const publishSeconds = (performance.now() - t0) / 1000;
    const d = await awaitDeliveries(load, n, context, 60_000);
    const cpu = cpuUsed();
    const f = deliveryFigures(d, sent, cpu.total, cpu.user);
    return {
      topics: n,
      publishesPerSecond: Math.round(n / publishSeconds),
      missing: n - d.received,
      cpuMicrosPerPublish: f.cpuMicrosPerDelivery,
      latencyP50Ms: f.latencyP50Ms,
      latencyP99Ms: f.latencyP99Ms,
    };
  } finally {
    load.close();
  }
}

/** Publishes as fast as 32 concurrent HTTP publishers can for `seconds`, to one subscriber. */
export async function publishThroughput(
  context: ScenarioContext,
  options: { seconds: number; size: number },
): Promise<Measured> {
  const { target } = context;
  const load = await connect(context, [target.subscribePath('pub')]);
  try {
    await load.reset();
    const tree = processTree(target.pid);
    const cpuUsed = cpuMeter(tree);
    const until = performance.now() + options.seconds * 1000;
    let published = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (performance.now() < until) {
          await target.publish('pub', payload(published++, options.size).data);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const d = await awaitDeliveries(load, published, context, 30_000);
    const cpu = cpuUsed().total;
    return {
      publishesPerSecond: Math.round(published / seconds),
      cpuMicrosPerPublish: round((cpu * 1e6) / Math.max(1, published), 1),
      missing: published - d.received,
    };
  } finally {
    load.close();
  }
}
