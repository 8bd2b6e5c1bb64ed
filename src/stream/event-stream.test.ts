import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../client/index.js';
import { createParser, type ParsedEvent, SseProtocolError } from '../protocol/index.js';
import { listen, rawSubscribe, until } from '../test-support/server.js';
import { createEventStream, type EventStream, type EventStreamOptions } from './event-stream.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A node:http app whose one route streams with `createEventStream` and hands it to `use`. */
async function app(
  use: (stream: EventStream, req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  options: EventStreamOptions = {},
) {
  const streams: EventStream[] = [];
  const server = createServer((req, res) => {
    const stream = createEventStream(req, res, options);
    streams.push(stream);
    void use(stream, req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, streams };
}

/** A fake model: one token per `delayMs`, recording how far it got and whether it was stopped. */
function model(tokens: number, delayMs = 5) {
  const state = { produced: 0, stopped: false };
  async function* generate() {
    try {
      for (let i = 0; i < tokens; i++) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        state.produced++;
        yield `tok${i} `;
      }
    } finally {
      state.stopped = true;
    }
  }
  return { state, generate };
}

describe('createEventStream', () => {
  it('sends events the eventsource client receives at once, JSON for objects', async () => {
    const server = await app(async (stream) => {
      await stream.send('plain');
      await stream.send({ event: 'price', id: 'p1', data: { usd: 3 } });
    });
    const l = listen(server.url, { types: ['message', 'price'] });
    await l.until(() => l.events.length === 2);
    l.close();
    expect(l.events).toEqual([
      { type: 'message', data: 'plain', lastEventId: '' },
      { type: 'price', data: '{"usd":3}', lastEventId: 'p1' },
    ]);
  });

  it('refuses a bad field before writing anything', async () => {
    let rejection: unknown;
    const server = await app(async (stream) => {
      rejection = await stream.send({ id: 'a\nb', data: 'x' }).catch((e: unknown) => e);
      await stream.send('after');
    });
    const raw = await rawSubscribe(server.port, '/');
    await until(() => raw.body().includes('after'));
    raw.socket.destroy();
    expect(rejection).toBeInstanceOf(SseProtocolError);
    expect(raw.body()).toBe(': ok\n\ndata: after\n\n');
  });

  it('aborts the signal when the client leaves, with the reason', async () => {
    const server = await app(() => {});
    const raw = await rawSubscribe(server.port, '/');
    await until(() => server.streams.length === 1);
    const stream = server.streams[0]!;
    expect(stream.signal.aborted).toBe(false);
    raw.socket.destroy();
    await until(() => stream.signal.aborted);
    expect(stream.signal.reason).toBe('client-gone');
    expect(await stream.send('late')).toBe(false);
  });

  it('sends heartbeat comments on a quiet stream', async () => {
    const server = await app(() => {}, { heartbeatMs: 40 });
    const raw = await rawSubscribe(server.port, '/');
    await until(() => raw.body().split(':\n\n').length >= 3);
    raw.socket.destroy();
  });

  it('send waits while the client does not read, and goes on when it does', async () => {
    const big = 'x'.repeat(16 * 1024);
    const total = 2000; // 32 MiB: far more than loopback socket buffers hold
    let sent = 0;
    const server = await app(
      async (stream) => {
        for (let i = 0; i < total; i++) {
          if (!(await stream.send(big))) return;
          sent++;
        }
      },
      { highWaterMark: 64 * 1024, maxQueueBytes: 8 * 1024 * 1024 },
    );
    const socket = netConnect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalledAt = sent;
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan(total);
    // The queue bound is never reached: the writer waits instead.
    expect(server.streams[0]!.closed).toBe(false);
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    await until(() => sent === total, 15_000);
    expect(received).toBeGreaterThan(0);
    socket.destroy();
  });
});

describe('pipe', () => {
  it('streams an answer token by token, then done', async () => {
    const m = model(5);
    const results: string[] = [];
    const server = await app(async (stream) => {
      results.push(await stream.pipe(m.generate(), { event: 'token' }));
    });
    const tokens: string[] = [];
    const client = connect<{ token: string; done: string }>(server.url);
    client.on('token', (e) => tokens.push(e.data));
    await new Promise<void>((resolve) => client.on('done', () => resolve()));
    client.close();
    expect(tokens.join('')).toBe('tok0 tok1 tok2 tok3 tok4 ');
    expect(results).toEqual(['done']);
  });

  it('stops the upstream generator when the client cancels mid-answer', async () => {
    const m = model(10_000, 10);
    const results: string[] = [];
    const server = await app(async (stream) => {
      results.push(await stream.pipe(m.generate(), { event: 'token' }));
    });
    const client = connect<{ token: string }>(server.url);
    let received = 0;
    for await (const event of client) {
      if (event.type === 'token' && ++received === 3) break; // leaving the loop closes
    }
    await until(() => m.state.stopped, 2000);
    expect(results).toEqual(['cancelled']);
    const producedAtStop = m.state.produced;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(m.state.produced).toBe(producedAtStop);
    expect(producedAtStop).toBeLessThan(10);
  });

  it('stops a source that is slow to yield as soon as the client leaves', async () => {
    const state = { stopped: false };
    const never = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => {}),
        return: () => {
          state.stopped = true;
          return Promise.resolve({ value: undefined, done: true as const });
        },
      }),
    };
    const results: string[] = [];
    const server = await app(async (stream) => {
      results.push(await stream.pipe(never));
    });
    const raw = await rawSubscribe(server.port, '/');
    raw.socket.destroy();
    await until(() => results.length === 1);
    expect(results).toEqual(['cancelled']);
    expect(state.stopped).toBe(true);
  });

  it('sends an error event without the upstream message, and closes', async () => {
    async function* failing() {
      yield 'partial';
      throw new Error('API key sk-secret rejected');
    }
    const server = await app((stream) => stream.pipe(failing()).then(() => {}));
    const raw = await rawSubscribe(server.port, '/');
    // The response ended: the last chunk of a chunked body is empty.
    await until(() => raw.text().endsWith('\r\n0\r\n\r\n'));
    const events: ParsedEvent[] = [];
    createParser({ onEvent: (e) => events.push(e) }).feed(raw.body());
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['message', 'partial'],
      ['error', '{"message":"stream failed"}'],
    ]);
    expect(raw.body()).not.toContain('sk-secret');
  });
});

describe('compression', () => {
  for (const encoding of ['gzip', 'br'] as const) {
    it(`${encoding}: each event arrives while the stream stays open`, async () => {
      let stream: EventStream | undefined;
      const server = await app(
        async (s) => {
          stream = s;
          await s.send('first');
        },
        { compression: true },
      );
      const head = await fetch(server.url, { headers: { 'accept-encoding': encoding } });
      expect(head.headers.get('content-encoding')).toBe(encoding);
      expect(head.headers.get('vary')).toBe('accept-encoding');
      await head.body?.cancel();
      // fetch decompresses; seeing each event before the stream ends proves the flushes.
      const got: string[] = [];
      const client = connect(server.url, { headers: { 'accept-encoding': encoding } });
      client.on('message', (e) => got.push(e.data));
      await until(() => got.length === 1);
      await stream?.send('second');
      await until(() => got.length === 2);
      client.close();
      expect(got).toEqual(['first', 'second']);
    });
  }

  it('stays off for clients that do not accept it, and by default', async () => {
    const compressed = await app((s) => s.send('x').then(() => {}), { compression: 'br' });
    const gzipOnly = await fetch(compressed.url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipOnly.headers.get('content-encoding')).toBeNull();
    await gzipOnly.body?.cancel();
    const plain = await app((s) => s.send('x').then(() => {}));
    const res = await fetch(plain.url, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding')).toBeNull();
    await res.body?.cancel();
  });
});
