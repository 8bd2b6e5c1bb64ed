import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../bench/targets.js';
import { connect } from '../client/index.js';
import type { RunningServer } from '../server/index.js';
import { cliArgs, spawnServe } from './cli.js';
import { listen, publish, startTestServer, until } from './server.js';

// One helper for a free port, shared with the benchmark.
export { freePort };

export type Cleanups = (() => unknown)[];

/**
 * Whether a server binary for the engine tests is installed. Where it is missing those tests
 * skip, so `npm test` passes on a bare machine; CI sets SSEHUB_REQUIRE_ENGINES=1 so that there
 * they can never skip silently.
 */
export function binaryAvailable(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found && process.env.SSEHUB_REQUIRE_ENGINES === '1') {
    throw new Error(`SSEHUB_REQUIRE_ENGINES=1 but ${name} is not on PATH`);
  }
  return found;
}

/** A private engine server process on `port`; `kill` is SIGKILL, as in a crash. */
export interface EngineProcess {
  kill(): Promise<void>;
}

async function startProcess(
  command: string,
  args: string[],
  readyText: string,
  cleanups: Cleanups,
): Promise<EngineProcess> {
  const child = spawn(command, args);
  let out = '';
  const collect = (c: string) => {
    out += c;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  cleanups.push(() => child.kill('SIGKILL'));
  await until(() => out.includes(readyText), 10_000);
  return {
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** redis-server without persistence: a restart loses everything, as many caches do. */
export function startRedis(port: number, cleanups: Cleanups): Promise<EngineProcess> {
  return startProcess(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    'Ready to accept connections',
    cleanups,
  );
}

/** nats-server with JetStream storing in `storeDir`: a restart on the same dir keeps the stream. */
export function startNats(
  port: number,
  storeDir: string,
  cleanups: Cleanups,
): Promise<EngineProcess> {
  return startProcess(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    'Server is ready',
    cleanups,
  );
}

export const newStoreDir = () => mkdtempSync(join(tmpdir(), 'ssehub-nats-'));

export const sequence = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

export interface EngineUnderTest {
  /** Starts the engine server on `port` (again, after a kill: same port, same data dir). */
  start(port: number): Promise<EngineProcess>;
  /** Hub flags that use it. */
  flags(port: number): Record<string, unknown>;
  /** Whether a killed and restarted engine still has the events from before. */
  readonly keepsDataOnRestart: boolean;
}

/**
 * What every shared engine must do, as tests: cross-node delivery and resume with counted
 * events, the engine dying and returning, the engine missing at start, and a hub node killed.
 */
export function engineContract(engine: EngineUnderTest, cleanups: Cleanups): void {
  async function node(port: number): Promise<RunningServer> {
    const running = await startTestServer(engine.flags(port));
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

  it('any node delivers what any node publishes, and any node resumes any client', async () => {
    const port = await freePort();
    await engine.start(port);
    const [a, b, c] = [await node(port), await node(port), await node(port)];
    const onB = listen(`${b.url}/events?topic=t`);
    cleanups.push(() => onB.close());
    await until(() => onB.events.length === 1);
    const ids: string[] = [];
    for (let n = 1; n <= 40; n++) {
      ids.push((await publish(n % 2 ? a.url : c.url, { topic: 't', data: String(n) })).id);
    }
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

  it('a client cut before its first event resumes from where it joined, on another node', async () => {
    const port = await freePort();
    await engine.start(port);
    const [a, b] = [await node(port), await node(port)];
    await publish(a.url, { topic: 't', data: 'before it joined' });
    const first = connect(`${b.url}/events?topic=t`);
    cleanups.push(() => first.close());
    // The id-only block after `connected` is the position it joined at.
    await until(() => first.lastEventId !== '');
    first.close();
    await publish(a.url, { topic: 't', data: 'while it was away' });
    const again = connect(`${a.url}/events?topic=t`, { lastEventId: first.lastEventId });
    cleanups.push(() => again.close());
    const got: string[] = [];
    again.on('message', (e) => got.push(e.data));
    again.on('reset', (e) => got.push(`reset ${e.data}`));
    await until(() => got.length === 1);
    await publish(b.url, { topic: 't', data: 'live' });
    await until(() => got.length === 2);
    expect(got).toEqual(['while it was away', 'live']);
  });

  it('a push to a client reaches it on whichever node holds it; an unknown client is 404', async () => {
    const port = await freePort();
    await engine.start(port);
    const [a, b] = [await node(port), await node(port)];
    const onB = listen(`${b.url}/events?topic=t`);
    cleanups.push(() => onB.close());
    await until(() => onB.events.length === 1);
    const { clientId } = JSON.parse(onB.events[0]!.data) as { clientId: string };
    const push = (id: string) =>
      fetch(`${a.url}/clients/${id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'just you' }),
      });
    await until(async () => (await push(clientId)).status === 200, 5000);
    await until(() => onB.messages().includes('just you'));
    expect((await push('no-such-client')).status).toBe(404);

    // The client list and a disconnect work from any node too.
    const onA = listen(`${a.url}/events?topic=u`);
    cleanups.push(() => onA.close());
    await until(() => onA.events.length === 1);
    const listed = (await (await fetch(`${a.url}/clients`)).json()) as {
      clients: { id: string; node: string; topics: string[] }[];
    };
    expect(listed.clients.map((c) => c.id)).toContain(clientId);
    expect(new Set(listed.clients.map((c) => c.node)).size).toBe(2);
    const one = await (await fetch(`${a.url}/clients/${clientId}`)).json();
    expect(one).toMatchObject({ id: clientId, topics: ['t'] });
    const filtered = await (await fetch(`${a.url}/clients?topic=u`)).json();
    expect(filtered.clients).toHaveLength(1);
    expect((await fetch(`${a.url}/clients/${clientId}`, { method: 'DELETE' })).status).toBe(200);
    await until(() => b.hub.stats().connections === 0, 5000);
    onB.close();
    await until(async () => (await push(clientId)).status === 404, 5000);
  });

  it('the engine dies: streams stay, publishes get 503, readiness drops; back, delivery resumes', async () => {
    const port = await freePort();
    const first = await engine.start(port);
    const hub = await node(port);
    const live = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => live.close());
    await until(() => live.events.length === 1);
    const one = await publish(hub.url, { topic: 't', data: '1' });
    await until(() => live.messages().length === 1);

    await first.kill();
    await until(async () => !(await ready(hub)), 5000);
    const refused = await tryPublish(hub.url, 'lost?');
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('engine_unavailable');
    expect(hub.hub.stats().connections).toBe(1);

    await engine.start(port);
    await until(() => ready(hub), 15_000);
    await until(async () => (await tryPublish(hub.url, '2')).status === 200, 10_000);
    await until(() => live.messages().length === 2, 10_000);
    // Nothing refused was delivered later: the subscriber saw 1, then 2, once each.
    expect(live.messages()).toEqual(['1', '2']);

    const resumed = listen(`${hub.url}/events?topic=t`, { lastEventId: one.id });
    cleanups.push(() => resumed.close());
    if (engine.keepsDataOnRestart) {
      // The engine kept its events: resuming from 1 yields 2.
      await until(() => resumed.messages().length === 1);
      expect(resumed.messages()).toEqual(['2']);
    } else {
      // The engine lost its data: an id from before is another epoch, and the client is told.
      await until(() => resumed.events.some((e) => e.type === 'reset'));
      const reset = resumed.events.find((e) => e.type === 'reset')!;
      expect(JSON.parse(reset.data)).toEqual({ reason: 'other-epoch' });
    }
  }, 40_000);

  it('the engine is down at start: the hub serves but is not ready, then becomes ready', async () => {
    const port = await freePort();
    const hub = await node(port);
    expect(await ready(hub)).toBe(false);
    expect((await tryPublish(hub.url, 'x')).status).toBe(503);
    await engine.start(port);
    await until(() => ready(hub), 15_000);
    const l = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => l.close());
    await until(() => l.events.length === 1);
    await until(async () => (await tryPublish(hub.url, 'now')).status === 200, 10_000);
    await until(() => l.messages().length === 1);
  }, 40_000);

  it('a hub node killed mid-stream: its client moves to another node and misses nothing', async () => {
    const port = await freePort();
    await engine.start(port);
    const [a, b] = [
      spawnServe(cliArgs(engine.flags(port)), cleanups),
      spawnServe(cliArgs(engine.flags(port)), cleanups),
    ];
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

    // Presence lists span nodes: a member on A is listed by B, until A dies.
    const member = listen(
      `${urlA}/events?topic=room/1&meta=${encodeURIComponent('{"name":"Ann"}')}`,
    );
    cleanups.push(() => member.close());
    const roster = async () =>
      (
        (await (await fetch(`${urlB}/topics/room/1/subscribers`)).json()) as {
          subscribers: { metadata?: { name: string } }[];
        }
      ).subscribers.map((m) => m.metadata?.name);
    await until(async () => (await roster()).includes('Ann'), 10_000);

    a.child.kill('SIGKILL');
    target = urlB;
    for (let n = 11; n <= 20; n++) await publish(urlB, { topic: 't', data: String(n) });
    await until(() => seen.length === 20, 10_000);
    expect(seen).toEqual(sequence(1, 20));
    member.close();
    await until(async () => !(await roster()).includes('Ann'), 20_000);
  }, 40_000);
}
