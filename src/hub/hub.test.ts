import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createParser } from '../protocol/index.js';
import { createHub } from './hub.js';
import type { Hub } from './types.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** A bare node:http server that hands every request to `hub.subscribe`. */
async function serve(hub: Hub): Promise<number> {
  server = http.createServer((req, res) => {
    void hub.subscribe(req, res, { topics: ['t'] });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function connect(port: number) {
  const got = { retries: [] as number[], endedAt: 0 };
  const parser = createParser({ onEvent: () => {}, onRetry: (ms) => got.retries.push(ms) });
  http.get({ port, path: '/', host: '127.0.0.1' }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => parser.feed(chunk));
    res.on('end', () => {
      got.endedAt = Date.now();
    });
  });
  return got;
}

describe('hub.close', () => {
  it('closes streams in batches over the grace window, each with a jittered retry', async () => {
    const hub = createHub({ retryMs: 1000 });
    const port = await serve(hub);
    const clients = Array.from({ length: 20 }, () => connect(port));
    while (hub.stats().connections < 20) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const closing = hub.close({ graceMs: 500 });
    // Streams waiting for their batch still get what is published meanwhile.
    await new Promise((r) => setTimeout(r, 200));
    await hub.publish({ topic: 't', data: 'during drain' });
    await closing;
    while (clients.some((c) => c.endedAt === 0)) await new Promise((r) => setTimeout(r, 5));
    const offsets = clients.map((c) => c.endedAt - started).sort((a, b) => a - b);
    // 10 batches, 50 ms apart: the last closes ~450 ms after the first, not all at once.
    expect(offsets[0]).toBeLessThan(150);
    expect(offsets[19]! - offsets[0]!).toBeGreaterThanOrEqual(350);
    expect(offsets[19]).toBeLessThan(1500);
    for (const c of clients) {
      expect(c.retries[0]).toBe(1000);
      expect(c.retries[1]).toBeGreaterThanOrEqual(1000);
      expect(c.retries[1]).toBeLessThanOrEqual(2000);
    }
    expect(new Set(clients.map((c) => c.retries[1])).size).toBeGreaterThan(1);
    expect(hub.stats().eventsDelivered).toBeGreaterThan(0);
    expect(hub.stats().eventsDelivered).toBeLessThan(20);
    await expect(hub.publish({ topic: 't', data: 'late' })).rejects.toMatchObject({
      code: 'shutting_down',
    });
  });

  it('refuses new subscribers once closing', async () => {
    const hub = createHub();
    await hub.close();
    const port = await serve(hub);
    const status = await new Promise<number | undefined>((resolve) => {
      server!.removeAllListeners('request');
      server!.on('request', (req, res) => {
        hub.subscribe(req, res, { topics: ['t'] }).catch((error: { status: number }) => {
          res.writeHead(error.status).end();
        });
      });
      http.get({ port, host: '127.0.0.1' }, (res) => resolve(res.statusCode));
    });
    expect(status).toBe(503);
  });
});

describe('hub.subscribe', () => {
  it("resumes from the request's Last-Event-ID header when no lastEventId is given", async () => {
    const hub = createHub();
    const port = await serve(hub);
    const first = await hub.publish({ topic: 't', data: 'seen' });
    await hub.publish({ topic: 't', data: 'missed' });
    const text = await new Promise<string>((resolve) => {
      http.get({ port, host: '127.0.0.1', headers: { 'last-event-id': first.id } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
          if (body.includes('missed')) resolve(body);
        });
      });
    });
    expect(text).not.toContain('seen');
    expect(hub.stats().eventsReplayed).toBe(1);
    await hub.close();
  });

  it('does not register a client that left before subscribe ran', async () => {
    const hub = createHub();
    server = http.createServer((req, res) => {
      // Stands in for an app that awaits something (auth, a database) before subscribing.
      setTimeout(() => void hub.subscribe(req, res, { topics: ['t'] }), 100);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const req = http.get({ port, host: '127.0.0.1' });
    req.on('error', () => {});
    setTimeout(() => req.destroy(), 20);
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.stats().connections).toBe(0);
    await hub.close();
  });
});

describe('slow consumers', () => {
  it('are disconnected with a logged reason and counted', async () => {
    const warnings: Record<string, unknown>[] = [];
    const ignore = () => {};
    const hub = createHub({
      maxQueueBytes: 32 * 1024,
      maxEventBytes: 32 * 1024,
      logger: {
        debug: ignore,
        info: ignore,
        error: ignore,
        warn: (fields) => warnings.push(fields),
      },
    });
    const port = await serve(hub);
    const req = http.get({ port, host: '127.0.0.1' }, (res) => res.pause());
    req.on('error', () => {});
    while (hub.stats().connections < 1) await new Promise((r) => setTimeout(r, 5));
    const data = 'z'.repeat(30 * 1024);
    for (let n = 0; n < 1000 && hub.stats().connections > 0; n++) {
      await hub.publish({ topic: 't', data });
      if (n % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(hub.stats()).toMatchObject({ connections: 0, slowConsumerDisconnects: 1 });
    expect(warnings).toEqual([expect.objectContaining({ reason: 'slow-consumer' })]);
    req.destroy();
    await hub.close();
  });
});
