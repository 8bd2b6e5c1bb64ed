import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { listen, startTestServer, until } from '../test-support/server.js';
import type { RunningServer } from './index.js';

const ADMIN = 'admin-token-0123456789';

describe.skipIf(!browserAvailable())('the /admin page in Chromium', () => {
  let browser: Browser;
  let running: RunningServer;
  beforeAll(async () => {
    [browser, running] = await Promise.all([
      launchChromium(),
      startTestServer({
        adminToken: ADMIN,
        publicTopics: 'orders/**,news',
        presenceTopics: 'news',
      }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('signs in, shows live numbers, charts and events, and disconnects a client', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${running.url}/admin`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', ADMIN);
    await page.click('#login button');
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'live');

    const subscribers = [
      listen(`${running.url}/events?topic=orders/**`),
      listen(`${running.url}/events?topic=news`),
      listen(`${running.url}/events?topic=news`),
    ];
    try {
      await until(() => running.hub.stats().connections === 3);
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${running.url}/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
          body: JSON.stringify({ topic: i % 2 ? 'news' : `orders/${i}`, data: { order: i } }),
        });
        expect(res.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await page.waitForFunction(() => document.getElementById('connections')?.textContent === '3');
      await page.waitForFunction(
        () =>
          ((document.getElementById('recent') as HTMLTableSectionElement | null)?.rows.length ??
            0) >= 2,
      );
      await page.waitForFunction(
        () =>
          (document.getElementById('clients') as HTMLTableSectionElement | null)?.rows.length === 3,
      );
      // The charts have points once a few stats have arrived.
      await page.waitForFunction(() => document.querySelectorAll('.uplot canvas').length === 2);
      const recent = await page.textContent('#recent');
      expect(recent).toContain('news');

      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(20_000);
      const dir = process.env.SSEHUB_SCREENSHOTS ?? join(tmpdir(), 'ssehub-screenshots');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'admin.png'), shot);

      await page.click('#clients button.danger');
      await until(() => running.hub.stats().connections === 2);
      expect(errors).toEqual([]);
    } finally {
      for (const s of subscribers) s.close();
    }
  });

  it('without the token it shows nothing but the sign-in', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/admin`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#connections')).toBe('–');
    const stream = await fetch(`${running.url}/admin/stream`);
    expect(stream.status).toBe(401);
  });
});
