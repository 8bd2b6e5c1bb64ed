import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../client/index.js';
import type { RunningServer } from '../server/index.js';
import { listen, publish, startTestServer, until } from '../test-support/server.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private redis-server without persistence: a restart loses everything, as in the field. */
async function startRedis(port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no']);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  cleanups.push(() => child.kill('SIGKILL'));
  await until(() => out.includes('Ready to accept connections'), 10_000);
  return {
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function node(
  redisPort: number,
  flags: Record<string, unknown> = {},
): Promise<RunningServer> {
  const running = await startTestServer({
    engine: 'redis',
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    enginePrefix: `test${redisPort}:`,
    ...flags,
  });
  cleanups.push(() => running.close());
  return running;
}

const ready = async (running: RunningServer) =>
  (await fetch(`${running.url}/readyz`)).status === 200;
const tryPublish = (base: string, data: string) =>
  fetch(`${base}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 't', data }),
  });
const sequence = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('--engine redis', () => {
  it('any node delivers what any node publishes, and any node resumes any client', async () => {
    const port = await freePort();
    await startRedis(port);
    const [a, b, c] = [await node(port), await node(port), await node(port)];
    const onB = listen(`${b.url}/events?topic=t`);
    cleanups.push(() => onB.close());
    await until(() => onB.events.length === 1);
    const ids: string[] = [];
    for (let n = 1; n <= 40; n++)
      ids.push((await publish(n % 2 ? a.url : c.url, { topic: 't', data: String(n) })).id);
    await until(() => onB.messages().length === 40);
    expect(onB.messages()).toEqual(sequence(1, 40));

    // A client that last saw event 25 (on B) resumes on C: 26..40, nothing twice.
    const onC = listen(`${c.url}/events?topic=t`, { lastEventId: ids[24]! });
    cleanups.push(() => onC.close());
    await until(() => onC.messages().length === 15);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(onC.messages()).toEqual(sequence(26, 40));
    expect(onC.events.filter((e) => e.type === 'reset')).toEqual([]);
  });

  it('Redis dies: streams stay, publishes get 503, readiness drops; back again, delivery resumes and old ids reset', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const hub = await node(port);
    const live = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => live.close());
    await until(() => live.events.length === 1);
    const first = await publish(hub.url, { topic: 't', data: '1' });
    await until(() => live.messages().length === 1);

    await redis.kill();
    await until(async () => !(await ready(hub)), 5000);
    const refused = await tryPublish(hub.url, 'lost?');
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('engine_unavailable');
    expect(hub.hub.stats().connections).toBe(1);

    await startRedis(port);
    await until(() => ready(hub), 10_000);
    await publish(hub.url, { topic: 't', data: '2' });
    await until(() => live.messages().length === 2);
    // Nothing refused was delivered later: the subscriber saw 1, then 2.
    expect(live.messages()).toEqual(['1', '2']);

    // Redis lost its data: an id from before is another epoch, and the client is told so.
    const resumed = listen(`${hub.url}/events?topic=t`, { lastEventId: first.id });
    cleanups.push(() => resumed.close());
    await until(() => resumed.events.some((e) => e.type === 'reset'));
    expect(JSON.parse(resumed.events.find((e) => e.type === 'reset')!.data)).toEqual({
      reason: 'other-epoch',
    });
  }, 30_000);

  it('Redis down at start: the hub serves but is not ready, and becomes ready when Redis comes', async () => {
    const port = await freePort();
    const hub = await node(port);
    expect(await ready(hub)).toBe(false);
    expect((await tryPublish(hub.url, 'x')).status).toBe(503);
    await startRedis(port);
    await until(() => ready(hub), 10_000);
    const l = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => l.close());
    await until(() => l.events.length === 1);
    await publish(hub.url, { topic: 't', data: 'now' });
    await until(() => l.messages().length === 1);
  }, 30_000);

  it('a hub node killed mid-stream: its client moves to another node and misses nothing', async () => {
    const port = await freePort();
    await startRedis(port);
    const [a, b] = [spawnNode(port), spawnNode(port)];
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    // What a load balancer does: send the client to a node that is up.
    let target = urlA;
    const client = connect<{ message: string; connected: string }>(`${urlA}/events?topic=t`, {
      fetch: (input, init) => fetch(String(input).replace(urlA, target), init),
      reconnect: { initialDelayMs: 50, minDelayMs: 20, maxDelayMs: 200 },
    });
    cleanups.push(() => client.close());
    const seen: string[] = [];
    client.on('message', (e) => seen.push(e.data));
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    for (let n = 1; n <= 10; n++) await publish(urlB, { topic: 't', data: String(n) });
    await until(() => seen.length === 10);

    a.child.kill('SIGKILL');
    target = urlB;
    for (let n = 11; n <= 20; n++) await publish(urlB, { topic: 't', data: String(n) });
    await until(() => seen.length === 20, 10_000);
    expect(seen).toEqual(sequence(1, 20));
  }, 30_000);
});

function spawnNode(redisPort: number) {
  const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [
    '--import',
    'tsx',
    main,
    'serve',
    '--port',
    '0',
    '--engine',
    'redis',
    '--redis-url',
    `redis://127.0.0.1:${redisPort}`,
    '--engine-prefix',
    `test${redisPort}:`,
    '--log-level',
    'info',
  ]);
  cleanups.push(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.resume();
  const url = until(() => /"url":"([^"]+)"/.test(out), 15_000).then(
    () => /"url":"([^"]+)"/.exec(out)![1]!,
  );
  return { child, url };
}
