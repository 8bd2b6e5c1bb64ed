import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../test-support/engines.js';
import { listen, testHubs, until } from '../test-support/server.js';
import { followLines } from './follow-file.js';
import { tailToHub } from './tail.js';

const { cleanups, hub } = testHubs();
const tempFile = (name = 'app.log') => join(mkdtempSync(join(tmpdir(), 'ssehub-tail-')), name);

/** Collects what `followLines` yields until aborted. */
function follow(path: string, fromStart = false) {
  const controller = new AbortController();
  const lines: string[] = [];
  let onStart = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const done = (async () => {
    for await (const line of followLines(path, {
      fromStart,
      pollMs: 20,
      signal: controller.signal,
      onStart,
    })) {
      lines.push(line);
    }
  })();
  cleanups.push(() => {
    controller.abort();
    return done;
  });
  return { lines, started };
}

describe('followLines', () => {
  it('yields whole lines only, across writes that split lines and UTF-8 characters', async () => {
    const path = tempFile();
    writeFileSync(path, 'already there\n');
    const { lines, started } = follow(path);
    await started;
    const euro = Buffer.from('€');
    appendFileSync(path, 'one\r\ntw');
    appendFileSync(path, Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toEqual(['one']);
    appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from('\n\nthree\n')]));
    await until(() => lines.length === 4);
    expect(lines).toEqual(['one', 'two €', '', 'three']);
  });

  it('survives truncation and rotation, and waits for a file that is not there yet', async () => {
    const path = tempFile();
    const { lines } = follow(path, true);
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(path, 'a\nb\n');
    await until(() => lines.length === 2);
    writeFileSync(path, 'c\n'); // truncated and rewritten
    await until(() => lines.length === 3);
    appendFileSync(path, 'd\nlast of the old file, no newline');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'e\n');
    await until(() => lines.length === 6);
    expect(lines).toEqual(['a', 'b', 'c', 'd', 'last of the old file, no newline', 'e']);
  });
});

/** `tailToHub` on `path` until the test ends; its reports are collected; `started` once it follows. */
function tail(url: string, path: string, event?: string) {
  const controller = new AbortController();
  const reports: string[] = [];
  let onStart = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const tailing = tailToHub({
    file: path,
    target: { url },
    topics: ['logs'],
    event,
    pollMs: 20,
    signal: controller.signal,
    report: (m) => reports.push(m),
    onStart,
  });
  cleanups.push(() => {
    controller.abort();
    return tailing;
  });
  return { reports, started };
}

describe('ssehub tail', () => {
  it('publishes appended lines in order and loses none while the hub is down', async () => {
    const port = await freePort();
    let server = await hub({ port });
    const path = tempFile();
    writeFileSync(path, 'old line, not published\n');
    const { reports, started } = tail(server.url, path);
    // Lines appended from here on are the tail's; the one above was there before.
    await started;
    let sub = listen(`${server.url}/events?topic=logs`);
    await until(() => server.hub.stats().connections === 1);
    appendFileSync(path, '1\n2\n');
    await sub.until(() => sub.messages().length === 2);
    sub.close();
    await server.close();

    appendFileSync(path, '3\n4\n5\n');
    await until(() => reports.some((r) => r.includes('retrying line 3')));
    server = await hub({ port });
    sub = listen(`${server.url}/events?topic=logs`);
    cleanups.push(() => sub.close());
    await sub.until(() => sub.messages().length === 3, 10_000);
    appendFileSync(path, '6\n');
    await sub.until(() => sub.messages().length === 4);
    expect(sub.messages()).toEqual(['3', '4', '5', '6']);
    expect(reports.some((r) => r.includes('reachable again'))).toBe(true);
  });

  it('skips a line the hub refuses as invalid, says so, and goes on', async () => {
    const server = await hub({ maxEventBytes: 10 });
    const path = tempFile();
    writeFileSync(path, '');
    const { reports, started } = tail(server.url, path, 'log');
    await started;
    const sub = listen(`${server.url}/events?topic=logs`, { types: ['log'] });
    cleanups.push(() => sub.close());
    await until(() => server.hub.stats().connections === 1);
    appendFileSync(path, 'short\nthis line is far too long\nok\n');
    await sub.until(() => sub.events.length === 2);
    expect(sub.events.map((e) => e.data)).toEqual(['short', 'ok']);
    expect(reports).toEqual([
      expect.stringMatching(/line 2 skipped: .*413|line 2 skipped: .*too_large/),
    ]);
  });
});
