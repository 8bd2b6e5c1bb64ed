import { describe, expect, it } from 'vitest';
import { createParser, type ParsedEvent } from '../protocol/index.js';
import { until } from '../test-support/server.js';
import { eventStreamResponse } from './event-stream-response.js';

function counting(limit = Number.POSITIVE_INFINITY) {
  const state = { produced: 0, stopped: false };
  async function* generate() {
    try {
      while (state.produced < limit) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield { n: state.produced++ };
      }
    } finally {
      state.stopped = true;
    }
  }
  return { state, generate };
}

async function readAll(response: Response): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return events;
}

describe('eventStreamResponse', () => {
  it('streams items as events, then done, with event-stream headers', async () => {
    const source = counting(3);
    const response = eventStreamResponse(source.generate(), { event: 'item', retry: 500 });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const events = await readAll(response);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['item', '{"n":0}'],
      ['item', '{"n":1}'],
      ['item', '{"n":2}'],
      ['done', ''],
    ]);
    expect(source.state.stopped).toBe(true);
  });

  it('pulls only as the reader reads, and cancelling stops the source', async () => {
    const source = counting();
    const response = eventStreamResponse(source.generate(), { map: (item) => String(item.n) });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Not running ahead: at most one item beyond what was read is prefetched.
    expect(source.state.produced).toBeLessThanOrEqual(4);
    await reader.cancel();
    await until(() => source.state.stopped);
  });

  it('an aborted request signal stops the source and ends the body', async () => {
    const source = counting();
    const controller = new AbortController();
    const response = eventStreamResponse(source.generate(), { signal: controller.signal });
    const reading = readAll(response);
    await until(() => source.state.produced >= 2);
    controller.abort();
    const events = await reading;
    expect(events.length).toBeGreaterThanOrEqual(1);
    await until(() => source.state.stopped);
  });

  it('an upstream failure becomes an error event', async () => {
    async function* failing() {
      yield 'a';
      throw new Error('secret detail');
    }
    const events = await readAll(
      eventStreamResponse(failing(), {
        error: (e) => ({ event: 'error', data: { retryable: (e as Error).message === 'x' } }),
      }),
    );
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['message', 'a'],
      ['error', '{"retryable":false}'],
    ]);
  });
});
