import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { listen, publish, rawSubscribe, startTestServer, until } from '../test-support/server.js';

let server: RunningServer;
const open: { close(): void }[] = [];
const sub = (query: string, options: Parameters<typeof listen>[1] = {}) => {
  const l = listen(`${server.url}/events?${query}`, options);
  open.push(l);
  return l;
};

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const l of open.splice(0)) l.close();
  await server.close();
});

describe('events through the reference client (eventsource)', () => {
  it('sends connected first, with the position it joined at as its id, then events', async () => {
    const { id: before } = await publish(server.url, { topic: 'other', data: 'earlier' });
    const l = sub('topic=t');
    await until(() => l.events.length === 1);
    const [connected] = l.events;
    expect(connected?.type).toBe('connected');
    // A drop before the first event resumes from here instead of missing what came between.
    expect(connected?.lastEventId).toBe(before);
    expect(JSON.parse(connected!.data).clientId).toBe(server.hub.clients()[0]?.id);
    const { id } = await publish(server.url, { topic: 't', data: 'hello' });
    await until(() => l.messages().length === 1);
    expect(l.events[1]).toEqual({ type: 'message', data: 'hello', lastEventId: id });
  });

  it('keeps multi-line, unicode, empty and space-padded data exactly', async () => {
    const l = sub('topic=t');
    await until(() => l.events.length === 1);
    const samples = [
      'line 1\nline 2\n\nline 4',
      'héllo wörld 🎉 中文',
      '',
      '  padded  ',
      'trailing\n',
      'a\r\nb',
    ];
    for (const data of samples) await publish(server.url, { topic: 't', data });
    await until(() => l.messages().length === samples.length);
    expect(l.messages()).toEqual(samples.map((s) => s.replace(/\r\n/g, '\n')));
  });

  it('sends JSON values as their JSON text and custom event types to their listeners', async () => {
    const l = sub('topic=t', { types: ['message', 'price'] });
    await until(() => server.hub.clients().length === 1);
    await publish(server.url, { topic: 't', data: { symbol: 'X', price: 1.5 }, event: 'price' });
    await publish(server.url, { topic: 't', data: [1, null, true] });
    await until(() => l.events.length === 2);
    expect(l.events.map((e) => [e.type, e.data])).toEqual([
      ['price', '{"symbol":"X","price":1.5}'],
      ['message', '[1,null,true]'],
    ]);
  });

  it('writes id and retry fields as given', async () => {
    const raw = await rawSubscribe(server.port, '/events?topic=t');
    await until(() => server.hub.clients().length === 1);
    const { id } = await publish(server.url, { topic: 't', data: 'x', id: 'order-7', retry: 1500 });
    expect(id).toBe('order-7');
    await until(() => raw.text().includes('data: x'));
    expect(raw.text()).toContain('id: order-7\nretry: 1500\ndata: x\n\n');
    raw.socket.destroy();
  });

  it('delivers once to a subscriber matching several ways, and only to matching topics', async () => {
    const both = sub('topic=orders/eu&topic=orders/*&topic=orders/**');
    const other = sub('topic=users/*');
    await until(() => server.hub.clients().length === 2);
    await publish(server.url, { topics: ['orders/eu', 'orders/us'], data: 'o1' });
    await publish(server.url, { topic: 'orders/eu/1', data: 'o2' });
    await publish(server.url, { topic: 'users/1', data: 'u1' });
    await until(() => both.messages().length === 2 && other.messages().length === 1);
    await publish(server.url, { topic: 'orders', data: 'not matched' });
    await publish(server.url, { topic: 'users/1', data: 'u2' });
    await until(() => other.messages().length === 2);
    expect(both.messages()).toEqual(['o1', 'o2']);
    expect(other.messages()).toEqual(['u1', 'u2']);
  });

  it('broadcasts to every subscriber whatever its topics', async () => {
    const a = sub('topic=a');
    const b = sub('topic=b/*');
    await until(() => server.hub.clients().length === 2);
    await publish(server.url, { broadcast: true, data: 'all' });
    await until(() => a.messages().length === 1 && b.messages().length === 1);
  });

  it('accepts form bodies with a repeated topic field', async () => {
    const a = sub('topic=a');
    const b = sub('topic=b');
    await until(() => server.hub.clients().length === 2);
    const res = await fetch(`${server.url}/publish`, {
      method: 'POST',
      body: new URLSearchParams([
        ['topic', 'a'],
        ['topic', 'b'],
        ['data', 'form'],
        ['event', 'message'],
      ]),
    });
    expect(res.status).toBe(200);
    await until(() => a.messages().length === 1 && b.messages().length === 1);
  });

  it('refuses injection in every field and delivers nothing of a refused event', async () => {
    const raw = await rawSubscribe(server.port, '/events?topic=t');
    await until(() => server.hub.clients().length === 1);
    const attempts = [
      { topic: 't', data: 'x', event: 'a\ndata: injected' },
      { topic: 't', data: 'x', event: 'a\rb' },
      { topic: 't', data: 'x', event: 'a\0' },
      { topic: 't', data: 'x', id: '1\n\ndata: injected' },
      { topic: 't', data: 'x', id: '1\r' },
      { topic: 't', data: 'x', id: 'a\0b' },
      { topic: 't', data: 'x', retry: -1 },
      { topic: 't', data: 'x', retry: 1.5 },
      { topic: 't', data: 'x', retry: '12a' },
      { topic: 't\n', data: 'x' },
      { topic: 't/*', data: 'x' },
    ];
    for (const body of attempts) {
      const res = await fetch(`${server.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBeTypeOf('string');
    }
    // Data with line breaks is safe: each line becomes its own data line.
    await publish(server.url, { topic: 't', data: 'ok\n\nid: 666\nevent: evil' });
    await until(() => raw.text().includes('evil'));
    expect(raw.text()).not.toContain('injected');
    expect(raw.text()).toContain('data: ok\ndata: \ndata: id: 666\ndata: event: evil\n\n');
    expect(server.hub.stats().eventsPublished).toBe(1);
    raw.socket.destroy();
  });
});

describe('--compression', () => {
  it('compresses for clients that accept it, one flush per event', async () => {
    await server.close();
    server = await startTestServer({ compression: 'gzip' });
    const res = await fetch(`${server.url}/events?topic=t`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    await res.body?.cancel();
    // The eventsource client (fetch) accepts gzip and decompresses; events arrive live.
    const l = sub('topic=t');
    await until(() => l.events.length === 1);
    await publish(server.url, { topic: 't', data: 'zipped' });
    await until(() => l.messages().length === 1);
    const raw = await rawSubscribe(server.port, '/events?topic=t');
    expect(raw.text()).not.toContain('content-encoding');
    raw.socket.destroy();
  });
});
