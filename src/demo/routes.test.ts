import { describe, expect, it } from 'vitest';
import { connect } from '../client/index.js';
import { testHubs, until } from '../test-support/server.js';

const { cleanups, hub } = testHubs();
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('demo routes', () => {
  it('are on by default without auth, off with auth, and follow --demos either way', async () => {
    const open = await hub({ demos: undefined });
    expect((await fetch(`${open.url}/`)).status).toBe(200);
    const secured = await hub({ demos: undefined, adminToken: 'a'.repeat(16) });
    expect((await fetch(`${secured.url}/`)).status).toBe(404);
    const asked = await hub({ demos: true, adminToken: 'a'.repeat(16) });
    expect((await fetch(`${asked.url}/demos/chat`)).status).toBe(200);
    // With auth configured, who someone is comes from the hub's own tokens.
    const signIn = await post(`${asked.url}/demos/sign-in`, { name: 'ann' });
    expect(signIn.status).toBe(409);
    expect((await signIn.json()).error.code).toBe('auth_configured');
  });

  it('serve pages with a CSP and only files from the allowlist', async () => {
    const s = await hub({ demos: true });
    const page = await fetch(`${s.url}/demos/chat`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${s.url}/demos/chat.js`)).headers.get('content-type')).toContain(
      'text/javascript',
    );
    expect((await fetch(`${s.url}/demos/client/index.js`)).status).toBe(200);
    for (const path of ['/demos/../package.json', '/demos/%2e%2e%2fpackage.json', '/demos/x.ts']) {
      expect((await fetch(`${s.url}${path}`)).status, path).toBe(404);
    }
    // The API is still there beside them.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('sign-in names the caller for pushes to one user; a bad name or token is refused', async () => {
    const s = await hub({ demos: true });
    const res = await post(`${s.url}/demos/sign-in`, { name: '  Ann Lee ' });
    const { name, token } = (await res.json()) as { name: string; token: string };
    expect(name).toBe('Ann Lee');
    for (const bad of ['', 'a/b', 'x'.repeat(33), 42]) {
      const refused = await post(`${s.url}/demos/sign-in`, { name: bad });
      expect(refused.status, String(bad)).toBe(400);
      expect((await refused.json()).error.code).toBe('invalid_name');
    }
    const stream = connect(`${s.url}/events?topic=notifications`, {
      headers: { authorization: `Bearer ${token}` },
    });
    cleanups.push(() => stream.close());
    const got: string[] = [];
    stream.on('message', (e) => got.push(e.data));
    await until(() => s.hub.clients().length === 1);
    expect(s.hub.clients()[0]!.subject).toBe('Ann Lee');
    expect((await post(`${s.url}/users/Ann%20Lee/events`, { data: 'for Ann' })).status).toBe(200);
    await until(() => got.length === 1);
    const forged = await fetch(`${s.url}/events?topic=t`, {
      headers: { accept: 'text/event-stream', authorization: 'Bearer demo.%%%' },
    });
    expect(forged.status).toBe(401);
  });

  it('the AI stream refuses a bad prompt, streams tokens, and a client leaving stops the model', async () => {
    const s = await hub({ demos: true });
    for (const prompt of ['', '   ', 'x'.repeat(501), 7]) {
      const refused = await post(`${s.url}/demos/ai`, { prompt });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.code).toBe('invalid_prompt');
    }
    expect((await post(`${s.url}/demos/ai`, 'not json', {})).status).toBe(400);

    const tokens: string[] = [];
    const answer = connect<{ token: string; done: string }>(`${s.url}/demos/ai`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'scale with redis?' }),
      reconnect: { maxRetries: 0 },
    });
    cleanups.push(() => answer.close());
    answer.on('token', (e) => tokens.push(e.data));
    await until(() => tokens.length === 3);
    answer.close();
    const stats = async () =>
      (await (await fetch(`${s.url}/demos/ai/stats`)).json()) as Record<string, number>;
    await until(async () => (await stats()).cancelled === 1);
    expect(await stats()).toMatchObject({ started: 1, active: 0, completed: 0 });
    expect(tokens.join('')).toBe(`You asked: "scale `);
  });
});
