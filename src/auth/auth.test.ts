import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, type SseClient } from '../client/index.js';
import { startTestServer, testHubs, until } from '../test-support/server.js';
import { createJwtVerifier } from './jwt.js';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const ADMIN = 'admin-token-0123456789';
const PUBLISHER = 'publish-key-0123456789';
const now = () => Math.floor(Date.now() / 1000);

const { cleanups, hub } = testHubs();

function hs(claims: JWTPayload, alg = 'HS256', secret = SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setExpirationTime(claims.exp ?? now() + 600)
    .sign(new TextEncoder().encode(secret));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const status = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init);
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  await res.body?.cancel().catch(() => {});
  return {
    status: res.status,
    code: body?.error?.code as string | undefined,
    message: body?.error?.message as string | undefined,
  };
};
const publishAs = (base: string, headers: Record<string, string>, body: unknown) =>
  status(`${base}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function stream(url: string, headers: Record<string, string> = {}, lastEventId?: string) {
  const client = connect(url, { headers, lastEventId, reconnect: { maxRetries: 0 } });
  cleanups.push(() => client.close());
  const messages: string[] = [];
  client.on('message', (e) => messages.push(e.data));
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  return { client, messages, connected };
}

describe('JWT with a shared secret', () => {
  let base: string;
  beforeAll(async () => {
    const running = await startTestServer({ jwtSecret: SECRET, publicTopics: 'status' });
    base = running.url;
    return () => running.close();
  });

  it('admits subscriptions within the token grant only', async () => {
    const token = await hs({ sub: 'alice', ssehub: { subscribe: ['news/**'] } });
    expect((await status(`${base}/events?topic=news/eu`, { headers: bearer(token) })).status).toBe(
      200,
    );
    const outside = await status(`${base}/events?topic=sport`, { headers: bearer(token) });
    expect(outside).toMatchObject({ status: 403, code: 'forbidden' });
    // Public topics are open to token holders too.
    expect((await status(`${base}/events?topic=status`, { headers: bearer(token) })).status).toBe(
      200,
    );
  });

  it('lets anonymous callers subscribe to public topics only', async () => {
    expect((await status(`${base}/events?topic=status`)).status).toBe(200);
    const refused = await status(`${base}/events?topic=news/eu`);
    expect(refused).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('refuses alg none, wrong keys, expiry, not-before and bad claims with 401', async () => {
    const none = new UnsecuredJWT({ sub: 'x', ssehub: { subscribe: ['**'] } }).encode();
    const cases: [string, string][] = [
      [none, 'the token algorithm is not accepted'],
      [
        await hs({ sub: 'x' }, 'HS256', 'another-secret-that-is-also-32-bytes-long!'),
        'the token signature is invalid',
      ],
      [await hs({ sub: 'x', exp: now() - 60 }), 'the token has expired'],
      [await hs({ sub: 'x', nbf: now() + 600 }), 'the token is not valid yet'],
      [
        await hs({ sub: 'x', ssehub: { subscribe: 'news' } }),
        "the token's ssehub.subscribe claim must be an array of strings",
      ],
      ['not.a.jwt', 'the token is malformed'],
    ];
    for (const [token, message] of cases) {
      const res = await fetch(`${base}/events?topic=status`, { headers: bearer(token) });
      expect(res.status, message).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await res.json()).error).toEqual({ code: 'invalid_token', message });
    }
    const garbled = await status(`${base}/events?topic=status`, {
      headers: { authorization: 'Basic abc' },
    });
    expect(garbled).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('reads the token from the cookie; the query parameter only when enabled', async () => {
    const token = await hs({ sub: 'alice', ssehub: { subscribe: ['news/**'] } });
    const cookie = { cookie: `theme=dark; ssehub_token=${token}` };
    expect((await status(`${base}/events?topic=news/a`, { headers: cookie })).status).toBe(200);
    expect((await status(`${base}/events?topic=news/a&access_token=${token}`)).status).toBe(401);
    const withQuery = await hub({ jwtSecret: SECRET, queryToken: true });
    expect(
      (await status(`${withQuery.url}/events?topic=news/a&access_token=${token}`)).status,
    ).toBe(200);
  });

  it('publishing needs a token grant or the API key; admin routes need the admin token', async () => {
    const running = await hub({ jwtSecret: SECRET, adminToken: ADMIN, publishKey: PUBLISHER });
    const u = running.url;
    const writer = await hs({ sub: 'w', ssehub: { publish: ['news/**'] } });
    expect((await publishAs(u, {}, { topic: 'news/a', data: 1 })).status).toBe(401);
    expect((await publishAs(u, bearer(writer), { topic: 'news/a', data: 1 })).status).toBe(200);
    expect((await publishAs(u, bearer(writer), { topic: 'sport', data: 1 })).status).toBe(403);
    expect((await publishAs(u, bearer(writer), { broadcast: true, data: 1 })).status).toBe(403);
    expect((await publishAs(u, bearer(PUBLISHER), { broadcast: true, data: 1 })).status).toBe(200);
    expect((await publishAs(u, bearer(PUBLISHER), { topic: 'any/thing', data: 1 })).status).toBe(
      200,
    );
    expect((await status(`${u}/clients`)).status).toBe(401);
    expect((await status(`${u}/clients`, { headers: bearer(writer) })).status).toBe(403);
    expect((await status(`${u}/clients`, { headers: bearer(PUBLISHER) })).status).toBe(403);
    expect((await status(`${u}/clients`, { headers: bearer(ADMIN) })).status).toBe(200);
    expect((await status(`${u}/topics`, { headers: bearer(ADMIN) })).status).toBe(200);
    expect((await status(`${u}/healthz`)).status).toBe(200);
  });
});

describe('JWT options', () => {
  it('accepts HS256, HS384 and HS512', async () => {
    const running = await hub({ jwtSecret: SECRET });
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const token = await hs({ sub: 'a', ssehub: { subscribe: ['t'] } }, alg);
      expect(
        (await status(`${running.url}/events?topic=t`, { headers: bearer(token) })).status,
        alg,
      ).toBe(200);
    }
  });

  it('refuses a wrong audience or issuer when they are configured', async () => {
    const running = await hub({
      jwtSecret: SECRET,
      jwtAudience: 'hub',
      jwtIssuer: 'https://id.example',
    });
    const grant = { ssehub: { subscribe: ['t'] } };
    const right = await hs({ ...grant, aud: 'hub', iss: 'https://id.example' });
    const wrongAud = await hs({ ...grant, aud: 'other', iss: 'https://id.example' });
    const wrongIss = await hs({ ...grant, aud: 'hub', iss: 'https://evil.example' });
    const missing = await hs(grant);
    const at = (token: string) =>
      status(`${running.url}/events?topic=t`, { headers: bearer(token) });
    expect((await at(right)).status).toBe(200);
    expect(await at(wrongAud)).toMatchObject({
      status: 401,
      message: 'the token\'s "aud" claim is not accepted',
    });
    expect(await at(wrongIss)).toMatchObject({
      status: 401,
      message: 'the token\'s "iss" claim is not accepted',
    });
    expect((await at(missing)).status).toBe(401);
  });
});

describe('JWT with public keys', () => {
  it('verifies RS256, PS256, ES256 and EdDSA tokens against a PEM key', async () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) {
      const { publicKey, privateKey } = await generateKeyPair(alg);
      const running = await hub({ jwtPublicKey: await exportSPKI(publicKey) });
      const token = await new SignJWT({ sub: 'a', ssehub: { subscribe: ['t'] } })
        .setProtectedHeader({ alg })
        .setExpirationTime('10m')
        .sign(privateKey);
      expect(
        (await status(`${running.url}/events?topic=t`, { headers: bearer(token) })).status,
        alg,
      ).toBe(200);
      const other = await generateKeyPair(alg);
      const forged = await new SignJWT({ sub: 'a', ssehub: { subscribe: ['t'] } })
        .setProtectedHeader({ alg })
        .setExpirationTime('10m')
        .sign(other.privateKey);
      expect(
        (await status(`${running.url}/events?topic=t`, { headers: bearer(forged) })).status,
        alg,
      ).toBe(401);
    }
  });

  it('accepts ES256 tokens for a PEM key, and refuses an HS token keyed with that PEM', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const pem = await exportSPKI(publicKey);
    const running = await hub({ jwtPublicKey: pem });
    const good = await new SignJWT({ sub: 'a', ssehub: { subscribe: ['t'] } })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime('10m')
      .sign(privateKey);
    expect((await status(`${running.url}/events?topic=t`, { headers: bearer(good) })).status).toBe(
      200,
    );
    const confused = await hs({ sub: 'a', ssehub: { subscribe: ['t'] } }, 'HS256', pem);
    const refused = await status(`${running.url}/events?topic=t`, { headers: bearer(confused) });
    expect(refused).toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
  });

  it('fetches keys from a JWKS URL, caches them, and picks up a rotated key', async () => {
    const first = await generateKeyPair('EdDSA');
    const second = await generateKeyPair('ES256');
    const keys = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'EdDSA' }];
    let fetches = 0;
    const jwks: Server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => jwks.close(resolve)));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    const sign = (key: CryptoKey, alg: string, kid: string) =>
      new SignJWT({ sub: 'a', ssehub: { subscribe: ['t'] } })
        .setProtectedHeader({ alg, kid })
        .setExpirationTime('10m')
        .sign(key);
    const one = await sign(first.privateKey, 'EdDSA', 'k1');

    const running = await hub({ jwksUrl: url });
    expect((await status(`${running.url}/events?topic=t`, { headers: bearer(one) })).status).toBe(
      200,
    );
    expect((await status(`${running.url}/events?topic=t`, { headers: bearer(one) })).status).toBe(
      200,
    );
    expect(fetches).toBe(1);

    // Rotation, with a short cooldown so the test need not wait the default 10 s.
    const verify = createJwtVerifier({ jwksUrl: url, jwksCooldownMs: 200 });
    expect((await verify(one)).subject).toBe('a');
    keys.push({ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'ES256' });
    const two = await sign(second.privateKey, 'ES256', 'k2');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await verify(two)).toMatchObject({ subject: 'a', subscribe: ['t'] });
  });
});

describe('private events, pushes to a user, expiry', () => {
  it('delivers private events only to grants that cover them, live and on resume', async () => {
    const running = await hub({
      jwtSecret: SECRET,
      publicTopics: 'news/**',
      publishKey: PUBLISHER,
    });
    const u = running.url;
    const reader = await hs({ sub: 'r', ssehub: { subscribe: ['news/eu/**'] } });
    const anon = stream(`${u}/events?topic=news/**`);
    const member = stream(`${u}/events?topic=news/**`, bearer(reader));
    await Promise.all([anon.connected, member.connected]);
    const send = (topic: string, data: string, isPrivate = false) =>
      publishAs(u, bearer(PUBLISHER), { topic, data, private: isPrivate });
    await send('news/eu/a', 'public');
    await send('news/eu/a', 'members only', true);
    await send('news/us/a', 'not my region', true);
    await send('news/eu/b', 'last');
    await until(() => anon.messages.length === 2 && member.messages.length === 3);
    expect(anon.messages).toEqual(['public', 'last']);
    expect(member.messages).toEqual(['public', 'members only', 'last']);

    // Resuming from before all four: the replay applies the same rule.
    const firstId = (await fetch(`${u}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(PUBLISHER) },
      body: JSON.stringify({ topic: 'other', data: 'marker' }),
    }).then((r) => r.json())) as { id: string };
    const seq = Number(firstId.id.split('-')[1]);
    const before = `${firstId.id.split('-')[0]}-${seq - 5}`;
    const anonAgain = stream(`${u}/events?topic=news/**`, {}, before);
    const memberAgain = stream(`${u}/events?topic=news/**`, bearer(reader), before);
    await until(() => anonAgain.messages.length === 2 && memberAgain.messages.length === 3);
    expect(anonAgain.messages).toEqual(['public', 'last']);
    expect(memberAgain.messages).toEqual(['public', 'members only', 'last']);
    expect(
      (await publishAs(u, bearer(PUBLISHER), { broadcast: true, private: true, data: 1 })).status,
    ).toBe(400);
  });

  it('POST /users/{sub}/events reaches every connection of that user and no one else', async () => {
    const running = await hub({ jwtSecret: SECRET, publishKey: PUBLISHER });
    const u = running.url;
    const token = (sub: string) => hs({ sub, ssehub: { subscribe: [`user/${sub}`] } });
    const alice1 = stream(`${u}/events`, bearer(await token('alice')));
    const alice2 = stream(`${u}/events`, bearer(await token('alice')));
    const bob = stream(`${u}/events`, bearer(await token('bob')));
    await Promise.all([alice1.connected, alice2.connected, bob.connected]);
    const push = (headers: Record<string, string>) =>
      status(`${u}/users/alice/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ data: 'for alice' }),
      });
    expect((await push(bearer(await token('bob')))).status).toBe(403);
    expect((await push(bearer(PUBLISHER))).status).toBe(200);
    await until(() => alice1.messages.length === 1 && alice2.messages.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bob.messages).toEqual([]);
  });

  it('closes a stream when its token expires', async () => {
    const running = await hub({ jwtSecret: SECRET });
    const token = await hs({ sub: 'a', exp: now() + 2, ssehub: { subscribe: ['t'] } });
    const s = stream(`${running.url}/events?topic=t`, bearer(token));
    await s.connected;
    const opened = Date.now();
    await until(() => running.hub.stats().connections === 0, 5000);
    expect(Date.now() - opened).toBeGreaterThan(500);
    expect(s.client satisfies SseClient<Record<string, string>>).toBeDefined();
  });
});
