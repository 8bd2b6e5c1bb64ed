import { afterEach, describe, expect, it } from 'vitest';
import { spawnServe } from '../test-support/cli.js';
import { listen, publish, rawSubscribe, until } from '../test-support/server.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveWorkers(
  n: number,
  { files, extra = [] }: { files?: number; extra?: string[] } = {},
) {
  const hub = spawnServe(['--workers', String(n), '--shutdown-grace', '200', ...extra], cleanups, {
    files,
  });
  // Every worker says it listens; the primary does not.
  await until(() => hub.listening() === n, 20_000);
  return { ...hub, url: await hub.url };
}

/** The workers behind the port (pid → open streams), as seen from a few fresh connections. */
async function workersBehind(url: string, tries = 12): Promise<Map<number, number>> {
  const workers = new Map<number, number>();
  for (let i = 0; i < tries; i++) {
    const res = await fetch(`${url}/healthz`, { headers: { connection: 'close' } });
    const { pid, connections } = (await res.json()) as { pid: number; connections: number };
    workers.set(pid, connections);
  }
  return workers;
}

describe('ssehub serve --workers', () => {
  it('shares one port and one history: every subscriber on any worker gets every event, and resumes anywhere', async () => {
    const hub = await serveWorkers(2);
    expect((await workersBehind(hub.url)).size).toBe(2);
    const subscribers = Array.from({ length: 6 }, () => listen(`${hub.url}/events?topic=t`));
    cleanups.push(() => {
      for (const s of subscribers) s.close();
    });
    await until(() => subscribers.every((s) => s.events.length >= 1));
    const ids: string[] = [];
    for (let n = 1; n <= 10; n++)
      ids.push((await publish(hub.url, { topic: 't', data: String(n) })).id);
    await until(() => subscribers.every((s) => s.messages().length === 10));
    for (const s of subscribers)
      expect(s.messages()).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));

    // Resume from event 5 through whichever worker the connection lands on.
    const resumed = Array.from({ length: 4 }, () =>
      listen(`${hub.url}/events?topic=t`, { lastEventId: ids[4]! }),
    );
    cleanups.push(() => {
      for (const s of resumed) s.close();
    });
    await until(() => resumed.every((s) => s.messages().length === 5));
    for (const s of resumed) expect(s.messages()).toEqual(['6', '7', '8', '9', '10']);

    // A push to one client id is accepted by any worker and delivered by the one holding it.
    const target = subscribers[0]!;
    const { clientId } = JSON.parse(target.events[0]!.data) as { clientId: string };
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${hub.url}/clients/${clientId}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ data: `only you ${i}` }),
      });
      expect(res.status).toBe(200);
    }
    await until(() => target.messages().length === 14);
    expect(subscribers[1]!.messages()).toHaveLength(10);
    const nobody = await fetch(`${hub.url}/clients/nobody/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":"x"}',
    });
    expect(nobody.status).toBe(404);

    // Every worker lists every worker's clients.
    const listed = (await (
      await fetch(`${hub.url}/clients`, { headers: { connection: 'close' } })
    ).json()) as {
      clients: { id: string; node: string }[];
    };
    expect(listed.clients).toHaveLength(10);
    expect(new Set(listed.clients.map((c) => c.node)).size).toBe(2);
  }, 40_000);

  it('a killed worker is replaced, and its clients resume on the others without loss', async () => {
    const hub = await serveWorkers(2);
    const subscriber = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => subscriber.close());
    await until(() => subscriber.events.length >= 1);
    for (let n = 1; n <= 5; n++) await publish(hub.url, { topic: 't', data: String(n) });
    await until(() => subscriber.messages().length === 5);
    // Kill the worker that holds the stream, so its client must move.
    const victim = [...(await workersBehind(hub.url))].find(([, streams]) => streams > 0)![0];
    process.kill(victim, 'SIGKILL');
    await until(() => hub.out().includes('worker died; starting another'), 10_000);
    for (let n = 6; n <= 10; n++) {
      // Publishing may meet the dead worker's closed socket once; the hub itself is fine.
      await until(async () => {
        const res = await fetch(`${hub.url}/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ topic: 't', data: String(n) }),
        }).catch(() => undefined);
        return res?.status === 200;
      }, 10_000);
    }
    await until(() => subscriber.messages().length === 10, 15_000);
    expect(subscriber.messages()).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
    await until(async () => (await workersBehind(hub.url)).size === 2, 15_000);
    expect([...(await workersBehind(hub.url)).keys()]).not.toContain(victim);
    expect(subscriber.errors.length).toBeGreaterThan(0); // it did lose its connection

    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  }, 60_000);

  it('holds more streams than one process may open files', async () => {
    const files = 160;
    const hub = await serveWorkers(2, {
      files,
      extra: ['--fd-reserve', '20', '--max-connections-per-ip', '0', '--subscribe-rate', '0'],
    });
    const sockets: { socket: { destroy(): void }; text(): string }[] = [];
    cleanups.push(() => {
      for (const s of sockets) s.socket.destroy();
    });
    const { port } = new URL(hub.url);
    for (let i = 0; i < 200; i++) sockets.push(await rawSubscribe(Number(port), '/events?topic=t'));
    const admitted = sockets.filter((s) => s.text().startsWith('HTTP/1.1 200')).length;
    // One process could hold at most `files` descriptors in all; the two together hold more.
    expect(admitted).toBeGreaterThan(files);
    await publish(hub.url, { topic: 't', data: 'to all' });
    await until(
      () => sockets.filter((s) => s.text().includes('to all')).length === admitted,
      10_000,
    );
  }, 60_000);
});
