import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../test-support/browser.js';
import { bundleClient } from '../test-support/client-bundle.js';
import { testHubs, until } from '../test-support/server.js';

const { cleanups, hub } = testHubs();

const preflight = (url: string, origin: string, headers = 'authorization, content-type') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': headers,
    },
  });

describe('CORS', () => {
  it('answers preflights for listed origins, echoing the origin with credentials', async () => {
    const running = await hub({ corsOrigins: 'https://app.example.com,https://*.example.org' });
    for (const origin of ['https://app.example.com', 'https://a.b.example.org']) {
      const res = await preflight(
        `${running.url}/publish`,
        origin,
        'Authorization, Content-Type, X-Evil',
      );
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      expect(res.headers.get('vary')).toContain('Origin');
    }
  });

  it('gives off-list origins no CORS headers at all', async () => {
    const running = await hub({ corsOrigins: 'https://*.example.org' });
    for (const origin of [
      'https://example.org', // the apex is not a subdomain
      'http://a.example.org', // wrong scheme
      'https://evil-example.org',
      'https://example.org.evil.com',
      'null',
    ]) {
      const res = await preflight(`${running.url}/publish`, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
      const get = await fetch(`${running.url}/healthz`, { headers: { origin } });
      expect(get.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('sets the headers on event streams and errors too, and "*" never comes with credentials', async () => {
    const running = await hub({ corsOrigins: 'https://app.example.com' });
    const stream = await fetch(`${running.url}/events?topic=t`, {
      headers: { origin: 'https://app.example.com' },
    });
    expect(stream.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(stream.headers.get('access-control-expose-headers')).toContain('retry-after');
    await stream.body?.cancel();
    const error = await fetch(`${running.url}/events`, {
      headers: { origin: 'https://app.example.com' },
    });
    expect(error.status).toBe(400);
    expect(error.headers.get('access-control-allow-origin')).toBe('https://app.example.com');

    const open = await hub({ corsOrigins: '*' });
    const res = await fetch(`${open.url}/healthz`, { headers: { origin: 'https://anyone.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe.skipIf(!browserAvailable())('CORS in Chromium', () => {
  let browser: Browser;
  let page: Server;
  let pageUrl: string;
  beforeAll(async () => {
    const bundle = await bundleClient('iife');
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>app</title><script>${bundle.code}</script>`);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    // "localhost" and "127.0.0.1" are different origins: the page is cross-origin to the hub.
    pageUrl = `http://localhost:${(page.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('a listed origin publishes with a token and streams with headers; an unlisted one cannot', async () => {
    const running = await hub({ corsOrigins: pageUrl, adminToken: 'admin-token-0123456789' });
    const tab = await browser.newPage();
    cleanups.push(() => tab.close());
    await tab.goto(pageUrl);
    const result = await tab.evaluate(async (hubUrl) => {
      const headers = { authorization: 'Bearer admin-token-0123456789' };
      const got: string[] = [];
      const client = window.ssehubClient.connect(`${hubUrl}/events?topic=t`, {
        headers,
        lastEventId: 'ffffffffff-1', // sent as Last-Event-ID: needs the preflight to allow it
        credentials: 'include',
      });
      client.on('message', (e) => got.push(e.data));
      await new Promise<void>((resolve) => client.on('connected', () => resolve()));
      const res = await fetch(`${hubUrl}/publish`, {
        method: 'POST',
        credentials: 'include',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 't', data: 'cross-origin' }),
      });
      while (got.length === 0) await new Promise((r) => setTimeout(r, 10));
      client.close();
      return { status: res.status, got };
    }, running.url);
    expect(result).toEqual({ status: 200, got: ['cross-origin'] });

    const other = await hub({
      corsOrigins: 'https://elsewhere.example',
      adminToken: 'admin-token-0123456789',
    });
    const blocked = await tab.evaluate(async (hubUrl) => {
      try {
        await fetch(`${hubUrl}/publish`, {
          method: 'POST',
          headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
          body: '{}',
        });
        return 'allowed';
      } catch (error) {
        return (error as Error).name;
      }
    }, other.url);
    expect(blocked).toBe('TypeError');
    await until(() => running.hub.stats().connections === 0);
  });
});
