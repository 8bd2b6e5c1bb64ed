import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '../hub/index.js';
import { eventStreamResponse } from '../stream/index.js';
import { checkAppErrorLeavesStream, checkMount } from '../test-support/embedded.js';
import { listen, until } from '../test-support/server.js';
import { ssehub } from './hono.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startApp() {
  const hub = createHub();
  cleanups.push(() => hub.close({ graceMs: 0 }));
  // One entry per /answer request: how far its generator got and whether it was stopped.
  const answers: { stopped: boolean; produced: number }[] = [];
  const app = new Hono();
  app.use(compress());
  app.use('/sse/*', ssehub(hub, { prefix: '/sse' }));
  app.get('/boom', () => {
    throw new Error('app bug');
  });
  app.get('/answer', (c) => {
    const state = { stopped: false, produced: 0 };
    answers.push(state);
    async function* tokens() {
      try {
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          yield `t${state.produced++}`;
        }
      } finally {
        state.stopped = true;
      }
    }
    return eventStreamResponse(tokens(), { signal: c.req.raw.signal });
  });
  app.onError((_error, c) => c.json({ app: 'error handler' }, 500));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => (server as unknown as { closeAllConnections(): void }).closeAllConnections());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { hub, base, answers };
}

describe('ssehub/hono on @hono/node-server', () => {
  it("serves the hub under its prefix, untouched by Hono's compress()", async () => {
    const { hub, base } = await startApp();
    await checkMount(`${base}/sse`, hub);
    expect((await fetch(`${base}/sse/nope`)).status).toBe(404);
  });

  it("the app's errors leave open streams alone", async () => {
    const { base } = await startApp();
    await checkAppErrorLeavesStream(base, async (boom) => {
      expect(await boom.json()).toEqual({ app: 'error handler' });
    });
  });

  it('eventStreamResponse streams from a Hono route and stops when the client leaves', async () => {
    const { base, answers } = await startApp();
    const head = await fetch(`${base}/answer`, { headers: { 'accept-encoding': 'gzip' } });
    // no-transform keeps compress() (which would buffer) away from the stream.
    expect(head.headers.get('content-encoding')).toBeNull();
    await head.body?.cancel();
    const l = listen(`${base}/answer`, { types: ['message'] });
    await until(() => l.events.length >= 3);
    l.close();
    const state = answers[1]!;
    await until(() => state.stopped, 3000);
    const at = state.produced;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state.produced).toBe(at);
  });
});
