import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { screenshot } from '../test-support/screenshots.js';
import { publish, startTestServer, until } from '../test-support/server.js';

const text = (page: Page, testid: string) =>
  page.locator(`[data-testid=${testid}]`).first().innerText();
const state = (page: Page) => page.locator('[data-testid=state]').getAttribute('data-state');
const waitForState = (page: Page, wanted: string) =>
  page.waitForSelector(`[data-testid=state][data-state=${wanted}]`);

describe.skipIf(!browserAvailable())('the demo apps, in Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({ demos: true, retry: 200 });
  });
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });
  const open = async (path: string) => {
    context ??= await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server.url}${path}`);
    return Object.assign(page, { errors });
  };
  const newContext = async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  };

  it('the index links every demo, and each one loads without a script error', async () => {
    await newContext();
    const page = await open('/');
    const links = await page
      .locator('nav.demos a')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
    expect(links).toEqual([
      '/demos/chat',
      '/demos/dashboard',
      '/demos/logs',
      '/demos/ai',
      '/demos/notifications',
      '/demos/playground',
      '/admin',
    ]);
    expect(await screenshot(page, 'index')).toBeGreaterThan(20);
    for (const path of links.slice(0, -1)) {
      const demo = await open(path);
      await demo.waitForLoadState('networkidle');
      expect(demo.errors, path).toEqual([]);
      await demo.close();
    }
  });

  it('chat: two tabs see each other, with names, presence and custom event types', async () => {
    await newContext();
    const ann = await open('/demos/chat?room=e2e&name=Ann');
    const bob = await open('/demos/chat?room=e2e&name=Bob');
    await Promise.all([waitForState(ann, 'open'), waitForState(bob, 'open')]);
    await ann.waitForFunction(() => document.querySelectorAll('#members li').length === 2);
    expect(await text(ann, 'members')).toBe('Ann\nBob');

    await ann.fill('input[name=text]', 'hello from Ann');
    await ann.press('input[name=text]', 'Enter');
    await bob.fill('input[name=text]', 'hi Ann, Bob here');
    await bob.click('#say button');
    for (const page of [ann, bob]) {
      await page.waitForFunction(() => document.querySelectorAll('.message').length === 2);
      const messages = await page
        .locator('[data-testid=message]')
        .evaluateAll((nodes) =>
          nodes.map((n) => [n.querySelector('.who')?.textContent, n.childNodes[1]?.textContent]),
        );
      expect(messages).toEqual([
        ['Ann', 'hello from Ann'],
        ['Bob', 'hi Ann, Bob here'],
      ]);
    }
    // A tab's own messages are told apart from the other's, though the page is the same.
    expect(await ann.locator('.message.mine').count()).toBe(1);
    // The messages went through the HTTP API as `event: chat` on the room's topic.
    expect(server.hub.topics()).toContainEqual({ topic: 'chat/e2e', subscribers: 2 });
    await ann.fill('input[name=text]', 'see you');
    await ann.press('input[name=text]', 'Enter');
    await bob.waitForFunction(() => document.querySelectorAll('.message').length === 3);
    expect(await screenshot(bob, 'chat')).toBeGreaterThan(20);

    await bob.close();
    await ann.waitForFunction(() =>
      document.querySelector('#messages')?.textContent?.includes('Bob left'),
    );
    expect(await text(ann, 'members')).toBe('Ann');
  });

  it('dashboard: numbers and charts move with the hub it watches', async () => {
    await newContext();
    const page = await open('/demos/dashboard');
    await waitForState(page, 'open');
    await page.waitForFunction(() => document.querySelector('#connections')?.textContent !== '–');
    expect(Number(await page.locator('#connections').innerText())).toBeGreaterThanOrEqual(1);
    await page.click('#burst');
    // The burst's 500 publishes show up in the next samples.
    await page.waitForFunction(
      () => Number(document.querySelector('#publishes')?.textContent?.replace(/,/g, '')) > 0,
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForFunction(
      () => !(document.querySelector('#burst') as HTMLButtonElement).disabled,
    );
    expect(await page.locator('.uplot').count()).toBe(2);
    expect(await text(page, 'updated')).toMatch(/^last sample/);
    if (process.env.SSEHUB_SCREENSHOTS === '1') await page.waitForTimeout(8000); // a fuller chart
    expect(await screenshot(page, 'dashboard')).toBeGreaterThan(20);
  });

  it('AI answer: streams token by token; stop cancels the generator on the server', async () => {
    await newContext();
    const page = await open('/demos/ai');
    await page.fill('textarea[name=prompt]', 'How does Redis scale this?');
    await page.click('#send');
    await page.waitForFunction(
      () => (document.querySelector('#answer')?.textContent ?? '').split(' ').length > 8,
    );
    await page.click('#stop');
    const stoppedAt = await text(page, 'answer');
    expect(stoppedAt).toMatch(/^You asked: "How does Redis scale this\?"\. /);
    await page.waitForFunction(() =>
      document.querySelector('#server')?.textContent?.includes('1 stopped early'),
    );
    expect(await text(page, 'server')).toContain('0 generating now');
    await new Promise((r) => setTimeout(r, 300));
    expect(await text(page, 'answer')).toBe(stoppedAt);
    expect(await text(page, 'meta')).toBe('stopped');

    await page.fill('textarea[name=prompt]', 'Why SSE?');
    await page.click('#send');
    await page.waitForFunction(
      () => document.querySelector('#meta')?.textContent?.startsWith('done'),
      undefined,
      {
        timeout: 15_000,
      },
    );
    expect(await text(page, 'answer')).toMatch(/a stop button only has to close the request/);
    expect(await state(page)).toBe('closed');
    await page.waitForFunction(() =>
      document.querySelector('#server')?.textContent?.includes('1 answers finished'),
    );
    expect(await screenshot(page, 'ai')).toBeGreaterThan(20);
  });

  it('notifications: to one user reaches all their tabs, to one client only that tab', async () => {
    await newContext();
    const signIn = async (name: string) => {
      const page = await open('/demos/notifications');
      await page.fill('#sign-in input[name=name]', name);
      await page.click('#sign-in button');
      await waitForState(page, 'open');
      await page.waitForFunction(() =>
        document.querySelector('#who')?.textContent?.includes('client'),
      );
      return page;
    };
    const annTab1 = await signIn('ann');
    const annTab2 = await signIn('ann');
    const bob = await signIn('bob');
    const received = (page: Page) => page.locator('#received li').allInnerTexts();

    await bob.selectOption('select[name=to]', 'user');
    await bob.fill('input[name=target]', 'ann');
    await bob.fill('#send input[name=text]', 'lunch?');
    await bob.click('#send button');
    for (const page of [annTab1, annTab2]) {
      await page.waitForSelector('[data-testid=toast]');
      expect(await received(page)).toEqual([expect.stringMatching(/bob \(to ann\): lunch\?$/)]);
    }

    const tab1Id = /client (\S+)\.$/.exec(await text(annTab1, 'who'))![1]!;
    await bob.selectOption('select[name=to]', 'client');
    await bob.fill('input[name=target]', tab1Id);
    await bob.fill('#send input[name=text]', 'only tab one');
    await bob.click('#send button');
    await annTab1.waitForFunction(() => document.querySelectorAll('#received li').length === 2);

    await bob.selectOption('select[name=to]', 'everyone');
    await bob.fill('#send input[name=text]', 'deploy at 5');
    await bob.click('#send button');
    for (const page of [annTab1, annTab2, bob]) {
      await page.waitForFunction(() =>
        document.querySelector('#received')?.textContent?.includes('deploy at 5'),
      );
    }
    expect((await received(annTab2)).join('\n')).not.toContain('only tab one');
    expect((await received(bob)).join('\n')).not.toContain('lunch?');
    expect(await screenshot(annTab1, 'notifications')).toBeGreaterThan(20);

    // Bad input gets the hub's own message, not a silent nothing.
    await bob.selectOption('select[name=to]', 'client');
    await bob.fill('input[name=target]', 'no-such-client');
    await bob.fill('#send input[name=text]', 'anyone?');
    await bob.click('#send button');
    await bob.waitForSelector('#send-error:not([hidden])');
    expect(await text(bob, 'received')).not.toContain('anyone?');
  });

  it('log tail: pause, lines arrive meanwhile, resume replays each of them once, in order', async () => {
    await newContext();
    const page = await open('/demos/logs?topic=e2e-logs');
    await waitForState(page, 'open');
    const lines = async () =>
      (await page.locator('[data-testid=line]').allInnerTexts()).filter((l) =>
        l.startsWith('line'),
      );
    for (let i = 1; i <= 3; i++)
      await publish(server.url, { topic: 'e2e-logs', data: `line ${i}` });
    await until(async () => (await lines()).length === 3);
    await page.click('#pause');
    expect(await state(page)).toBe('closed');
    await until(() => !server.hub.topics().some((t) => t.topic === 'e2e-logs'));
    for (let i = 4; i <= 8; i++)
      await publish(server.url, { topic: 'e2e-logs', data: `line ${i}` });
    await page.waitForTimeout(200);
    expect(await lines()).toHaveLength(3);
    await page.click('#pause'); // resume
    await waitForState(page, 'open');
    await publish(server.url, { topic: 'e2e-logs', data: 'line 9' });
    await until(async () => (await lines()).length === 9);
    expect(await lines()).toEqual(Array.from({ length: 9 }, (_, i) => `line ${i + 1}`));
    expect(await text(page, 'log')).toMatch(/— paused at .* —\n— resumed from event \S+ —/);
    expect(await screenshot(page, 'logs')).toBeGreaterThan(20);
  });

  it('playground: subscribe, publish from the form with a custom type, see what arrives', async () => {
    await newContext();
    const page = await open('/demos/playground');
    await waitForState(page, 'open');
    await page.fill('input[name=data]', 'from the form');
    await page.fill('input[name=event]', 'price');
    await page.click('#publish button');
    await page.waitForFunction(() =>
      document.querySelector('#events')?.textContent?.includes('price #'),
    );
    await publish(server.url, { topic: 'demo', data: 'from outside' });
    await page.waitForFunction(() =>
      document.querySelector('#events')?.textContent?.includes('from outside'),
    );
    expect(await text(page, 'events')).toMatch(
      /message #\S+ from outside\nprice #\S+ from the form/,
    );
  });
});
