import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, writeChunks } from '../test-support/scripted.js';
import { publish, startTestServer, until } from '../test-support/server.js';
import { connect } from './connect.js';
import { type SseClientError, SseJsonError } from './errors.js';
import { CLOSED, CONNECTING, OPEN } from './types.js';

const FAST = { initialDelayMs: 20, minDelayMs: 10, maxDelayMs: 200 };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scripted(...args: Parameters<typeof startScriptedServer>) {
  const server = await startScriptedServer(...args);
  cleanups.push(() => server.close());
  return server;
}

describe('requests', () => {
  it('POSTs a body with headers, and calls a headers function again on each attempt', async () => {
    const server = await scripted(async (_req, res, index) => {
      if (index === 0) res.writeHead(503).end();
      else await writeChunks(res, ['id: 9\ndata: ok\n\n']);
    });
    let token = 0;
    let fetches = 0;
    const client = connect(server.url, {
      fetch: (input, init) => {
        fetches++;
        return fetch(input, init);
      },
      method: 'POST',
      headers: async () => ({ authorization: `Bearer t${++token}`, 'x-app': 'demo' }),
      body: () => JSON.stringify({ prompt: 'hi' }),
      reconnect: FAST,
    });
    cleanups.push(() => client.close());
    const first = await iterateOne(client);
    expect(first.data).toBe('ok');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    expect(server.requests.every((r) => r.method === 'POST' && r.body === '{"prompt":"hi"}')).toBe(
      true,
    );
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(server.requests[1]?.headers['x-app']).toBe('demo');
    expect(fetches).toBe(2);
  });

  it('sends a saved id as a query parameter first, then as Last-Event-ID', async () => {
    const server = await scripted(async (_req, res, index) => {
      await writeChunks(res, [`id: n${index}\ndata: ${index}\n\n`]);
      res.end();
    });
    const client = connect(`${server.url}/s?topic=a`, {
      lastEventId: 'saved-1',
      lastEventIdParam: 'lastEventId',
      reconnect: FAST,
    });
    cleanups.push(() => client.close());
    await until(() => server.requests.length >= 2);
    expect(server.requests[0]?.url).toBe('/s?topic=a&lastEventId=saved-1');
    expect(server.requests[0]?.headers['last-event-id']).toBeUndefined();
    expect(server.requests[1]?.url).toBe('/s?topic=a');
    expect(server.requests[1]?.headers['last-event-id']).toBe('n0');
  });

  it('sends a saved id as Last-Event-ID when no parameter is named, and resumes from the hub', async () => {
    const running = await startTestServer();
    cleanups.push(() => running.close());
    const { id } = await publish(running.url, { topic: 't', data: 'one' });
    await publish(running.url, { topic: 't', data: 'two' });
    const client = connect(`${running.url}/events?topic=t`, { lastEventId: id });
    cleanups.push(() => client.close());
    const got: string[] = [];
    client.on('message', (e) => got.push(e.data));
    await until(() => got.length === 1);
    expect(got).toEqual(['two']);
    expect(client.lastEventId).not.toBe(id);
  });
});

describe('options', () => {
  it('refuses bad durations and URLs at once, naming the option', () => {
    expect(() => connect('http://127.0.0.1:1/', { watchdogMs: -1 })).toThrow(
      'ssehub/client: watchdogMs must be a finite number ≥ 0, got -1',
    );
    expect(() => connect('http://127.0.0.1:1/', { reconnect: { maxDelayMs: Number.NaN } })).toThrow(
      /reconnect\.maxDelayMs/,
    );
    expect(() => connect('/relative/without/a/page')).toThrow(TypeError);
  });
});

describe('events', () => {
  it('decodes JSON for the listed types; bad JSON is reported and the stream goes on', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, [
        'event: tick\ndata: {"n":1}\n\n',
        'event: tick\ndata: {oops\n\n',
        'event: note\ndata: {"n":2}\n\n',
        'event: tick\ndata: {"n":3}\n\n',
      ]);
    });
    const errors: SseClientError[] = [];
    const client = connect<{ tick: { n: number }; note: string }>(server.url, {
      json: ['tick'],
      onError: (e) => errors.push(e),
    });
    cleanups.push(() => client.close());
    const ticks: number[] = [];
    const notes: string[] = [];
    client.on('tick', (e) => ticks.push(e.data.n));
    client.on('note', (e) => notes.push(e.data));
    await until(() => ticks.length === 2);
    expect(ticks).toEqual([1, 3]);
    expect(notes).toEqual(['{"n":2}']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SseJsonError);
    expect((errors[0] as SseJsonError).event.data).toBe('{oops');
  });

  it('async iteration yields every type as a union; leaving the loop closes', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, ['event: a\ndata: 1\n\n', 'event: b\ndata: 2\n\n', 'data: 3\n\n']);
    });
    const client = connect<{ a: string; b: string; message: string }>(server.url);
    const seen: string[] = [];
    for await (const event of client) {
      seen.push(`${event.type}:${event.data}`);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['a:1', 'b:2', 'message:3']);
    expect(client.readyState).toBe(CLOSED);
  });

  it('dispatches nothing after close(), even from the same chunk', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, ['data: 1\n\ndata: 2\n\ndata: 3\n\n', 'data: 4\n\n']);
    });
    const client = connect(server.url);
    const seen: string[] = [];
    client.on('message', (e) => {
      seen.push(e.data);
      if (e.data === '1') client.close();
    });
    client.on('message', (e) => seen.push(`second handler ${e.data}`));
    expect(await client.closed).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['1']);
  });

  it('a throwing handler is reported and does not stop the others', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, ['data: 1\n\n', 'data: 2\n\n']);
    });
    const errors: SseClientError[] = [];
    const client = connect(server.url, { onError: (e) => errors.push(e) });
    cleanups.push(() => client.close());
    const seen: string[] = [];
    client.on('message', (e) => {
      throw new Error(`app bug ${e.data}`);
    });
    client.on('message', (e) => seen.push(e.data));
    const off = client.on('message', (e) => seen.push(`removed ${e.data}`));
    off();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['1', '2']);
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([
      ['handler', 'app bug 1'],
      ['handler', 'app bug 2'],
    ]);
  });

  it('readyState moves CONNECTING → OPEN → CONNECTING → CLOSED', async () => {
    let release = () => {};
    const server = await scripted(async (_req, res) => {
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      await writeChunks(res, ['data: x\n\n']);
      await released;
      res.end();
    });
    const states: number[] = [];
    const client = connect(server.url, {
      reconnect: { minDelayMs: 200, initialDelayMs: 300 },
      onOpen: () => states.push(client.readyState),
      onError: () => states.push(client.readyState),
      onClose: () => states.push(client.readyState),
    });
    states.push(client.readyState);
    await until(() => states.length === 2);
    release();
    await until(() => states.length === 3);
    client.close();
    expect(states).toEqual([CONNECTING, OPEN, CONNECTING, CLOSED]);
  });

  it('an aborted signal closes the client', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, ['data: x\n\n']);
    });
    const controller = new AbortController();
    const client = connect(server.url, { signal: controller.signal });
    await iterateOne(client);
    controller.abort();
    expect(await client.closed).toBeUndefined();
    expect(client.readyState).toBe(CLOSED);
    const late = connect(server.url, { signal: controller.signal });
    expect(late.readyState).toBe(CLOSED);
  });
});

async function iterateOne<T>(iterable: AsyncIterable<T>): Promise<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const { value } = await iterator.next();
  return value as T;
}
