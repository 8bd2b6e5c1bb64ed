import { afterEach, describe, expect, it } from 'vitest';
import {
  binaryAvailable,
  type Cleanups,
  engineContract,
  freePort,
  newStoreDir,
  startNats,
} from '../test-support/engines.js';
import { listen, publish, startTestServer, until } from '../test-support/server.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!binaryAvailable('nats-server'))('--engine nats', () => {
  // One store directory per port: a restart on the same port finds its stream again.
  const dirs = new Map<number, string>();
  engineContract(
    {
      start: (port) => {
        if (!dirs.has(port)) dirs.set(port, newStoreDir());
        return startNats(port, dirs.get(port)!, cleanups);
      },
      flags: (port) => ({
        engine: 'nats',
        natsUrl: `nats://127.0.0.1:${port}`,
        enginePrefix: `test${port}`,
      }),
      keepsDataOnRestart: true,
    },
    cleanups,
  );
});

describe.skipIf(!binaryAvailable('nats-server'))('--engine nats, the store lost', () => {
  it('a NATS back without its stream starts a new epoch: live delivery goes on, old ids reset', async () => {
    const port = await freePort();
    const first = await startNats(port, newStoreDir(), cleanups);
    const hub = await startTestServer({ engine: 'nats', natsUrl: `nats://127.0.0.1:${port}` });
    cleanups.push(() => hub.close());
    const live = listen(`${hub.url}/events?topic=t`);
    cleanups.push(() => live.close());
    await until(() => live.events.length === 1);
    const before = await publish(hub.url, { topic: 't', data: 'before' });
    await until(() => live.messages().length === 1);

    await first.kill();
    await startNats(port, newStoreDir(), cleanups);
    await until(async () => (await fetch(`${hub.url}/readyz`)).status === 200, 15_000);
    const after = await publish(hub.url, { topic: 't', data: 'after' });
    await until(() => live.messages().length === 2, 10_000);
    expect(live.messages()).toEqual(['before', 'after']);
    expect(after.id.split('-')[0]).not.toBe(before.id.split('-')[0]);

    const resumed = listen(`${hub.url}/events?topic=t`, { lastEventId: before.id });
    cleanups.push(() => resumed.close());
    await until(() => resumed.events.some((e) => e.type === 'reset'));
    expect(resumed.messages()).toEqual([]);
  }, 40_000);
});
