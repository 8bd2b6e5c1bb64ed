import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  binaryAvailable,
  type Cleanups,
  engineContract,
  freePort,
  startRedis,
} from '../test-support/engines.js';
import { startTestServer, until } from '../test-support/server.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!binaryAvailable('redis-server'))('--engine redis', () => {
  engineContract(
    {
      start: (port) => startRedis(port, cleanups),
      flags: (port) => ({
        engine: 'redis',
        redisUrl: `redis://127.0.0.1:${port}`,
        enginePrefix: `test${port}:`,
      }),
      // Started without persistence, as caches often are: the hard case.
      keepsDataOnRestart: false,
    },
    cleanups,
  );
});

describe.skipIf(!binaryAvailable('redis-server'))('--engine redis, a failed append', () => {
  it('frees a publisher-chosen id, so the retry is not refused as a duplicate', async () => {
    const port = await freePort();
    await startRedis(port, cleanups);
    const hub = await startTestServer({
      engine: 'redis',
      redisUrl: `redis://127.0.0.1:${port}`,
      enginePrefix: 'failing:',
    });
    cleanups.push(() => hub.close());
    await until(async () => (await fetch(`${hub.url}/readyz`)).status === 200);
    // The stream key holding a string makes XADD fail after the id was claimed.
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    cleanups.push(() => redis.disconnect());
    await redis.set('failing:events', 'not a stream');
    const send = () =>
      fetch(`${hub.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 't', id: 'order-42', data: 'x' }),
      });
    expect((await send()).status).toBe(503);
    await redis.del('failing:events');
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(409);
  });
});
