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
    const env = { SSEHUB_HISTORY_SIZE: '20', PORT: '2', HOST: '0.0.0.0' };
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
});
