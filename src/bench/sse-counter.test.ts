import { describe, expect, it } from 'vitest';
import { countOf, newHistogram, quantile, record } from './histogram.js';
import { createDeliveryLog, SseCounter } from './sse-counter.js';

const response = (chunked: boolean, body: string) => {
  const head = `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n${chunked ? 'transfer-encoding: chunked\r\n' : ''}\r\n`;
  if (!chunked) return head + body;
  // Chunks of 7 bytes, so chunk boundaries fall inside lines and fields.
  let out = head;
  for (let i = 0; i < body.length; i += 7) {
    const part = body.slice(i, i + 7);
    out += `${part.length.toString(16)}\r\n${part}\r\n`;
  }
  return out;
};

describe('SseCounter', () => {
  const body =
    ': ok\n\nevent: connected\nid: e-0\ndata: {"clientId":"x"}\n\nid: e-1\ndata: 0.1000 xxx\n\n' +
    'id: e-2\ndata: "1.2000"\n\n:\n\nid: 7\r\ndata: 2.3000\r\n\r\n';
  for (const chunked of [false, true]) {
    it(`counts bench events and tracks the last id, split anywhere (chunked: ${chunked})`, () => {
      const log = createDeliveryLog();
      const counter = new SseCounter(log.sink);
      const raw = response(chunked, body);
      for (let i = 0; i < raw.length; i += 3) counter.push(raw.slice(i, i + 3));
      expect(counter.open).toBe(true);
      expect(counter.received).toBe(3);
      expect(counter.lastId).toBe('7');
      const snap = log.snapshot();
      expect(snap.events.map(([seq, [n]]) => [seq, n])).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      expect(snap.other).toBe(1); // the connected greeting
      expect(countOf(snap.latency)).toBe(3);
    });
  }

  it('reports a response that is not 200', () => {
    const log = createDeliveryLog();
    const counter = new SseCounter(log.sink);
    counter.push('HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n');
    expect(log.snapshot().failures).toEqual(['http/1.1 429 too many requests']);
  });
});

describe('histogram', () => {
  it('answers quantiles within its 2% resolution', () => {
    const h = newHistogram();
    for (let i = 1; i <= 10_000; i++) record(h, i);
    expect(quantile(h, 0.5)! / 5000).toBeCloseTo(1, 1);
    expect(quantile(h, 0.99)! / 9900).toBeCloseTo(1, 1);
    expect(quantile(newHistogram(), 0.5)).toBeUndefined();
  });
});
