import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, writeChunks } from '../test-support/scripted.js';
import { until } from '../test-support/server.js';
import { CASES, END, TYPES } from '../test-support/tricky-streams.js';
import { connect } from './connect.js';

interface Seen {
  type: string;
  data: string;
  lastEventId: string;
}

let server: Awaited<ReturnType<typeof startScriptedServer>>;
beforeAll(async () => {
  server = await startScriptedServer(async (req, res) => {
    const name = decodeURIComponent(
      new URL(req.url ?? '/', 'http://x').searchParams.get('case') ?? '',
    );
    await writeChunks(res, [...(CASES[name] ?? []), END]);
  });
});
afterAll(() => server.close());

async function withEventsource(url: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const source = new EventSource(url);
  for (const type of TYPES) {
    source.addEventListener(type, (e) =>
      seen.push({ type: e.type, data: e.data, lastEventId: e.lastEventId }),
    );
  }
  await until(() => seen.some((e) => e.type === 'end'));
  source.close();
  return seen;
}

async function withOurs(url: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const stream = connect(url);
  for await (const event of stream) {
    seen.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
    if (event.type === 'end') break;
  }
  return seen;
}

/**
 * The `eventsource` package reports `lastEventId: ""` on an event that carries no `id:` line; the
 * WHATWG spec (and Chromium) keep the last id. We follow the spec, so only there the id differs.
 */
function withSpecIds(reference: readonly Seen[], ours: readonly Seen[]): Seen[] {
  return reference.map((event, i) =>
    event.lastEventId === '' ? { ...event, lastEventId: ours[i]?.lastEventId ?? '' } : event,
  );
}

describe('the client yields what the eventsource package yields for the same bytes', () => {
  for (const name of Object.keys(CASES)) {
    it(name, async () => {
      const url = `${server.url}/?case=${encodeURIComponent(name)}`;
      const [reference, ours] = await Promise.all([withEventsource(url), withOurs(url)]);
      expect(ours.length).toBeGreaterThan(1);
      expect(ours).toEqual(withSpecIds(reference, ours));
    });
  }

  it('keeps the last id over events without one, as the spec says (the package does not)', async () => {
    const url = `${server.url}/?case=${encodeURIComponent('ids persist and can be cleared')}`;
    const ours = await withOurs(url);
    expect(ours.map((e) => e.lastEventId)).toEqual(['1', '', '3', '3']);
    const nul = await withOurs(`${server.url}/?case=${encodeURIComponent('NUL in id is ignored')}`);
    expect(nul.map((e) => e.lastEventId)).toEqual(['ok', 'ok', 'ok']);
  });
});
