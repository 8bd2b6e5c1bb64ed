import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub } from '../hub/index.js';
import { silentLogger } from '../hub/logger.js';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { bundleClient } from '../test-support/client-bundle.js';
import { writeChunks } from '../test-support/scripted.js';
import { until } from '../test-support/server.js';
import { CASES, END, TYPES } from '../test-support/tricky-streams.js';
import type * as Client from './index.js';

type Seen = [type: string, data: string, lastEventId: string];
declare global {
  interface Window {
    ssehubClient: typeof Client;
    clientGot: string[];
    resets: string[];
  }
}

/**
 * The page, the client bundle, a hub and the tricky byte cases on one origin, as an app would
 * serve them. Every `/events` request's headers are kept to check what the client sent.
 */
async function startApp() {
  const hub = createHub({ retryMs: 50, logger: silentLogger });
  const bundle = await bundleClient('iife');
  const seenHeaders: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/events') {
      seenHeaders.push(req.headers);
      hub.subscribe(req, res, { topics: ['t'] }).catch(() => res.destroy());
    } else if (url.pathname === '/case') {
      void writeChunks(res, [...(CASES[url.searchParams.get('case') ?? ''] ?? []), END]);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>client</title><script>${bundle.code}</script>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    server,
    url,
    seenHeaders,
    async close() {
      await hub.close({ graceMs: 0 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(!browserAvailable())('ssehub/client in Chromium', () => {
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startApp>>;
  let page: Page;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startApp()]);
    page = await browser.newPage();
    await page.goto(app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends headers, reports the reset, and resumes after a cut with nothing lost', async () => {
    await page.evaluate(() => {
      window.clientGot = [];
      window.resets = [];
      const client = window.ssehubClient.connect('/events', {
        headers: { authorization: 'Bearer page-token' },
        lastEventId: 'ffffffffff-1',
        reconnect: { initialDelayMs: 50, minDelayMs: 10 },
        onReset: (info) => window.resets.push(info.reason),
      });
      client.on('message', (e) => window.clientGot.push(`${e.data}|${e.lastEventId}`));
    });
    const resets = () => page.evaluate(() => window.resets);
    const got = () => page.evaluate(() => window.clientGot);
    await until(async () => (await resets()).length === 1);
    expect(await resets()).toEqual(['other-epoch']);
    const e1 = await app.hub.publish({ topics: ['t'], data: 'e1' });
    const e2 = await app.hub.publish({ topics: ['t'], data: 'e2' });
    await until(async () => (await got()).length === 2);

    app.server.closeAllConnections();
    await until(() => app.hub.stats().connections === 0);
    const e3 = await app.hub.publish({ topics: ['t'], data: 'e3' });
    await until(async () => (await got()).length === 3);
    expect(await got()).toEqual([`e1|${e1.id}`, `e2|${e2.id}`, `e3|${e3.id}`]);
    expect(app.seenHeaders.map((h) => h.authorization)).toEqual([
      'Bearer page-token',
      'Bearer page-token',
    ]);
    expect(app.seenHeaders[0]?.['last-event-id']).toBe('ffffffffff-1');
    expect(app.seenHeaders[1]?.['last-event-id']).toBe(e2.id);
    expect(await resets()).toEqual(['other-epoch']);
  });

  it("yields exactly what Chromium's own EventSource yields for tricky bytes", async () => {
    for (const name of Object.keys(CASES)) {
      const path = `/case?case=${encodeURIComponent(name)}`;
      const [native, ours] = await page.evaluate(
        async ([path, types]) => {
          const viaEventSource = new Promise<Seen[]>((resolve) => {
            const seen: Seen[] = [];
            const source = new EventSource(path);
            for (const type of types) {
              source.addEventListener(type, (e) => {
                seen.push([e.type, e.data, e.lastEventId]);
                if (e.type === 'end') {
                  source.close();
                  resolve(seen);
                }
              });
            }
          });
          const viaClient = (async () => {
            const seen: Seen[] = [];
            for await (const e of window.ssehubClient.connect(path)) {
              seen.push([e.type, e.data, e.lastEventId]);
              if (e.type === 'end') break;
            }
            return seen;
          })();
          return Promise.all([viaEventSource, viaClient]);
        },
        [path, TYPES] as const,
      );
      expect(ours, name).toEqual(native);
      expect(ours.length, name).toBeGreaterThan(1);
    }
  });
});
