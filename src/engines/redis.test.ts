import { afterEach, describe } from 'vitest';
import {
  binaryAvailable,
  type Cleanups,
  engineContract,
  startRedis,
} from '../test-support/engines.js';

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
