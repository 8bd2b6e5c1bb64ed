import { connect } from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SignJWT, UnsecuredJWT } from 'jose';
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

/** Node's gc(), for a fair before/after memory reading in this process. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The i-th of many malformed requests, cycling through every kind of bad input. */
function hostileRequest(i: number, tokens: { expired: string; none: string }): string | Buffer {
  const pick = <T>(list: readonly T[]): T => list[i % list.length]!;
  const raw = Buffer.from(Array.from({ length: 32 }, (_, k) => (i * 31 + k * 17) % 256)).toString(
    'latin1',
  );
  // Bytes a header value may hold (no controls), so these reach the hub instead of Node's parser.
  const junk = [...raw].map((c) => (c.charCodeAt(0) < 0x20 || c === '\x7f' ? '?' : c)).join('');
  const auth = pick([
    '',
    'Authorization: Bearer publish-key-0123456789\r\n',
    `Authorization: Bearer ${tokens.expired}\r\n`,
    `Authorization: Bearer ${tokens.none}\r\n`,
    'Authorization: Bearer not.a.token\r\n',
    'Authorization: Basic YWRtaW46YWRtaW4=\r\n',
    'Authorization: Bearer\r\n',
    `Authorization: Bearer ${'x'.repeat(8000)}\r\n`,
    'Authorization: Bearer \u00e9\u00e8\u00ff\r\n',
  ]);
  const json = (body: string) => post(body, `Content-Type: application/json\r\n${auth}`);
  return pick<() => string | Buffer>([
    () => json('{"topic": "t", "data": '),
    () => json(`{"topic": "t\\r\\n", "data": "x"}`),
    () => json(`{"topic": "t", "data": "x", "event": "a\\r\\nid: 9"}`),
    () => json(`{"topic": "t", "data": "x", "id": "x\\ny"}`),
    () => json(`{"topic": "t", "data": "x", "retry": "1\\r\\n"}`),
    () => json(`{"topic": "t", "data": "x", "private": "maybe"}`),
    () =>
      json(
        `{"topics": ${JSON.stringify(Array.from({ length: 3000 }, (_, k) => `t/${k}`))}, "data": 1}`,
      ),
    () => json(`{"topic": ${JSON.stringify('t'.repeat(5000))}, "data": 1}`),
    () => json(JSON.stringify({ topic: `junk/${i}`, data: junk })),
    () =>
      post(
        'topic=t%0D%0A&data=x&event=%0A',
        `Content-Type: application/x-www-form-urlencoded\r\n${auth}`,
      ),
    () => post('x'.repeat(200_000), `Content-Type: application/json\r\n${auth}`),
    () =>
      `POST /publish HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 99999999\r\nContent-Type: application/json\r\n\r\n{`,
    () =>
      `POST /publish HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{"top\r\nZZ\r\n`,
    () => `GET /events?${'topic=a&'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    () => `GET /events?topic=%0D%0A&topic=%00 HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    () =>
      `GET /events?topic=t HTTP/1.1\r\nHost: x\r\n${auth}Last-Event-ID: ${junk.replace(/[\r\n]/g, '')}\r\nOrigin: https://\u00fc\u00f1\u00ee.example\r\n\r\n`,
    () =>
      `OPTIONS /publish HTTP/1.1\r\nHost: x\r\nOrigin: ${junk.replace(/[\r\n]/g, '')}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: ${'a,'.repeat(500)}\r\n\r\n`,
    () => `GET /clients/${encodeURIComponent(junk)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    () => `POST /users/%E0%A4%A/events HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\n\r\n{}`,
    () => `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `BREW /events HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => Buffer.from(raw, 'latin1'),
  ])();
}

describe('10,000 hostile requests against a hub with auth', () => {
  it('no crash, no 5xx, memory back to baseline, and subscribers get every event', async () => {
    const gc = collectGarbage();
    const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
    server = await startTestServer({
      jwtSecret: secret,
      publishKey: 'publish-key-0123456789',
      publicTopics: 't',
      corsOrigins: 'https://app.example.com',
      maxBodyBytes: 64 * 1024,
    });
    const s = server;
    const tokens = {
      expired: await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(secret)),
      none: new UnsecuredJWT({ sub: 'x', ssehub: { subscribe: ['**'] } }).encode(),
    };
    const l = listen(`${s.url}/events?topic=t`);
    await until(() => s.hub.stats().connections === 1);
    gc();
    const baseline = process.memoryUsage().heapUsed;

    const total = 10_000;
    const concurrency = 100;
    const statuses = new Map<string, number>();
    let sent = 0;
    for (let start = 0; start < total; start += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, total - start) }, (_, k) =>
        rawRequest(s.port, hostileRequest(start + k, tokens)),
      );
      for (const reply of await Promise.all(batch)) {
        let status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 'none';
        if (status === '200') status = reply.includes('text/event-stream') ? 'stream' : 'published';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      if (start % 1000 === 0) {
        const res = await fetch(`${s.url}/publish`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer publish-key-0123456789',
          },
          body: JSON.stringify({ topic: 't', data: String(++sent) }),
        });
        expect(res.status).toBe(200);
      }
    }
    const summary = [...statuses].map(([k, v]) => `${k}×${v}`).join(' ');
    for (const status of statuses.keys()) expect(status, summary).not.toMatch(/^5/);
    expect([...statuses.values()].reduce((a, b) => a + b)).toBe(total);

    await until(() => l.messages().length === sent);
    expect(l.messages()).toEqual(Array.from({ length: sent }, (_, i) => String(i + 1)));
    // Only the well-formed junk publishes (to other topics) were stored besides ours.
    expect(s.hub.stats().eventsPublished).toBe(sent + (statuses.get('published') ?? 0));
    expect(statuses.get('stream')).toBeGreaterThan(10);
    expect(statuses.get('400')).toBeGreaterThan(1000);
    await until(() => s.hub.stats().connections === 1);
    await until(() => s.limits.stats().openStreams === 1);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    gc();
    const growth = process.memoryUsage().heapUsed - baseline;
    expect(growth, `heap grew by ${Math.round(growth / 1024)} KiB`).toBeLessThan(16 * 1024 * 1024);
    l.close();
  }, 120_000);
});
