import { afterEach, describe, expect, it } from 'vitest';
import { createParser } from '../protocol/index.js';
import type { RunningServer } from '../server/index.js';
import { listen, publish, rawSubscribe, startTestServer, until } from '../test-support/server.js';

let server: RunningServer | undefined;
const open: { close(): void }[] = [];
const sub = (url: string, options: Parameters<typeof listen>[1] = {}) => {
  const l = listen(url, options);
  open.push(l);
  return l;
};
afterEach(async () => {
  for (const l of open.splice(0)) l.close();
  await server?.close();
});

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('resume with Last-Event-ID', () => {
  it('a client cut before its first event resumes from where it joined', async () => {
    server = await startTestServer({ retry: 5 });
    const s = server;
    await publish(s.url, { topic: 'quiet', data: 'before it joined' });
    const l = sub(`${s.url}/events?topic=quiet`);
    await until(() => s.hub.clients().length === 1);
    // Let the start position reach the client before cutting it.
    await new Promise((r) => setTimeout(r, 50));
    s.hub.disconnect(s.hub.clients()[0]!.id);
    await publish(s.url, { topic: 'quiet', data: 'while it was away' });
    await until(() => l.messages().length === 1);
    expect(l.messages()).toEqual(['while it was away']);
    expect(l.events.filter((e) => e.type === 'reset')).toEqual([]);
    expect(s.hub.stats().eventsReplayed).toBe(1);
  });

  it('loses and repeats nothing while the server keeps cutting the client mid-stream', async () => {
    server = await startTestServer({ retry: 5 });
    const s = server;
    const l = sub(`${s.url}/events?topic=seq`);
    await until(() => s.hub.clients().length === 1);
    const total = 400;
    // Publish continuously; every 40 events, drop the client server-side. The eventsource
    // package reconnects on its own with Last-Event-ID, while publishing goes on.
    for (let n = 1; n <= total; n++) {
      await publish(s.url, { topic: 'seq', data: String(n) });
      if (n % 40 === 0) for (const c of s.hub.clients()) s.hub.disconnect(c.id);
    }
    await until(() => l.messages().length >= total, 10_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(l.messages()).toEqual(range(1, total));
    expect(l.events.filter((e) => e.type === 'reset')).toEqual([]);
    expect(s.hub.stats().eventsReplayed).toBeGreaterThan(0);
  });

  it('replays a backlog far larger than the queue bound, at the pace the client reads', async () => {
    server = await startTestServer({
      maxQueueBytes: 64 * 1024,
      maxEventBytes: 64 * 1024,
      historySize: 1000,
    });
    const s = server;
    const data = 'y'.repeat(60 * 1024);
    const { id } = await publish(s.url, { topic: 't', data: '0' });
    for (let n = 1; n <= 200; n++) await publish(s.url, { topic: 't', data: `${n} ${data}` });
    const l = sub(`${s.url}/events?topic=t`, { lastEventId: id });
    await until(() => l.messages().length === 200, 10_000);
    expect(l.messages().map((m) => Number(m.split(' ')[0]))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(s.hub.stats().slowConsumerDisconnects).toBe(0);
  });

  it('replays what was missed, in order, then goes live with no seam', async () => {
    server = await startTestServer();
    const s = server;
    const first = sub(`${s.url}/events?topic=a&topic=b/*`);
    await until(() => s.hub.clients().length === 1);
    const { id } = await publish(s.url, { topic: 'a', data: '1' });
    await until(() => first.messages().length === 1);
    first.close();
    await until(() => s.hub.clients().length === 0);
    await publish(s.url, { topic: 'a', data: '2' });
    await publish(s.url, { topic: 'other', data: 'not mine' });
    await publish(s.url, { topic: 'b/x', data: '3' });
    const second = sub(`${s.url}/events?topic=a&topic=b/*`, { lastEventId: id });
    await until(() => second.messages().length === 2);
    await publish(s.url, { topic: 'a', data: '4' });
    await until(() => second.messages().length === 3);
    expect(second.messages()).toEqual(['2', '3', '4']);
  });

  it('takes lastEventId from the query on the first connect, and the header wins after', async () => {
    server = await startTestServer();
    const a = await publish(server.url, { topic: 't', data: '1' });
    const b = await publish(server.url, { topic: 't', data: '2' });
    await publish(server.url, { topic: 't', data: '3' });
    const byQuery = sub(`${server.url}/events?topic=t&lastEventId=${a.id}`);
    await until(() => byQuery.messages().length === 2);
    expect(byQuery.messages()).toEqual(['2', '3']);
    const both = sub(`${server.url}/events?topic=t&lastEventId=${a.id}`, { lastEventId: b.id });
    await until(() => both.messages().length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(both.messages()).toEqual(['3']);
  });

  it('sends reset for an unknown id, with no id line, then continues live', async () => {
    server = await startTestServer({ retry: 5 });
    const s = server;
    await publish(s.url, { topic: 't', data: 'old' });
    const l = sub(`${s.url}/events?topic=t`, { lastEventId: 'no-such-id' });
    await until(() => l.events.some((e) => e.type === 'reset'));
    const reset = l.events.find((e) => e.type === 'reset')!;
    expect(JSON.parse(reset.data)).toEqual({ reason: 'unknown-id' });
    expect(reset.lastEventId).toBe('');
    expect(l.messages()).toEqual([]);
    await publish(s.url, { topic: 't', data: 'live' });
    await until(() => l.messages().length === 1);
    // Cut it: the reconnect resumes from the live event's id, with no second reset.
    for (const c of s.hub.clients()) s.hub.disconnect(c.id);
    await until(() => s.hub.stats().connections === 0);
    await publish(s.url, { topic: 't', data: 'missed' });
    await until(() => l.messages().length === 2);
    expect(l.messages()).toEqual(['live', 'missed']);
    expect(s.hub.stats().resetsSent).toBe(1);
  });

  it('follows a reset with an id-only block, so a spec-exact client resumes from the present', async () => {
    server = await startTestServer();
    const s = server;
    const { id: head } = await publish(s.url, { topic: 't', data: 'old' });
    const raw = await rawSubscribe(s.port, '/events?topic=t', { 'last-event-id': 'gone' });
    await until(() => raw.text().includes('event: reset'));
    await until(() => raw.body().endsWith(`id: ${head}\n\n`));
    expect(raw.body()).toContain(`event: reset\ndata: {"reason":"unknown-id"}\n\nid: ${head}\n\n`);
    // The WHATWG rules set the last event ID on every dispatch, even with no data.
    const events: string[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e.type) });
    parser.feed(raw.body());
    expect(events).toEqual(['connected', 'reset']);
    expect(parser.lastEventId).toBe(head);
    raw.socket.destroy();
  });

  it('sends reset with reason expired when history no longer reaches back', async () => {
    server = await startTestServer({ historySize: 3 });
    const { id } = await publish(server.url, { topic: 't', data: '1' });
    for (let n = 2; n <= 6; n++) await publish(server.url, { topic: 't', data: String(n) });
    const l = sub(`${server.url}/events?topic=t`, { lastEventId: id });
    await until(() => l.events.some((e) => e.type === 'reset'));
    expect(JSON.parse(l.events.find((e) => e.type === 'reset')!.data)).toEqual({
      reason: 'expired',
    });
    expect(l.messages()).toEqual([]);
  });

  it('sends reset with reason other-epoch after a restart without history', async () => {
    server = await startTestServer();
    const { id } = await publish(server.url, { topic: 't', data: '1' });
    await server.close();
    server = await startTestServer();
    const l = sub(`${server.url}/events?topic=t`, { lastEventId: id });
    await until(() => l.events.some((e) => e.type === 'reset'));
    expect(JSON.parse(l.events.find((e) => e.type === 'reset')!.data)).toEqual({
      reason: 'other-epoch',
    });
  });
});
