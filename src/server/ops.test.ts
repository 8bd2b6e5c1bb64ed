import { describe, expect, it } from 'vitest';
import { connect } from '../client/index.js';
import {
  listen,
  publish,
  rawSubscribe,
  startTestServer,
  testHubs,
  until,
} from '../test-support/server.js';

const { cleanups, hub } = testHubs();

/** One sample from Prometheus text: `name{labels} value`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('counters move as events flow', async () => {
    const running = await hub({ maxConnectionsPerIp: 3 });
    const scrape = async () => (await fetch(`${running.url}/metrics`)).text();
    const before = await scrape();
    expect(sample(before, 'ssehub_connections')).toBe(0);
    expect(sample(before, 'ssehub_engine_up')).toBe(1);
    expect(before).toContain('process_cpu_user_seconds_total');

    const a = listen(`${running.url}/events?topic=t`);
    const b = listen(`${running.url}/events?topic=t`);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await until(() => running.hub.stats().connections === 2);
    for (let i = 0; i < 5; i++) await publish(running.url, { topic: 't', data: `e${i}` });
    await until(() => a.messages().length === 5 && b.messages().length === 5);
    expect((await fetch(`${running.url}/events`)).status).toBe(400); // no topic
    const third = listen(`${running.url}/events?topic=t`);
    cleanups.push(() => third.close());
    await until(() => running.hub.stats().connections === 3);
    expect((await rawSubscribe(running.port, '/events?topic=t')).text()).toMatch(/^HTTP\/1\.1 429/);

    const after = await scrape();
    expect(sample(after, 'ssehub_connections')).toBe(3);
    expect(sample(after, 'ssehub_connections_accepted_total')).toBe(3);
    expect(sample(after, 'ssehub_events_published_total')).toBe(5);
    expect(sample(after, 'ssehub_events_delivered_total')).toBe(10);
    expect(sample(after, 'ssehub_bytes_out_total')).toBeGreaterThan(50);
    expect(sample(after, 'ssehub_subscriptions', 'topic="t"')).toBe(3);
    expect(sample(after, 'ssehub_connections_rejected_total', 'reason="invalid_topic"')).toBe(1);
    expect(sample(after, 'ssehub_connections_rejected_total', 'reason="per_ip"')).toBe(1);
    expect(sample(after, 'ssehub_publish_to_write_seconds_count')).toBe(5);
    expect(sample(after, 'ssehub_fanout_duration_seconds_count')).toBe(5);
    // A second scrape does not count again what the first already did.
    expect(sample(await scrape(), 'ssehub_events_published_total')).toBe(5);
  });

  it('needs the admin token once auth is configured', async () => {
    const running = await hub({ adminToken: 'admin-token-0123456789' });
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${running.url}/metrics`, {
      headers: { authorization: 'Bearer admin-token-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
  });
});

describe('presence', () => {
  it('announces joins and leaves on presence topics and lists who is there', async () => {
    const running = await hub({ presenceTopics: 'room/*' });
    type Presence = { action: string; clientId: string; metadata?: { name: string } };
    const ann = connect<{ presence: Presence; connected: string }>(
      `${running.url}/events?topic=room/1&meta=${encodeURIComponent('{"name":"Ann"}')}`,
      { json: ['presence', 'connected'] },
    );
    cleanups.push(() => ann.close());
    const seen: Presence[] = [];
    ann.on('presence', (e) => seen.push(e.data));
    await until(() => seen.length === 1);
    const bob = connect(
      `${running.url}/events?topic=room/1&meta=${encodeURIComponent('{"name":"Bob"}')}`,
    );
    await until(() => seen.length === 2);
    expect(seen.map((p) => [p.action, p.metadata?.name])).toEqual([
      ['join', 'Ann'],
      ['join', 'Bob'],
    ]);
    const list = await (await fetch(`${running.url}/topics/room/1/subscribers`)).json();
    expect(list.subscribers.map((m: Presence) => m.metadata?.name).sort()).toEqual(['Ann', 'Bob']);
    bob.close();
    await until(() => seen.length === 3);
    expect(seen[2]).toMatchObject({ action: 'leave', metadata: { name: 'Bob' } });
    const after = await (await fetch(`${running.url}/topics/room%2F1/subscribers`)).json();
    expect(after.subscribers).toHaveLength(1);

    // Topics outside the presence patterns stay quiet; bad metadata is refused.
    const quiet = listen(`${running.url}/events?topic=lobby`, { types: ['presence'] });
    cleanups.push(() => quiet.close());
    expect((await fetch(`${running.url}/events?topic=room/2&meta=nope`)).status).toBe(400);
    expect(quiet.events).toEqual([]);
  });
});

describe('readiness and drain', () => {
  it('readyz goes 503 at once, and streams close in batches over the window with a retry hint', async () => {
    const running = await startTestServer({ shutdownGrace: 1000, retry: 1000 });
    expect(await (await fetch(`${running.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const subscribers = await Promise.all(
      Array.from({ length: 20 }, () => rawSubscribe(running.port, '/events?topic=t')),
    );
    await until(() => running.hub.stats().connections === 20);
    // A stream has ended when its chunked body has (the socket itself may stay for keep-alive).
    const closedAt = new Map<number, number>();
    const watch = setInterval(() => {
      subscribers.forEach((s, i) => {
        if (!closedAt.has(i) && s.text().endsWith('\r\n0\r\n\r\n')) closedAt.set(i, Date.now());
      });
    }, 5);
    cleanups.push(() => clearInterval(watch));
    const started = Date.now();
    const closing = running.close();
    const during = await fetch(`${running.url}/readyz`).catch(() => undefined);
    if (during) {
      expect(during.status).toBe(503);
      expect(await during.json()).toMatchObject({ status: 'draining', draining: true });
    }
    await closing;
    await until(() => closedAt.size === 20);
    const offsets = [...closedAt.values()].map((t) => t - started);
    // Ten batches over the window: the first right away, the last near its end.
    expect(Math.min(...offsets)).toBeLessThan(300);
    expect(Math.max(...offsets)).toBeGreaterThan(700);
    expect(new Set(offsets.map((o) => Math.round(o / 100))).size).toBeGreaterThanOrEqual(5);
    for (const s of subscribers) {
      const retry = Number(/retry: (\d+)\n\n$/.exec(s.body())?.[1]);
      expect(retry).toBeGreaterThanOrEqual(1000);
      expect(retry).toBeLessThanOrEqual(2000);
    }
  });
});
