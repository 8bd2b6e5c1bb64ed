import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, until } from '../test-support/server.js';
import { HttpError } from './errors.js';
import { createHandler, type HandlerOptions, type NodeHandler } from './handler.js';
import { createHub, type HttpHub } from './http-hub.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  handler: (req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1]) => void,
) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function hubWith(options: HandlerOptions = {}): HttpHub {
  const hub = createHub(options);
  cleanups.push(() => hub.close({ graceMs: 0 }));
  return hub;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('hub.handler on plain node:http', () => {
  it('serves subscribe and publish', async () => {
    const hub = hubWith();
    const base = await serve(hub.handler);
    const l = listen(`${base}/events?topic=news`);
    cleanups.push(() => l.close());
    await until(() => l.events.length === 1);
    expect((await post(`${base}/publish`, { topic: 'news', data: 'hi' })).status).toBe(200);
    await until(() => l.messages().length === 1);
    expect((await fetch(`${base}/`)).status).toBe(404); // no demo page when embedded
  });

  it('serves under a prefix, and passes other paths to next', async () => {
    const hub = hubWith();
    const handler = createHandler(hub, { prefix: '/sse/' });
    const passed: string[] = [];
    const base = await serve((req, res) =>
      handler(req, res, () => {
        passed.push(req.url ?? '');
        res.writeHead(200).end('app');
      }),
    );
    expect((await fetch(`${base}/sse/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/other`)).text()).toBe('app');
    expect(await (await fetch(`${base}/sse/nope`)).text()).toBe('app');
    expect(await (await fetch(`${base}/ssex/healthz`)).text()).toBe('app');
    expect(passed).toEqual(['/other', '/sse/nope', '/ssex/healthz']);
    const withoutNext = await serve(createHandler(hub, { prefix: '/sse' }));
    const miss = await fetch(`${withoutNext}/elsewhere`);
    expect(miss.status).toBe(404);
    expect(() => createHandler(hub, { prefix: 'sse' })).toThrow(/must start with/);
  });
});

describe('authorize', () => {
  // A toy auth: the bearer token is the user id; "root" is an admin.
  const authorize: HandlerOptions['authorize'] = (req) => {
    const user = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (user === undefined) return false;
    if (user === 'teapot') throw new HttpError(418, 'teapot', 'I am a teapot');
    return {
      subject: user,
      subscribe: [`user/${user}`, 'news/**'],
      publish: ['news/**'],
      admin: user === 'root',
    };
  };
  const as = (user: string) => ({ authorization: `Bearer ${user}` });

  it('refuses anonymous requests with 401, except health', async () => {
    const base = await serve(hubWith({ authorize }).handler);
    for (const [method, path] of [
      ['GET', '/events?topic=news/a'],
      ['POST', '/publish'],
      ['GET', '/clients'],
      ['GET', '/topics'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, path).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/events`, { headers: as('teapot') })).status).toBe(418);
  });

  it('lets a user subscribe only within the grant; no topic means the whole grant', async () => {
    const hub = hubWith({ authorize });
    const base = await serve(hub.handler);
    const denied = await fetch(`${base}/events?topic=user/bob`, { headers: as('alice') });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.message).toBe('not allowed to subscribe to "user/bob"');
    expect((await fetch(`${base}/events?topic=**`, { headers: as('alice') })).status).toBe(403);

    const res = await fetch(`${base}/events`, { headers: as('alice') });
    expect(res.status).toBe(200);
    await until(() => hub.clients().length === 1);
    expect(hub.clients()[0]).toMatchObject({ subject: 'alice', topics: ['user/alice', 'news/**'] });
    await res.body?.cancel();
  });

  it('checks publish topics, and keeps broadcast, pushes and admin routes for admins', async () => {
    const base = await serve(hubWith({ authorize }).handler);
    expect((await post(`${base}/publish`, { topic: 'news/x', data: 1 }, as('alice'))).status).toBe(
      200,
    );
    const wrong = await post(
      `${base}/publish`,
      { topics: ['news/x', 'user/bob'], data: 1 },
      as('alice'),
    );
    expect(wrong.status).toBe(403);
    expect((await post(`${base}/publish`, { broadcast: true, data: 1 }, as('alice'))).status).toBe(
      403,
    );
    expect((await fetch(`${base}/clients`, { headers: as('alice') })).status).toBe(403);
    expect((await fetch(`${base}/topics`, { headers: as('root') })).status).toBe(200);
    expect((await post(`${base}/publish`, { broadcast: true, data: 1 }, as('root'))).status).toBe(
      200,
    );
    expect((await post(`${base}/clients/nobody/events`, { data: 1 }, as('alice'))).status).toBe(
      403,
    );
    expect((await post(`${base}/clients/nobody/events`, { data: 1 }, as('root'))).status).toBe(404);
  });
});
