import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from './memory.js';
import { DuplicateEventIdError, type EventInput } from './types.js';

const input = (data: string, extra: Partial<EventInput> = {}): EventInput => ({
  to: { kind: 'topics', topics: ['t'] },
  data,
  ...extra,
});

describe('createMemoryHistory', () => {
  it('assigns ASCII ids carrying the epoch, in order', async () => {
    const history = createMemoryHistory({ epoch: 'abcdef0123' });
    const a = await history.append(input('a'));
    const b = await history.append(input('b'));
    expect([a.id, b.id]).toEqual(['abcdef0123-1', 'abcdef0123-2']);
  });

  it('gives every store its own epoch', () => {
    expect(createMemoryHistory().epoch).not.toBe(createMemoryHistory().epoch);
  });

  it('reads everything after an id, and nothing after the newest', async () => {
    const history = createMemoryHistory();
    const ids = [];
    for (const d of ['a', 'b', 'c']) ids.push((await history.append(input(d))).id);
    const after = await history.readAfter(ids[0]!);
    expect(after.ok && after.events.map((e) => e.data)).toEqual(['b', 'c']);
    expect(await history.readAfter(ids[2]!)).toEqual({ ok: true, events: [] });
  });

  it('resumes from a publisher-chosen id and refuses it twice', async () => {
    const history = createMemoryHistory();
    await history.append(input('a', { id: 'order-1' }));
    await history.append(input('b'));
    const after = await history.readAfter('order-1');
    expect(after.ok && after.events.map((e) => e.data)).toEqual(['b']);
    await expect(history.append(input('c', { id: 'order-1' }))).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
  });

  it('refuses a publisher id shaped like a generated one', async () => {
    const history = createMemoryHistory();
    await expect(history.append(input('x', { id: '0123456789-5' }))).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
  });

  it('answers unknown, future and other-epoch ids with a reset and the current head', async () => {
    const history = createMemoryHistory({ epoch: 'aaaaaaaaaa' });
    await history.append(input('a'));
    expect(await history.readAfter('nope')).toEqual({
      ok: false,
      reason: 'unknown-id',
      head: 'aaaaaaaaaa-1',
    });
    expect(await history.readAfter('aaaaaaaaaa-9')).toMatchObject({ reason: 'unknown-id' });
    expect(await history.readAfter('bbbbbbbbbb-1')).toMatchObject({ reason: 'other-epoch' });
  });

  it('the head id of an empty store is a valid resume point', async () => {
    const history = createMemoryHistory({ epoch: 'aaaaaaaaaa' });
    const reset = await history.readAfter('x');
    expect(reset).toMatchObject({ ok: false, head: 'aaaaaaaaaa-0' });
    await history.append(input('a'));
    const after = await history.readAfter('aaaaaaaaaa-0');
    expect(after.ok && after.events.map((e) => e.data)).toEqual(['a']);
  });

  it('bounds by count, and an evicted position is expired', async () => {
    const history = createMemoryHistory({ maxEvents: 2 });
    const ids = [];
    for (const d of ['a', 'b', 'c', 'd']) ids.push((await history.append(input(d))).id);
    expect(history.size).toBe(2);
    expect(await history.readAfter(ids[0]!)).toMatchObject({ ok: false, reason: 'expired' });
    // Just before the oldest kept event is still complete.
    const after = await history.readAfter(ids[1]!);
    expect(after.ok && after.events.map((e) => e.data)).toEqual(['c', 'd']);
  });

  it('bounds by bytes', async () => {
    const history = createMemoryHistory({ maxBytes: 1000 });
    for (let i = 0; i < 10; i++) await history.append(input('x'.repeat(300)));
    expect(history.size).toBe(2);
  });

  it('bounds by age, even without new appends', async () => {
    let clock = 0;
    const history = createMemoryHistory({ maxAgeMs: 1000, now: () => clock });
    const first = await history.append(input('a'));
    clock = 500;
    await history.append(input('b'));
    clock = 1200;
    expect(await history.readAfter(first.id)).toMatchObject({ ok: true });
    clock = 1600;
    expect(await history.readAfter(first.id)).toMatchObject({ ok: false, reason: 'expired' });
    expect(history.size).toBe(0);
  });

  it('keeps no events with maxEvents 0, yet resumes from the head', async () => {
    const history = createMemoryHistory({ maxEvents: 0 });
    const a = await history.append(input('a'));
    expect(history.size).toBe(0);
    expect(await history.readAfter(a.id)).toEqual({ ok: true, events: [] });
  });

  it('stays correct across ring compaction', async () => {
    const history = createMemoryHistory({ maxEvents: 100 });
    let last = '';
    for (let i = 0; i < 5000; i++) last = (await history.append(input(String(i)))).id;
    const tail = await history.readAfter(`${last.split('-')[0]}-4950`);
    expect(tail.ok && tail.events.map((e) => e.data)).toEqual(
      Array.from({ length: 50 }, (_, i) => String(4950 + i)),
    );
  });
});
