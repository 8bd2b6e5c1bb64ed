import fastifyCompress from '@fastify/compress';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '../hub/index.js';
import { checkAppErrorLeavesStream, checkMount } from '../test-support/embedded.js';
import { ssehub } from './fastify.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startApp() {
  const hub = createHub();
  cleanups.push(() => hub.close({ graceMs: 0 }));
  const app = Fastify();
  await app.register(fastifyCompress, { global: true, threshold: 0 });
  await app.register(ssehub, { hub, prefix: '/sse' });
  app.get('/boom', async () => {
    throw new Error('app bug');
  });
  app.post('/echo', async (request) => request.body);
  app.setErrorHandler((_error, _request, reply) => {
    void reply.status(500).send({ app: 'error handler' });
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  cleanups.push(() => app.server.closeAllConnections());
  return { hub, app, base };
}

describe('ssehub/fastify', () => {
  it('serves the hub under its prefix, untouched by @fastify/compress', async () => {
    const { hub, base } = await startApp();
    await checkMount(`${base}/sse`, hub);
    expect((await fetch(`${base}/sse/nope`)).status).toBe(404);
  });

  it("leaves the app's own body parsing and error handling as they were", async () => {
    const { base } = await startApp();
    const echo = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
    await checkAppErrorLeavesStream(base, async (boom) => {
      expect(await boom.json()).toEqual({ app: 'error handler' });
    });
  });
});
