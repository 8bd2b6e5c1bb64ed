import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'ssehub-')), 'config.json');
  writeFileSync(path, content);
  return path;
};

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig()).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      heartbeat: 15,
      retry: 3000,
    });
  });

  it('layers file < env < flags, with PORT and HOST as env twins', () => {
    const path = file(JSON.stringify({ historySize: 10, port: 1 }));
    const env = {
      SSEHUB_HISTORY_SIZE: '20',
      PORT: '2',
      HOST: '0.0.0.0',
      SSEHUB_ADMIN_TOKEN: 'a-long-admin-token',
    };
    expect(loadConfig({ file: path, env })).toMatchObject({
      historySize: 20,
      port: 2,
      host: '0.0.0.0',
    });
    expect(loadConfig({ file: path, env, flags: { historySize: '30' } }).historySize).toBe(30);
    expect(loadConfig({ env: { SSEHUB_PORT: '3', PORT: '2' } }).port).toBe(3);
  });

  it('reads booleans from env text', () => {
    expect(loadConfig({ env: { SSEHUB_CONNECTED_EVENT: 'false' } }).connectedEvent).toBe(false);
  });

  it('names the key, its flag and env names, and where a bad value came from', () => {
    expect(() => loadConfig({ env: { SSEHUB_HISTORY_SIZE: 'lots' } })).toThrow(
      /historySize \(--history-size, SSEHUB_HISTORY_SIZE\).*"lots" from env SSEHUB_HISTORY_SIZE/,
    );
    expect(() => loadConfig({ flags: { port: '70000' } })).toThrow(/port .*from flag --port/);
    expect(() => loadConfig({ env: { SSEHUB_CONNECTED_EVENT: 'maybe' } })).toThrow(ConfigError);
    expect(() => loadConfig({ flags: { logLevel: 'loud' } })).toThrow(/logLevel/);
  });

  it('refuses unknown keys and unreadable files, and a TLS cert without a key', () => {
    expect(() => loadConfig({ file: file('{"histroySize": 1}') })).toThrow(
      /unknown key "histroySize"/,
    );
    expect(() => loadConfig({ file: file('{oops') })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ file: '/no/such/file.json' })).toThrow(ConfigError);
    expect(() => loadConfig({ flags: { tlsCert: 'c.pem' } })).toThrow(/go together/);
    expect(() => loadConfig({ flags: { maxQueueBytes: '4096', maxEventBytes: '8192' } })).toThrow(
      /maxEventBytes .* must not exceed maxQueueBytes/,
    );
  });

  it('refuses to listen beyond loopback with no auth, unless told --insecure', () => {
    expect(() => loadConfig({ flags: { host: '0.0.0.0' } })).toThrow(
      /refusing to listen on 0\.0\.0\.0 with no auth configured/,
    );
    expect(loadConfig({ flags: { host: '0.0.0.0', insecure: true } }).host).toBe('0.0.0.0');
    expect(loadConfig({ flags: { host: '::', jwtSecret: 'x'.repeat(32) } }).host).toBe('::');
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      expect(loadConfig({ flags: { host } }).host).toBe(host);
    }
  });

  it('checks credentials and lists', () => {
    expect(() => loadConfig({ flags: { jwtSecret: 'short' } })).toThrow(
      /jwtSecret \(--jwt-secret, SSEHUB_JWT_SECRET\): must be at least 32 characters/,
    );
    expect(() => loadConfig({ env: { SSEHUB_JWKS_URL: 'not a url' } })).toThrow(/jwksUrl/);
    const config = loadConfig({ env: { SSEHUB_PUBLIC_TOPICS: 'news/**, status ,' } });
    expect(config.publicTopics).toEqual(['news/**', 'status']);
  });
});
