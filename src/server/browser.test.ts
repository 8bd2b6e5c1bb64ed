import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { publish, startTestServer, until } from '../test-support/server.js';

type Got = [type: string, data: string, lastEventId: string][];
declare global {
  interface Window {
    got: Got;
  }
}

/** Opens Chromium's own EventSource in the page and records every event of `types`. */
async function openSource(page: Page, path: string, types = ['message', 'connected', 'reset']) {
  await page.evaluate(
    ([path, types]) => {
      window.got = [];
      const source = new EventSource(path as string);
      for (const type of types as string[]) {
        source.addEventListener(type, (e) => window.got.push([type, e.data, e.lastEventId]));
      }
    },
    [path, types] as const,
  );
}
const got = (page: Page) => page.evaluate(() => window.got);

describe.skipIf(!browserAvailable())("Chromium's EventSource", () => {
  let browser: Browser;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('takes the id after a reset, then resumes after cuts with nothing lost', async () => {
    server = await startTestServer({ retry: 50 });
    const s = server;
    const { id: head } = await publish(s.url, { topic: 't', data: 'before the browser came' });
    const page = await browser.newPage();
    await page.goto(`${s.url}/healthz`);
    await openSource(page, '/events?topic=t&lastEventId=unknown', [
      'message',
      'reset',
      'connected',
      'price',
    ]);
    await until(() => s.hub.stats().resetsSent === 1);
    // Cut before any live event: only the id-only block after the reset can have moved the
    // browser's Last-Event-ID, so resuming (not resetting again) proves Chromium applied it.
    s.hub.disconnect(s.hub.clients()[0]!.id);
    await publish(s.url, { topic: 't', data: 'while away' });
    await page.waitForFunction(() => window.got.some((g) => g[1] === 'while away'));
    await publish(s.url, { topic: 't', data: 'multi\nline 🎉' });
    await publish(s.url, { topic: 't', data: { p: 1 }, event: 'price' });
    s.hub.disconnect(s.hub.clients()[0]!.id);
    await publish(s.url, { topic: 't', data: 'back' });
    await page.waitForFunction(() => window.got.some((g) => g[1] === 'back'));
    const all = await got(page);
    const connected = all.filter(([type]) => type === 'connected');
    expect(connected.map(([, , lastEventId]) => lastEventId).slice(0, 2)).toEqual(['', head]);
    expect(
      all.filter(([type]) => type !== 'connected').map(([type, data]) => [type, data]),
    ).toEqual([
      ['reset', '{"reason":"unknown-id"}'],
      ['message', 'while away'],
      ['message', 'multi\nline 🎉'],
      ['price', '{"p":1}'],
      ['message', 'back'],
    ]);
    expect(s.hub.stats()).toMatchObject({ resetsSent: 1, eventsReplayed: 2 });
    await page.close();
  });

  it('keeps more than six streams open in one page over HTTP/2', async () => {
    const tls = new URL('../test-support/tls/', import.meta.url);
    server = await startTestServer({
      tlsCert: fileURLToPath(new URL('cert.pem', tls)),
      tlsKey: fileURLToPath(new URL('key.pem', tls)),
    });
    const s = server;
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${s.url}/healthz`);
    await page.evaluate(() => {
      window.got = [];
      for (let i = 0; i < 10; i++) {
        new EventSource(`/events?topic=h2`).onmessage = (e) =>
          window.got.push([String(i), e.data, '']);
      }
    });
    await until(() => s.hub.stats().connections === 10);
    await s.hub.publish({ topic: 'h2', data: 'to all ten' });
    await page.waitForFunction(() => window.got.length === 10);
    expect(new Set((await got(page)).map(([i]) => i)).size).toBe(10);
    await context.close();
  });
});
