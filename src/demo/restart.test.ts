import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { spawnServe } from '../test-support/cli.js';
import { binaryAvailable, type Cleanups, freePort, startRedis } from '../test-support/engines.js';
import { publish, until } from '../test-support/server.js';

const haveRedis = binaryAvailable('redis-server');

/** `ssehub serve` as a real process on a fixed port, so a restarted hub is where the page looks. */
async function serveOn(port: number, args: string[], cleanups: Cleanups) {
  const hub = spawnServe(['--port', String(port), '--retry', '200', '--demos', ...args], cleanups);
  await hub.url;
  return hub;
}

const chatMessages = (page: Page) =>
  page
    .locator('[data-testid=message]')
    .evaluateAll((nodes) => nodes.map((n) => n.childNodes[1]?.textContent));

const say = async (url: string, room: string, text: string) =>
  publish(url, {
    topic: `chat/${room}`,
    event: 'chat',
    data: { name: 'server', text, tab: 'test', sentAt: Date.now() },
  });

describe.skipIf(!browserAvailable())('a demo page across a hub restart', () => {
  const cleanups: Cleanups = [];
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('memory engine: the page reconnects by itself and shows the reset, then new messages', async () => {
    const port = await freePort();
    let hub = await serveOn(port, [], cleanups);
    const url = await hub.url;
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    await page.goto(`${url}/demos/chat?room=r&name=Ann`);
    await page.waitForSelector('[data-testid=state][data-state=open]');
    await say(url, 'r', 'before the crash');
    await page.waitForFunction(() => document.querySelectorAll('.message').length === 1);

    hub.child.kill('SIGKILL');
    await hub.exited;
    await page.waitForSelector('[data-testid=state][data-state=reconnecting]');
    hub = await serveOn(port, [], cleanups);
    // The new process has a new history: the browser's Last-Event-ID is from another epoch.
    await page.waitForSelector('[data-testid=state][data-state=reset]', { timeout: 10_000 });
    expect(await page.locator('#messages').innerText()).toContain('could not replay');
    await say(url, 'r', 'after the restart');
    await page.waitForFunction(() => document.querySelectorAll('.message').length === 2);
    expect(await chatMessages(page)).toEqual(['before the crash', 'after the restart']);
  });

  it.skipIf(!haveRedis)(
    'Redis engine: what was published while the page’s hub was down arrives once, in order',
    async () => {
      const redisPort = await freePort();
      await startRedis(redisPort, cleanups);
      const engine = ['--engine', 'redis', '--redis-url', `redis://127.0.0.1:${redisPort}`];
      const [portA, portB] = [await freePort(), await freePort()];
      let a = await serveOn(portA, engine, cleanups);
      const b = await serveOn(portB, engine, cleanups);
      const [urlA, urlB] = [await a.url, await b.url];

      const chat = await browser.newPage();
      cleanups.push(() => chat.close());
      await chat.goto(`${urlA}/demos/chat?room=r&name=Ann`);
      await chat.waitForSelector('[data-testid=state][data-state=open]');
      const notes = await browser.newPage();
      cleanups.push(() => notes.close());
      await notes.goto(`${urlA}/demos/notifications`);
      await notes.fill('#sign-in input[name=name]', 'ann');
      await notes.click('#sign-in button');
      await notes.waitForSelector('[data-testid=state][data-state=open]');
      await say(urlB, 'r', 'one');
      await chat.waitForFunction(() => document.querySelectorAll('.message').length === 1);

      a.child.kill('SIGKILL');
      await a.exited;
      await chat.waitForSelector('[data-testid=state][data-state=reconnecting]');
      await notes.waitForSelector('[data-testid=state][data-state=reconnecting]');
      for (const text of ['two', 'three', 'four']) await say(urlB, 'r', text);
      const push = await fetch(`${urlB}/users/ann/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          event: 'notify',
          data: { text: 'while you were away', from: 'ops', via: 'user', sentAt: Date.now() },
        }),
      });
      expect(push.status).toBe(200);

      a = await serveOn(portA, engine, cleanups);
      await chat.waitForFunction(
        () => document.querySelectorAll('.message').length === 4,
        undefined,
        {
          timeout: 10_000,
        },
      );
      expect(await chat.getAttribute('[data-testid=state]', 'data-state')).toBe('open');
      await notes.waitForSelector('[data-testid=toast]', { timeout: 10_000 });
      expect(await notes.locator('#received').innerText()).toContain('while you were away');
      await say(urlB, 'r', 'five');
      await until(async () => (await chatMessages(chat)).length === 5);
      expect(await chatMessages(chat)).toEqual(['one', 'two', 'three', 'four', 'five']);
      expect(await chat.locator('#messages').innerText()).not.toContain('could not replay');
    },
  );
});
