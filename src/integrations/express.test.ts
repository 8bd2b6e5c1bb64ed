import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import compression from 'compression';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '../hub/index.js';
import { checkAppErrorLeavesStream, checkMount } from '../test-support/embedded.js';
import { until } from '../test-support/server.js';
import { ssehub } from './express.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An app as people write them: compression, body parsers, routes, an error handler. */
async function startApp(mount: (app: express.Express) => void) {
  const app = express();
  app.use(compression());
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  mount(app);
  app.get('/boom', () => {
    throw new Error('app bug');
  });
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).send('app 404');
  });
  app.use(
    (_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('app error handler');
    },
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ssehub/express', () => {
  it('serves the hub under a mount path, past compression and body parsers', async () => {
    const hub = createHub();
    cleanups.push(() => hub.close({ graceMs: 0 }));
    const base = await startApp((app) => app.use('/sse', ssehub(hub)));
    await checkMount(`${base}/sse`, hub, { appParsesBodies: true });
    expect(await (await fetch(`${base}/sse/unknown`)).text()).toBe('app 404');
  });

  it("the app's errors and error handler leave open streams alone", async () => {
    const hub = createHub();
    cleanups.push(() => hub.close({ graceMs: 0 }));
    const base = await startApp((app) => app.use('/sse', ssehub(hub)));
    await checkAppErrorLeavesStream(base, async (boom) => {
      expect([boom.status, await boom.text()]).toEqual([500, 'app error handler']);
    });
  });

  it('an authorize hook decides topics per request', async () => {
    const hub = createHub();
    cleanups.push(() => hub.close({ graceMs: 0 }));
    const base = await startApp((app) =>
      app.use(
        '/sse',
        ssehub(hub, {
          authorize: (req) =>
            req.headers['x-user'] ? { subscribe: [`user/${req.headers['x-user']}`] } : false,
        }),
      ),
    );
    const res = await fetch(`${base}/sse/events`, { headers: { 'x-user': 'ann' } });
    expect(res.status).toBe(200);
    await until(() => hub.clients().length === 1);
    expect(hub.clients()[0]?.topics).toEqual(['user/ann']);
    await res.body?.cancel();
    expect((await fetch(`${base}/sse/events`)).status).toBe(401);
  });
});
