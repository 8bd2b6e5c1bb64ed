/** Load generation shared by the benchmarks: raw-socket subscribers and an HTTP publisher. */
import http from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * What every benchmarked hub runs with beyond its defaults: all subscribers come from one
 * address at full speed, which per-IP and rate limits exist to refuse.
 */
export const BENCH_HUB_FLAGS = [
  '--max-connections-per-ip',
  '0',
  '--subscribe-rate',
  '0',
  '--publish-rate',
  '0',
] as const;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `n` subscribers on raw sockets, spread over `ports` in turn, counting events as they arrive
 * (`received` excludes the hub's `connected` event; `connected` says it came).
 */
export async function openSubscribers(ports: readonly number[], n: number, topic: string) {
  const received = new Array<number>(n).fill(0);
  const connected = new Array<boolean>(n).fill(false);
  const lastAt = new Array<number>(n).fill(0);
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect(ports[i % ports.length]!, '127.0.0.1');
    // Tails carried across chunks: shorter than "data: ", so a data line is never counted twice.
    let tail = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      const text = tail + chunk;
      let count = 0;
      for (let at = text.indexOf('data: '); at !== -1; at = text.indexOf('data: ', at + 6)) count++;
      if (!connected[i] && text.includes('event: connected')) {
        connected[i] = true;
        count--;
      }
      received[i]! += count;
      lastAt[i] = performance.now();
      tail = text.slice(-5);
    });
    socket.write(
      `GET /events?topic=${topic} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`,
    );
    sockets.push(socket);
    if (i % 200 === 199) await sleep(10);
  }
  // Every subscription must be in place before the first publish, or it would miss events.
  while (connected.includes(false)) await sleep(10);
  return {
    received,
    lastAt,
    /** Resolves once every subscriber has `m` events. */
    async allReceived(m: number, timeoutMs = 120_000): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (received.some((r) => r < m)) {
        if (performance.now() > deadline) {
          const short = received.filter((r) => r < m);
          throw new Error(
            `${short.length} subscribers short, lowest at ${Math.min(...short)} of ${m}`,
          );
        }
        await sleep(5);
      }
    },
    close: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

/** Publishes `m` events to `topic` over keep-alive HTTP, `inFlight` at a time. */
export async function publishAll(
  port: number,
  topic: string,
  m: number,
  data: (n: number) => string,
  inFlight = 8,
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const post = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          port,
          path: '/publish',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ topic, data: data(n) }));
    });
  for (let n = 0; n < m; n += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, m - n) }, (_, k) => post(n + k)));
  }
  agent.destroy();
}
