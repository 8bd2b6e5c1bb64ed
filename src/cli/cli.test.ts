import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server/index.js';
import { listen, publish, startTestServer, until } from '../test-support/server.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function ssehub(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { ...process.env, ...env },
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out.stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

let server: RunningServer | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await server?.close();
  server = undefined;
});

describe('ssehub CLI', () => {
  it('prints help and exits 0; exits 2 on bad flags or config, naming the key', async () => {
    const help = ssehub(['serve', '--help']);
    expect(await help.exited).toBe(0);
    expect(help.out.stdout).toContain('--history-size <n>');
    const bad = ssehub(['serve', '--port', '0'], { SSEHUB_HEARTBEAT: 'often' });
    expect(await bad.exited).toBe(2);
    expect(bad.out.stderr).toContain('heartbeat (--heartbeat, SSEHUB_HEARTBEAT)');
    expect(await ssehub(['serve', '--no-such-flag']).exited).toBe(2);
  });

  it('refuses to listen beyond loopback without auth, and warns when open on loopback', async () => {
    const refused = ssehub(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(await refused.exited).toBe(2);
    expect(refused.out.stderr).toContain('refusing to listen on 0.0.0.0 with no auth configured');
    const open = ssehub(['serve', '--port', '0', '--log-level', 'warn']);
    await until(() => open.out.stdout.includes('no auth configured'), 10_000);
  });

  it('says plainly when the port is taken, and exits 2', async () => {
    server = await startTestServer();
    const taken = ssehub(['serve', '--port', String(server.port)]);
    expect(await taken.exited).toBe(2);
    expect(taken.out.stderr).toMatch(/^ssehub: cannot listen: .*EADDRINUSE/);
    expect(taken.out.stderr).not.toContain('    at ');
  });

  it('serve listens where told and shuts down on SIGTERM within its bound', async () => {
    const run = ssehub(['serve', '--port', '0', '--log-level', 'info', '--shutdown-grace', '200']);
    await until(() => run.out.stdout.includes('listening'), 10_000);
    const url = /"url":"([^"]+)"/.exec(run.out.stdout)![1]!;
    const l = listen(`${url}/events?topic=t`);
    await until(() => l.events.length === 1);
    await publish(url, { topic: 't', data: 'via serve' });
    await until(() => l.messages().length === 1);
    l.close();
    const started = Date.now();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('publish sends --data, or one event per stdin line, and prints ids', async () => {
    server = await startTestServer();
    const s = server;
    const l = listen(`${s.url}/events?topic=logs`);
    await until(() => s.hub.stats().connections === 1);
    const one = ssehub([
      'publish',
      '--url',
      s.url,
      '--topic',
      'logs',
      '--data',
      'hello',
      '--event',
      'message',
    ]);
    expect(await one.exited).toBe(0);
    expect(one.out.stdout.trim()).toMatch(/^[0-9a-f]{10}-1$/);
    const lines = ssehub(['publish', '--url', s.url, '--topic', 'logs']);
    lines.child.stdin.end('line 1\nline 2\n');
    expect(await lines.exited).toBe(0);
    await until(() => l.messages().length === 3);
    expect(l.messages()).toEqual(['hello', 'line 1', 'line 2']);
    l.close();
  });

  it('publish exits 1 with the hub error when refused or unreachable', async () => {
    server = await startTestServer();
    const refused = ssehub(['publish', '--url', server.url, '--topic', 'a/*', '--data', 'x']);
    expect(await refused.exited).toBe(1);
    expect(refused.out.stderr).toContain('invalid_topic');
    const down = ssehub(['publish', '--url', 'http://127.0.0.1:1', '--topic', 't', '--data', 'x']);
    expect(await down.exited).toBe(1);
    expect(down.out.stderr).toContain('cannot reach');
  });

  it('subscribe prints events as they come, resuming from --last-event-id', async () => {
    server = await startTestServer();
    const s = server;
    const { id } = await publish(s.url, { topic: 't', data: 'before' });
    await publish(s.url, { topic: 't', data: 'missed' });
    const sub = ssehub([
      'subscribe',
      '--url',
      s.url,
      '--topic',
      't',
      '--last-event-id',
      id,
      '--json',
    ]);
    await until(() => sub.out.stdout.includes('missed'), 10_000);
    await publish(s.url, { topic: 't', data: 'live', event: 'custom' });
    await until(() => sub.out.stdout.includes('live'));
    const lines = sub.out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((e) => [e.event, e.data])).toEqual([
      ['connected', expect.stringContaining('clientId')],
      ['message', 'missed'],
      ['custom', 'live'],
    ]);
    const refused = ssehub(['subscribe', '--url', s.url, '--topic', 'a/**/b']);
    expect(await refused.exited).toBe(1);
  });
});
