import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { spawnServe } from '../test-support/cli.js';
import { startScriptedServer, writeChunks } from '../test-support/scripted.js';
import { publish, startTestServer, until } from '../test-support/server.js';
import { connect } from './connect.js';
import { type SseClientError, SseHttpError } from './errors.js';
import { CLOSED, type SseClient, type SseEvent } from './types.js';

type HubEvents = { message: string; connected: string; reset: string };
const FAST = { initialDelayMs: 20, minDelayMs: 10, maxDelayMs: 200 };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<M extends HubEvents>(client: SseClient<M>) {
  cleanups.push(() => client.close());
  const events: SseEvent<string, unknown>[] = [];
  for (const type of ['message', 'connected', 'reset'] as const)
    client.on(type, (e) => events.push(e));
  return {
    events,
    messages: () => events.filter((e) => e.type === 'message').map((e) => e.data),
  };
}

async function hub(flags: Record<string, unknown> = {}): Promise<RunningServer> {
  const running = await startTestServer({ retry: 20, ...flags });
  cleanups.push(() => running.close());
  return running;
}

async function scripted(...args: Parameters<typeof startScriptedServer>) {
  const server = await startScriptedServer(...args);
  cleanups.push(() => server.close());
  return server;
}

describe('reconnecting to ssehub', () => {
  it('resumes after the connection breaks, losing and repeating nothing', async () => {
    const running = await hub();
    const errors: SseClientError[] = [];
    const client = connect<HubEvents>(`${running.url}/events?topic=t`, {
      reconnect: FAST,
      onError: (e) => errors.push(e),
    });
    const seen = track(client);
    await until(() => seen.events.length === 1);
    for (const n of [1, 2, 3]) await publish(running.url, { topic: 't', data: `e${n}` });
    await until(() => seen.messages().length === 3);
    (running.server as Server).closeAllConnections();
    await until(() => errors.length === 1);
    for (const n of [4, 5, 6]) await publish(running.url, { topic: 't', data: `e${n}` });
    await until(() => seen.messages().length === 6);
    await publish(running.url, { topic: 't', data: 'e7' });
    await until(() => seen.messages().length === 7);
    expect(seen.messages()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(errors.map((e) => e.code)).toEqual(['network']);
    expect(seen.events.filter((e) => e.type === 'reset')).toEqual([]);
  });

  it('reconnects when the server closes the stream cleanly, and resumes', async () => {
    const running = await hub();
    const errors: string[] = [];
    const client = connect<HubEvents>(`${running.url}/events?topic=t`, {
      reconnect: FAST,
      onError: (e) => errors.push(e.code),
    });
    const seen = track(client);
    await until(() => seen.events.length === 1);
    await publish(running.url, { topic: 't', data: 'before' });
    await until(() => seen.messages().length === 1);
    const connected = seen.events.find((e) => e.type === 'connected')?.data as string;
    expect(running.hub.disconnect(JSON.parse(connected).clientId)).toBe(true);
    await publish(running.url, { topic: 't', data: 'during' });
    await until(() => seen.messages().length === 2);
    expect(seen.messages()).toEqual(['before', 'during']);
    expect(errors).toEqual(['closed']);
  });

  it('after the hub is killed and restarted, reports the reset and goes on', async () => {
    const first = spawnHub('0');
    const url = await first.url;
    const resets: string[] = [];
    const client = connect<HubEvents>(`${url}/events?topic=t`, {
      reconnect: FAST,
      onReset: (info) => resets.push(info.reason),
    });
    const seen = track(client);
    await until(() => seen.events.length === 1, 10_000);
    await publish(url, { topic: 't', data: 'old' });
    await until(() => seen.messages().length === 1);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = spawnHub(new URL(url).port);
    await second.url;
    await until(() => resets.length === 1, 10_000);
    await publish(url, { topic: 't', data: 'new' });
    await until(() => seen.messages().length === 2);
    expect(seen.messages()).toEqual(['old', 'new']);
    // The restarted hub has a new epoch: the old id cannot be resumed, and the client is told.
    expect(resets).toEqual(['other-epoch']);
    expect(seen.events.filter((e) => e.type === 'reset')).toHaveLength(1);
  });

  it('the watchdog reopens a stalled connection and resumes from the last id', async () => {
    const server = await scripted(async (_req, res, index) => {
      // First connection: one event, then silence on an open socket.
      if (index === 0) await writeChunks(res, ['id: a-1\ndata: one\n\n']);
      else await writeChunks(res, ['id: a-2\ndata: two\n\n']);
    });
    const errors: string[] = [];
    const client = connect<HubEvents>(server.url, {
      watchdogMs: 300,
      reconnect: FAST,
      onError: (e) => errors.push(e.code),
    });
    const seen = track(client);
    await until(() => seen.messages().length === 2);
    expect(seen.messages()).toEqual(['one', 'two']);
    expect(errors[0]).toBe('watchdog');
    expect(server.requests[1]?.headers['last-event-id']).toBe('a-1');
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(300);
  });

  it('heartbeat comments keep the watchdog quiet', async () => {
    const server = await scripted(async (_req, res) => {
      await writeChunks(res, ['data: x\n\n']);
      for (let i = 0; i < 8 && !res.destroyed; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        res.write(': hb\n\n');
      }
    });
    const errors: string[] = [];
    const client = connect<HubEvents>(server.url, {
      watchdogMs: 150,
      onError: (e) => errors.push(e.code),
    });
    const seen = track(client);
    await until(() => seen.messages().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});

describe('status codes and bad responses', () => {
  it('204 stops for good, without an error', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(204).end();
    });
    const client = connect(server.url, { reconnect: FAST });
    expect(await client.closed).toBeUndefined();
    expect(client.readyState).toBe(CLOSED);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(1);
  });

  it('404 stops with a typed error carrying the status and body', async () => {
    const running = await hub();
    const client = connect(`${running.url}/no-such-route`, { reconnect: FAST });
    const error = await client.closed;
    expect(error).toBeInstanceOf(SseHttpError);
    expect((error as SseHttpError).status).toBe(404);
    expect((error as SseHttpError).body).toContain('not_found');
  });

  it('the iterator throws the error that stopped the client', async () => {
    const running = await hub();
    const client = connect(`${running.url}/events`, { reconnect: FAST }); // no topic: 400
    await expect(async () => {
      for await (const _ of client) {
        // nothing arrives
      }
    }).rejects.toMatchObject({ status: 400 });
  });

  it('503 with Retry-After waits as told, then connects', async () => {
    const server = await scripted(async (_req, res, index) => {
      if (index === 0) res.writeHead(503, { 'retry-after': '1' }).end('busy');
      else await writeChunks(res, ['data: finally\n\n']);
    });
    const retries: number[] = [];
    const client = connect<HubEvents>(server.url, {
      reconnect: FAST,
      onError: (_e, retry) => retries.push(retry?.delayMs ?? -1),
    });
    const seen = track(client);
    await until(() => seen.messages().length === 1, 5000);
    expect(retries).toEqual([1000]);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('429 and 500 are retried with growing, bounded delays', async () => {
    const server = await scripted((_req, res, index) => {
      res.writeHead(index % 2 === 0 ? 429 : 500).end();
    });
    const retries: { delayMs: number; attempt: number }[] = [];
    const errors: (number | undefined)[] = [];
    const client = connect<HubEvents>(server.url, {
      reconnect: { ...FAST, maxRetries: 5 },
      onError: (e, retry) => {
        if (retry) retries.push(retry);
        errors.push(e instanceof SseHttpError ? e.status : undefined);
      },
    });
    const error = await client.closed;
    expect(error?.code).toBe('retries-exhausted');
    expect(server.requests).toHaveLength(6);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
    retries.forEach((r, i) => {
      expect(r.delayMs).toBeGreaterThanOrEqual(FAST.minDelayMs);
      expect(r.delayMs).toBeLessThanOrEqual(
        Math.min(FAST.maxDelayMs, FAST.initialDelayMs * 2 ** i),
      );
    });
    expect(errors).toEqual([429, 500, 429, 500, 429, undefined]);
    expect(error?.cause).toMatchObject({ status: 500 });
  });

  it('a connection that stayed open long enough starts the backoff over', async () => {
    const server = await scripted(async (_req, res, index) => {
      // Short-lived at first (backoff grows), then healthy ones (backoff starts over each time).
      await writeChunks(res, ['retry: 20\ndata: x\n\n']);
      if (index >= 3) await new Promise((resolve) => setTimeout(resolve, 120));
      res.end();
    });
    const attempts: number[] = [];
    const client = connect<HubEvents>(server.url, {
      reconnect: { minDelayMs: 5, healthyAfterMs: 100 },
      onError: (_e, retry) => attempts.push(retry?.attempt ?? -1),
    });
    cleanups.push(() => client.close());
    await until(() => attempts.length === 6, 5000);
    expect(attempts).toEqual([1, 2, 3, 1, 1, 1]);
  });

  it('a wrong content type stops with a clear error', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>login</h1>');
    });
    const error = await connect(server.url, { reconnect: FAST }).closed;
    expect(error?.code).toBe('content-type');
    expect(error?.message).toBe('expected text/event-stream, got text/html');
    expect(server.requests).toHaveLength(1);
  });

  it('a server that accepts and hangs up at once never gets a tight loop', async () => {
    const server = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end('retry: 0\n\n');
    });
    const client = connect(server.url, { reconnect: { minDelayMs: 50, maxDelayMs: 400 } });
    cleanups.push(() => client.close());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // With `retry: 0` the floor alone allows at most 1000 / 50 + 1 requests.
    expect(server.requests.length).toBeGreaterThan(1);
    expect(server.requests.length).toBeLessThanOrEqual(21);
  });
});

/** A hub process on `port` (the later --port wins), with a short retry hint. */
function spawnHub(port: string) {
  return spawnServe(['--port', port, '--retry', '20'], cleanups);
}
