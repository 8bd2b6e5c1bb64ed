import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { listen, publish, startTestServer, until } from '../test-support/server.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** Sends raw bytes, returns whatever came back before the server closed or 1 s passed. */
function rawRequest(port: number, bytes: string | Buffer, endAfterWrite = true): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('latin1').on('data', (c: string) => (reply += c));
    socket.on('error', () => {});
    const timer = setTimeout(() => socket.destroy(), 1000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.write(bytes, () => {
      if (endAfterWrite) socket.end();
    });
    // Keep-alive replies leave the socket open; once a full reply is in, we are done.
    socket.on('data', () => {
      if (/\r\n\r\n/.test(reply) && /content-length: (\d+)/i.test(reply)) {
        const length = Number(/content-length: (\d+)/i.exec(reply)![1]);
        if (reply.length >= reply.indexOf('\r\n\r\n') + 4 + length) socket.destroy();
      }
    });
  });
}

const post = (body: string, headers = 'Content-Type: application/json\r\n') =>
  `POST /publish HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const HOSTILE: readonly (string | Buffer)[] = [
  post('{"topic": "t", "data": '),
  post('{"topic": "t", "data": "x", "event": "a\\r\\nid: 1"}'),
  post('{"topic": "t", "data": "x", "id": "\\u0000"}'),
  post(`{"topic": "t", "data": ${'['.repeat(50_000)}`),
  post('{"topics": ["a", 5], "data": "x"}'),
  post(
    `{"topics": ${JSON.stringify(Array.from({ length: 5000 }, (_, i) => `t/${i}/*`))}, "data": "x"}`,
  ),
  post('topic=t&data=%ZZ&event=%0A', 'Content-Type: application/x-www-form-urlencoded\r\n'),
  post('\u00ff\u00fe binary', 'Content-Type: application/json; charset=utf-16\r\n'),
  'POST /publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\nnot hex\r\n0\r\n\r\n',
  'POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{"topic":',
  'POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'GET /clients/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /events?${'topic=x&'.repeat(1500)} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`,
  'GET /events?topic=%00%0A HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n',
  `GET /events?topic=t HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ${'\u00e9'.repeat(200)}\r\nAccept: text/event-stream\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'GET / HTTP/9.9\r\n\r\n',
  'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://example.com/events?topic=t HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
  Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
  'DELETE /clients/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
];

describe('hostile input', () => {
  it('never crashes, never answers 5xx, and normal subscribers miss nothing', async () => {
    server = await startTestServer({ maxBodyBytes: 64 * 1024 });
    const s = server;
    const l = listen(`${s.url}/events?topic=t`);
    await until(() => s.hub.stats().connections === 1);
    let sent = 0;
    const statuses = new Map<string, number>();
    for (let round = 0; round < 15; round++) {
      const replies = await Promise.all(HOSTILE.map((bytes) => rawRequest(s.port, bytes)));
      for (const reply of replies) {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 'none';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      await publish(s.url, { topic: 't', data: String(++sent) });
    }
    for (const status of statuses.keys()) expect(status, [...statuses].join(' ')).not.toMatch(/^5/);
    await until(() => l.messages().length === sent);
    expect(l.messages()).toEqual(Array.from({ length: sent }, (_, i) => String(i + 1)));
    // Refused publishes stored nothing; only the legitimate ones are in history.
    expect(s.hub.stats().eventsPublished).toBe(sent);
    // Stray subscriptions opened by hostile requests were cleaned up with their sockets.
    await until(() => s.hub.stats().connections === 1);
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    l.close();
  });
});
