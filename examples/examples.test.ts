import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/client/index.js';
import { listen, until } from '../src/test-support/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts an example the way its header says (`npm run example …`), on a free port. */
async function start(name: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=ssehub-source', '--import', 'tsx', `examples/${name}/server.ts`],
    { cwd: root, env: { ...process.env, PORT: '0' } },
  );
  children.push(child);
  const out = { text: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.text += chunk));
  await until(() => out.text.includes('listening on'), 15_000);
  const url = /listening on (http:\/\/[^\s]+)/.exec(out.text)![1]!;
  return { url, out };
}

describe('examples', () => {
  for (const [name, sse] of [
    ['node-http', ''],
    ['express', '/sse'],
    ['fastify', '/sse'],
    ['hono', '/sse'],
  ] as const) {
    it(`${name}: serves live ticks through the mounted hub`, async () => {
      const { url } = await start(name);
      const l = listen(`${url}${sse}/events?topic=ticks`);
      try {
        await l.until(() => l.messages().length >= 1, 5000);
        expect(JSON.parse(l.messages()[0]!)).toHaveProperty('at');
      } finally {
        l.close();
      }
    });
  }

  it('express: the authorize hook keeps anonymous callers to what it grants', async () => {
    const { url } = await start('express');
    const denied = await fetch(`${url}/sse/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'ticks', data: 'forged' }),
    });
    expect(denied.status).toBe(403);
    const own = await fetch(`${url}/sse/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'ann' },
      body: JSON.stringify({ topic: 'user/ann', data: 'note to self' }),
    });
    expect(own.status).toBe(200);
  });

  it('hono: a request-scoped Web Response counts down, then says done', async () => {
    const { url } = await start('hono');
    const client = connect<{ count: { n: number }; done: string }>(`${url}/countdown`, {
      json: ['count'],
    });
    const counts: number[] = [];
    for await (const event of client) {
      if (event.type === 'count') counts.push(event.data.n);
      if (event.type === 'done') break;
    }
    expect(counts).toEqual([5, 4, 3, 2, 1]);
  });

  it('ai-chat: streams an answer, and cancelling stops the model', async () => {
    const { url, out } = await start('ai-chat');
    expect(await (await fetch(`${url}/`)).text()).toContain('<title>ssehub · AI chat</title>');
    expect((await fetch(`${url}/client.js`)).headers.get('content-type')).toBe('text/javascript');
    const ask = (prompt: string) =>
      connect<{ token: string; done: string }>(`${url}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
        reconnect: { maxRetries: 0 },
      });

    let answer = '';
    for await (const event of ask('hi')) {
      if (event.type === 'token') answer += event.data;
      if (event.type === 'done') break;
    }
    expect(answer).toMatch(/^You asked: "hi"\. Server-Sent Events/);
    await until(() => /generation ended after \d+ tokens\n/.test(out.text));

    let tokens = 0;
    for await (const event of ask('stop me')) {
      if (event.type === 'token' && ++tokens === 3) break; // leaving the loop closes
    }
    await until(() => out.text.includes('(cancelled)'), 3000);
    const stoppedAt = Number(/after (\d+) tokens \(cancelled\)/.exec(out.text)![1]);
    expect(stoppedAt).toBeLessThan(10);

    const bad = await fetch(`${url}/chat`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
  });
});
