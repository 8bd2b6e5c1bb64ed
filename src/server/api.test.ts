import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { listen, publish, startTestServer, until } from '../test-support/server.js';

let server: RunningServer;
const open: { close(): void }[] = [];
beforeEach(async () => {
  server = await startTestServer({ maxBodyBytes: 4096, maxTopics: 3 });
});
afterEach(async () => {
  for (const l of open.splice(0)) l.close();
  await server.close();
});

async function call(method: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, { method, ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
const json = (body: unknown): RequestInit => ({
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('HTTP API errors', () => {
  it.each([
    ['malformed JSON', json('{"topic": "t", '), 400, 'invalid_json'],
    ['a JSON array', json('[1]'), 400, 'invalid_body'],
    ['no topic', json({ data: 'x' }), 400, 'missing_topic'],
    ['no data', json({ topic: 't' }), 400, 'missing_data'],
    ['an unknown field', json({ topic: 't', data: 'x', topik: 'y' }), 400, 'invalid_body'],
    ['a non-string event', json({ topic: 't', data: 'x', event: 5 }), 400, 'invalid_body'],
    ['an empty id', json({ topic: 't', data: 'x', id: '' }), 400, 'invalid_event'],
    ['topics and broadcast', json({ topic: 't', broadcast: true, data: 'x' }), 400, 'invalid_body'],
    ['a body over the limit', json({ topic: 't', data: 'x'.repeat(5000) }), 413, 'body_too_large'],
    [
      'text/plain',
      { headers: { 'content-type': 'text/plain' }, body: 'x' },
      415,
      'unsupported_media_type',
    ],
  ])('POST /publish with %s → %i %s', async (_name, init, status, code) => {
    const res = await call('POST', '/publish', init);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toBeTypeOf('string');
  });

  it('refuses an event over maxEventBytes with 413', async () => {
    await server.close();
    server = await startTestServer({ maxEventBytes: 10 });
    const res = await call('POST', '/publish', json({ topic: 't', data: 'x'.repeat(11) }));
    expect([res.status, res.json.error.code]).toEqual([413, 'event_too_large']);
  });

  it('refuses a duplicate publisher id with 409 and keeps the first event', async () => {
    await publish(server.url, { topic: 't', data: 'first', id: 'dup' });
    const res = await call('POST', '/publish', json({ topic: 't', data: 'again', id: 'dup' }));
    expect([res.status, res.json.error.code]).toEqual([409, 'duplicate_id']);
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    expect((await call('GET', '/nope')).json.error.code).toBe('not_found');
    const res = await call('DELETE', '/publish');
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'POST']);
    expect(res.json.error.code).toBe('method_not_allowed');
    expect((await call('PUT', '/clients/x')).headers.get('allow')).toBe('GET, DELETE');
  });

  it('answers 406 when Accept excludes text/event-stream, and accepts */* and no Accept', async () => {
    const refused = await call('GET', '/events?topic=t', {
      headers: { accept: 'application/json' },
    });
    expect([refused.status, refused.json.error.code]).toEqual([406, 'not_acceptable']);
    const q0 = await call('GET', '/events?topic=t', {
      headers: { accept: 'text/event-stream;q=0' },
    });
    expect(q0.status).toBe(406);
    const ctrl = new AbortController();
    const ok = await fetch(`${server.url}/events?topic=t`, {
      headers: { accept: 'text/html, */*;q=0.1' },
      signal: ctrl.signal,
    });
    expect(ok.status).toBe(200);
    ctrl.abort();
  });

  it('answers bad subscriptions with 400 before opening a stream', async () => {
    const cases = [
      '/events',
      '/events?topic=',
      '/events?topic=a/**/b',
      '/events?topic=a&topic=b&topic=c&topic=d',
    ];
    for (const path of cases) {
      const res = await call('GET', path, { headers: { accept: 'text/event-stream' } });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
    expect(server.hub.stats().connections).toBe(0);
  });

  it('serves a health check, and no demo pages unless asked', async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await call('GET', '/healthz')).json).toEqual({
      status: 'ok',
      connections: 0,
      pid: process.pid,
    });
    expect((await call('HEAD', '/healthz')).status).toBe(200);
  });
});

describe('clients and targeted pushes', () => {
  it('pushes to one client only, and 404s for a client not connected', async () => {
    const a = listen(`${server.url}/events?topic=t`);
    const b = listen(`${server.url}/events?topic=t`);
    open.push(a, b);
    await until(() => a.events.length === 1 && b.events.length === 1);
    const aId = JSON.parse(a.events[0]!.data).clientId as string;
    const res = await call(
      'POST',
      `/clients/${aId}/events`,
      json({ data: 'just you', event: 'note' }),
    );
    expect(res.status).toBe(200);
    expect(res.json.id).toBeTypeOf('string');
    a.source.addEventListener('note', () => {});
    await publish(server.url, { topic: 't', data: 'everyone' });
    await until(() => b.messages().length === 1 && a.messages().length === 1);
    expect(server.hub.client(aId)?.eventsSent).toBe(2);
    expect(server.hub.clients().find((c) => c.id !== aId)?.eventsSent).toBe(1);
    const missing = await call('POST', '/clients/nobody/events', json({ data: 'x' }));
    expect([missing.status, missing.json.error.code]).toEqual([404, 'client_not_found']);
  });

  it('lists clients (filtered by topic) and topics, and disconnects on DELETE', async () => {
    const a = listen(`${server.url}/events?topic=orders/*`);
    const b = listen(`${server.url}/events?topic=users/1`);
    open.push(a, b);
    await until(() => server.hub.stats().connections === 2);
    const all = await call('GET', '/clients');
    expect(all.json.clients).toHaveLength(2);
    const filtered = await call('GET', '/clients?topic=orders/42');
    expect(filtered.json.clients.map((c: { topics: string[] }) => c.topics)).toEqual([
      ['orders/*'],
    ]);
    const client = filtered.json.clients[0];
    expect(client).toMatchObject({ remoteAddress: '127.0.0.1', eventsSent: 0, queuedBytes: 0 });
    expect((await call('GET', `/clients/${client.id}`)).json.id).toBe(client.id);
    expect((await call('GET', '/topics')).json.topics).toEqual(
      expect.arrayContaining([
        { topic: 'orders/*', subscribers: 1 },
        { topic: 'users/1', subscribers: 1 },
      ]),
    );
    a.close();
    const del = await call('DELETE', `/clients/${filtered.json.clients[0].id}`);
    expect([404, 200]).toContain(del.status);
    const bId = (await call('GET', '/clients?topic=users/1')).json.clients[0].id;
    expect((await call('DELETE', `/clients/${bId}`)).status).toBe(200);
    await until(() => server.hub.stats().connections === 0);
    expect((await call('GET', `/clients/${bId}`)).status).toBe(404);
    expect((await call('GET', '/topics')).json.topics).toEqual([]);
  });
});
