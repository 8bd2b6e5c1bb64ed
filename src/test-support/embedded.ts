import { expect } from 'vitest';
import type { Hub } from '../hub/index.js';
import { listen, publish, until } from './server.js';

/**
 * What every framework mount must do, checked over real HTTP: a plain (never compressed)
 * event stream, events that arrive while the stream stays open, JSON and form publishes that
 * reach the hub's own parser, and a client's departure noticed at once.
 */
export async function checkMount(
  sse: string,
  hub: Hub,
  // An app-wide body parser (express.json) refuses malformed bodies itself, before the hub.
  { appParsesBodies = false } = {},
): Promise<void> {
  const head = await fetch(`${sse}/events?topic=t`, {
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(head.headers.get('content-encoding')).toBeNull();
  await head.body?.cancel();
  await until(() => hub.stats().connections === 0);

  const l = listen(`${sse}/events?topic=t`);
  try {
    await until(() => l.events.length === 1);
    const json = await fetch(`${sse}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 't', data: 'via json' }),
    });
    expect(json.status).toBe(200);
    await until(() => l.messages().length === 1, 2000);
    const form = await fetch(`${sse}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'topic=t&data=via+form',
    });
    expect(form.status).toBe(200);
    await until(() => l.messages().length === 2, 2000);
    expect(l.messages()).toEqual(['via json', 'via form']);
    if (!appParsesBodies) {
      const bad = await fetch(`${sse}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"topic": "t", "data": ',
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('invalid_json');
    }
  } finally {
    l.close();
  }
  await until(() => hub.stats().connections === 0);
}

/**
 * While a stream is open, a route of the app fails and its error handler answers; the stream
 * must neither see that nor miss the next event.
 */
export async function checkAppErrorLeavesStream(
  base: string,
  expectFailure: (res: Response) => Promise<void>,
): Promise<void> {
  const l = listen(`${base}/sse/events?topic=t`);
  try {
    await until(() => l.events.length === 1);
    await expectFailure(await fetch(`${base}/boom`));
    await publish(`${base}/sse`, { topic: 't', data: 'still here' });
    await until(() => l.messages().length === 1);
    expect(l.errors).toEqual([]);
  } finally {
    l.close();
  }
}
