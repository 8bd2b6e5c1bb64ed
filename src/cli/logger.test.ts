import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';
import { createLogger } from './serve.js';

function capture(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  out.setEncoding('utf8').on('data', (c: string) => (text += c));
  return { out, text: () => text };
}

describe('logs', () => {
  it('are JSON lines by default off a terminal, pretty on one or when asked', () => {
    const json = capture(false);
    createLogger({ logLevel: 'info', logFormat: 'auto' }, json.out).info(
      { clientId: 'c1' },
      'stream opened',
    );
    expect(JSON.parse(json.text())).toMatchObject({
      level: 30,
      clientId: 'c1',
      msg: 'stream opened',
    });

    const tty = capture(true);
    createLogger({ logLevel: 'info', logFormat: 'auto' }, tty.out).info(
      { clientId: 'c1' },
      'stream opened',
    );
    expect(tty.text()).toContain('stream opened');
    expect(tty.text().trimStart().startsWith('{')).toBe(false);

    const asked = capture(false);
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, asked.out).warn('careful');
    expect(asked.text()).toMatch(/WARN.*careful/);
  });

  it('every response carries a request id; a sane incoming one is kept', async () => {
    const running = await startTestServer();
    try {
      const fresh = await fetch(`${running.url}/healthz`);
      expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await fetch(`${running.url}/healthz`, { headers: { 'x-request-id': 'lb-42' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-42');
      const odd = await fetch(`${running.url}/healthz`, {
        headers: { 'x-request-id': 'a b<script>' },
      });
      expect(odd.headers.get('x-request-id')).not.toBe('a b<script>');
      // Streams send it with their own headers; a refused stream still has it.
      const controller = new AbortController();
      const stream = await fetch(`${running.url}/events?topic=t`, {
        headers: { accept: 'text/event-stream', 'x-request-id': 'sse-7' },
        signal: controller.signal,
      });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('x-request-id')).toBe('sse-7');
      controller.abort();
      const refused = await fetch(`${running.url}/events?topic=a/**/b`, {
        headers: { accept: 'text/event-stream', 'x-request-id': 'sse-8' },
      });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('x-request-id')).toBe('sse-8');
    } finally {
      await running.close();
    }
  });
});
