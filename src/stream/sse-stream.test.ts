import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { listen, publish, rawSubscribe, startTestServer, until } from '../test-support/server.js';

const tlsDir = new URL('../test-support/tls/', import.meta.url);
const tls = {
  tlsCert: new URL('cert.pem', tlsDir).pathname,
  tlsKey: new URL('key.pem', tlsDir).pathname,
};
const ca = readFileSync(tls.tlsCert);

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an SSE response over HTTP/1.1', () => {
  it('flushes headers, the opening comment and the retry hint at once', async () => {
    server = await startTestServer({ retry: 2500, connectedEvent: false });
    const raw = await rawSubscribe(server.port, '/events?topic=t');
    await until(() => raw.body().includes('id:'));
    const head = raw.text().slice(0, raw.text().indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toContain('http/1.1 200');
    expect(head).toContain('content-type: text/event-stream; charset=utf-8');
    expect(head).toContain('cache-control: no-cache, no-transform');
    expect(head).toContain('x-accel-buffering: no');
    expect(head).toContain('connection: keep-alive');
    // Then the start position (an id-only block), so a drop before any event resumes.
    expect(raw.body()).toMatch(/^: ok\nretry: 2500\n\nid: \w+-0\n\n$/);
    raw.socket.destroy();
  });

  it('keeps chunked framing valid, down to the final zero-length chunk on close', async () => {
    server = await startTestServer({ connectedEvent: false });
    const s = server;
    const raw = await rawSubscribe(s.port, '/events?topic=t');
    await until(() => s.hub.stats().connections === 1);
    const body = 'multi\nline ünïcödé 🎉';
    await s.hub.publish({ topic: 't', data: body, id: 'e1' });
    await until(() => raw.body().includes('e1'));
    s.hub.disconnect(s.hub.clients()[0]!.id);
    await raw.closed;
    expect(raw.text().endsWith('\r\n0\r\n\r\n')).toBe(true);
    expect(raw.body()).toMatch(
      /^: ok\nretry: 3000\n\nid: \w+-0\n\nid: e1\ndata: multi\ndata: line ünïcödé 🎉\n\n$/,
    );
  });

  it('streams unframed to an HTTP/1.0 client, ending with the connection', async () => {
    server = await startTestServer({ connectedEvent: false });
    const s = server;
    const socket = (await import('node:net')).connect(s.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8').on('data', (c: string) => (text += c));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /events?topic=t HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n');
    await until(() => s.hub.stats().connections === 1);
    await s.hub.publish({ topic: 't', data: 'old client' });
    await until(() => text.includes('old client'));
    s.hub.disconnect(s.hub.clients()[0]!.id);
    await closed;
    expect(text.toLowerCase()).not.toContain('transfer-encoding');
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toMatch(
      /^: ok\nretry: 3000\n\nid: \S+\n\nid: \S+\ndata: old client\n\n$/,
    );
  });

  it('notices a closed socket at once and forgets the subscriber', async () => {
    server = await startTestServer();
    const s = server;
    const raw = await rawSubscribe(s.port, '/events?topic=a/*&topic=b');
    await until(() => s.hub.stats().connections === 1);
    raw.socket.destroy();
    await until(() => s.hub.stats().connections === 0, 1000);
    expect(s.hub.topics()).toEqual([]);
  });

  it('sends heartbeat comments on a quiet stream', async () => {
    server = await startTestServer({ heartbeat: 0.1 });
    const raw = await rawSubscribe(server.port, '/events?topic=t');
    await until(() => raw.body().includes(':\n\n'), 2000);
    raw.socket.destroy();
  });

  it('disconnects a client that stops reading, while a fast one receives everything', async () => {
    server = await startTestServer({ maxQueueBytes: 64 * 1024, maxEventBytes: 64 * 1024 });
    const s = server;
    const fast = listen(`${s.url}/events?topic=t`);
    const slow = await rawSubscribe(s.port, '/events?topic=t');
    await until(() => s.hub.stats().connections === 2 && fast.events.length === 1);
    slow.socket.pause();
    const data = 'x'.repeat(60 * 1024);
    const total = 300; // 18 MB: more than the kernel's socket buffers can hide
    for (let n = 0; n < total; n++) await publish(s.url, { topic: 't', data });
    await until(() => s.hub.stats().slowConsumerDisconnects === 1, 10_000);
    await until(() => fast.messages().length === total, 10_000);
    expect(s.hub.stats().connections).toBe(1);
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
    fast.close();
    slow.socket.destroy();
  });
});

describe('an SSE response behind middleware that wraps res.write', () => {
  it('sends every byte through the wrapper instead of straight to the socket', async () => {
    const { createServer } = await import('node:http');
    const { openSseStream } = await import('./sse-stream.js');
    const seen: string[] = [];
    let stream: ReturnType<typeof openSseStream> | undefined;
    const plain = createServer((req, res) => {
      // What compression middleware does: replace write on the instance.
      const write = res.write.bind(res) as (chunk: Buffer | string) => boolean;
      (res as { write: unknown }).write = (chunk: Buffer | string) => {
        seen.push(chunk.toString());
        return write(chunk);
      };
      stream = openSseStream(req, res);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as import('node:net').AddressInfo;
    const raw = await rawSubscribe(port, '/');
    await until(() => stream !== undefined);
    stream!.write('data: wrapped\n\n');
    await until(() => raw.body().includes('wrapped'));
    expect(seen).toEqual([': ok\n\n', 'data: wrapped\n\n']);
    raw.socket.destroy();
    plain.close();
  });
});

describe('an SSE response over HTTP/2 (TLS)', () => {
  it('serves more than six streams over one connection, without a Connection header', async () => {
    server = await startTestServer(tls);
    const s = server;
    const session = http2.connect(s.url, { ca });
    const streams = Array.from({ length: 10 }, () => {
      const req = session.request({ ':path': '/events?topic=t', accept: 'text/event-stream' });
      const got = { headers: {} as http2.IncomingHttpHeaders, text: '' };
      req.setEncoding('utf8');
      req.on('response', (headers) => {
        got.headers = headers;
      });
      req.on('data', (chunk: string) => {
        got.text += chunk;
      });
      return { req, got };
    });
    await until(() => s.hub.stats().connections === 10);
    await s.hub.publish({ topic: 't', data: 'over h2' });
    await until(() => streams.every(({ got }) => got.text.includes('data: over h2\n\n')));
    for (const { got } of streams) {
      expect(got.headers[':status']).toBe(200);
      expect(got.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(got.headers.connection).toBeUndefined();
    }
    streams[0]!.req.close();
    await until(() => s.hub.stats().connections === 9, 1000);
    // A gracefully closing session waits for open streams, which SSE never ends: cut it.
    session.destroy();
    await until(() => s.hub.stats().connections === 0, 1000);
  });

  it('takes publishes over HTTP/2, body and errors alike', async () => {
    server = await startTestServer(tls);
    const s = server;
    const session = http2.connect(s.url, { ca });
    const post = (body: string) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const req = session.request({
          ':method': 'POST',
          ':path': '/publish',
          'content-type': 'application/json',
        });
        let text = '';
        let status = 0;
        req.setEncoding('utf8');
        req.on('response', (headers) => {
          status = Number(headers[':status']);
        });
        req.on('data', (chunk: string) => {
          text += chunk;
        });
        req.on('end', () => resolve({ status, body: text }));
        req.end(body);
      });
    const ok = await post(JSON.stringify({ topic: 't', data: 'via h2' }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).id).toMatch(/-1$/);
    const bad = await post('{"topic":');
    expect([bad.status, JSON.parse(bad.body).error.code]).toEqual([400, 'invalid_json']);
    session.close();
  });

  it('falls back to HTTP/1.1 over TLS for clients without HTTP/2', async () => {
    server = await startTestServer(tls);
    const s = server;
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      https.get(`${s.url}/events?topic=t`, { ca }, resolve).on('error', reject);
    });
    expect(res.httpVersion).toBe('1.1');
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    res.destroy();
  });
});
