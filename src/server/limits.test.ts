import { connect as netConnect, type Socket } from 'node:net';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { spawnServe } from '../test-support/cli.js';
import { publish, rawSubscribe, testHubs, until } from '../test-support/server.js';
import type { RunningServer } from './index.js';

const { cleanups, hub } = testHubs();

async function open(running: RunningServer, path = '/events?topic=t', headers = {}) {
  const raw = await rawSubscribe(running.port, path, headers);
  cleanups.push(() => raw.socket.destroy());
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw.text())?.[1]);
  const retryAfter = /retry-after: (\d+)/i.exec(raw.text())?.[1];
  return { ...raw, status, retryAfter };
}

describe('connection limits', () => {
  it('per IP: 429 with Retry-After past the limit; room again once one leaves', async () => {
    const running = await hub({ maxConnectionsPerIp: 2 });
    const first = await open(running);
    await open(running);
    const third = await open(running);
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
    expect(third.body()).toContain('at most 2 streams per IP address');
    first.socket.destroy();
    await until(() => running.limits.stats().openStreams === 1);
    expect((await open(running)).status).toBe(200);
    expect(running.limits.stats().rejected.per_ip).toBe(1);
  });

  it('behind a trusted proxy, per IP means per forwarded client', async () => {
    const direct = await hub({ maxConnectionsPerIp: 1 });
    // Not trusted: X-Forwarded-For is the client's word, and both come from 127.0.0.1.
    expect(
      (await open(direct, '/events?topic=t', { 'x-forwarded-for': '203.0.113.1' })).status,
    ).toBe(200);
    expect(
      (await open(direct, '/events?topic=t', { 'x-forwarded-for': '203.0.113.2' })).status,
    ).toBe(429);

    const proxied = await hub({ maxConnectionsPerIp: 1, trustProxy: 1 });
    const first = await open(proxied, '/events?topic=t', { 'x-forwarded-for': '203.0.113.1' });
    expect(first.status).toBe(200);
    expect(
      (await open(proxied, '/events?topic=t', { 'x-forwarded-for': '203.0.113.2' })).status,
    ).toBe(200);
    // A spoofed entry to the left does not make a new client.
    const spoof = { 'x-forwarded-for': '9.9.9.9, 203.0.113.1' };
    expect((await open(proxied, '/events?topic=t', spoof)).status).toBe(429);
    expect(
      proxied.hub
        .clients()
        .map((c) => c.remoteAddress)
        .sort(),
    ).toEqual(['203.0.113.1', '203.0.113.2']);
  });

  it('per user: counted by token subject', async () => {
    const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
    const running = await hub({ jwtSecret: secret, maxConnectionsPerSubject: 1 });
    const token = (sub: string) =>
      new SignJWT({ sub, ssehub: { subscribe: ['t'] } })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
    const as = async (sub: string) => ({ authorization: `Bearer ${await token(sub)}` });
    expect((await open(running, '/events?topic=t', await as('ann'))).status).toBe(200);
    expect((await open(running, '/events?topic=t', await as('ann'))).status).toBe(429);
    expect((await open(running, '/events?topic=t', await as('bob'))).status).toBe(200);
  });

  it('in all: 503 past maxConnections', async () => {
    const running = await hub({ maxConnections: 1 });
    expect((await open(running)).status).toBe(200);
    const second = await open(running);
    expect(second.status).toBe(503);
    expect(second.retryAfter).toBeDefined();
  });

  it('new streams per second per IP, with a burst of twice the rate', async () => {
    const running = await hub({ subscribeRate: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await open(running);
      statuses.push(s.status);
      s.socket.destroy();
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toContain(429);
  });

  it('publishes per second per publisher', async () => {
    const running = await hub({ publishRate: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await fetch(`${running.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 't', data: i }),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
      await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(running.limits.stats().rejected.publish_rate).toBeGreaterThan(0);
  });
});

describe('slow headers', () => {
  it('a client trickling its headers is cut after --headers-timeout', async () => {
    const running = await hub({ headersTimeout: 1 });
    const socket = netConnect(running.port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let reply = '';
    socket.setEncoding('utf8').on('data', (c: string) => (reply += c));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write('GET /events?topic=t HTTP/1.1\r\n');
    const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 200);
    cleanups.push(() => clearInterval(drip));
    const at = await closed;
    expect(at - started).toBeGreaterThanOrEqual(900);
    expect(at - started).toBeLessThan(4000);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('file descriptors', () => {
  it('keeps a reserve: a flood of subscribers gets 503 while publishing and health still work', async () => {
    // A hub whose process may open only 200 files, 60 of them held back.
    const hub = spawnServe(
      ['--fd-reserve', '60', '--max-connections-per-ip', '0', '--subscribe-rate', '0'],
      cleanups,
      { files: 200 },
    );
    const url = await hub.url;
    const port = Number(new URL(url).port);

    const sockets: Socket[] = [];
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
    });
    const statuses: number[] = [];
    let firstText = () => '';
    for (let i = 0; i < 180; i++) {
      const raw = await rawSubscribe(port, '/events?topic=t');
      sockets.push(raw.socket);
      if (i === 0) firstText = raw.text;
      statuses.push(Number(/^HTTP\/1\.1 (\d+)/.exec(raw.text())?.[1]));
    }
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThan(50);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);

    // The reserve is what lets these through while the flood holds its streams open.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await publish(url, { topic: 't', data: 'through the flood' });
    await until(() => firstText().includes('through the flood'));
  }, 30_000);
});
