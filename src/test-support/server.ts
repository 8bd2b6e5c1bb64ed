import { connect, type Socket } from 'node:net';
import { EventSource } from 'eventsource';
import { afterEach } from 'vitest';
import { silentLogger } from '../hub/logger.js';
import { loadConfig, type RunningServer, startServer } from '../server/index.js';

/** A real hub server on a free port, silent, with any setting overridden. */
export async function startTestServer(flags: Record<string, unknown> = {}): Promise<RunningServer> {
  const config = loadConfig({
    flags: { port: 0, logLevel: 'silent', shutdownGrace: 0, demos: false, ...flags },
  });
  return startServer(config, silentLogger);
}

export interface Received {
  readonly type: string;
  readonly data: string;
  readonly lastEventId: string;
}

/**
 * Subscribes with the `eventsource` package (the reference client), recording every event of
 * the given types. It reconnects on its own, exactly as that client does.
 */
export function listen(
  url: string,
  options: { types?: readonly string[]; lastEventId?: string } = {},
) {
  const events: Received[] = [];
  const errors: unknown[] = [];
  const init = options.lastEventId;
  let first = true;
  const source = new EventSource(url, {
    fetch: (input, req) => {
      // The first connect may carry an id from an earlier session, as a browser app would.
      const headers = new Headers(req?.headers);
      if (first && init !== undefined) headers.set('last-event-id', init);
      first = false;
      return fetch(input, { ...req, headers });
    },
  });
  const record = (e: MessageEvent) =>
    events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId });
  for (const type of options.types ?? ['message', 'connected', 'reset']) {
    source.addEventListener(type, record);
  }
  source.addEventListener('error', (e) => errors.push(e));
  return {
    source,
    events,
    errors,
    /** The data of `message` events, in order. */
    messages: () => events.filter((e) => e.type === 'message').map((e) => e.data),
    until: (predicate: () => boolean | Promise<boolean>, timeoutMs = 5000) =>
      until(predicate, timeoutMs),
    close: () => source.close(),
  };
}

export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function publish(base: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${base}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** A subscriber on a bare socket: sees the exact bytes, and can stop reading. */
export async function rawSubscribe(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ socket: Socket; text: () => string; body: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${lines.join('')}\r\n`);
  await until(() => text.includes('\r\n\r\n'));
  return { socket, text: () => text, body: () => dechunk(text), closed };
}

/** The body of a raw HTTP/1.1 response with chunked framing removed (complete chunks only). */
function dechunk(raw: string): string {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  if (!/transfer-encoding: chunked/i.test(raw.slice(0, raw.indexOf('\r\n\r\n')))) return rest;
  let body = '';
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return body;
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    const chunk = Buffer.from(rest.slice(lineEnd + 2));
    if (!(size > 0) || chunk.length < size + 2) return body;
    body += chunk.subarray(0, size).toString();
    rest = chunk.subarray(size + 2).toString();
  }
}

/**
 * Cleanups run after each test, newest first, and a `hub(flags)` that starts a test server
 * closed with them: the preamble most integration test files share.
 */
export function testHubs() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function hub(flags: Record<string, unknown> = {}): Promise<RunningServer> {
    const running = await startTestServer(flags);
    cleanups.push(() => running.close());
    return running;
  }
  return { cleanups, hub };
}
