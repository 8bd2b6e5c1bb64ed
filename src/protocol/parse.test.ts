import { describe, expect, it } from 'vitest';
import { SseParseError } from './errors.js';
import { createByteParser, createParser, type ParsedEvent } from './parse.js';

function parseAll(chunks: readonly string[]) {
  const events: ParsedEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (e) => events.push(e),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return { events, retries, comments, lastEventId: parser.lastEventId };
}

/** Every way to cut `text` in two, plus one chunk per character. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('createParser (WHATWG event stream interpretation)', () => {
  it('parses the spec example with multi-line data', () => {
    const { events } = parseAll(['data: YHOO\ndata: +2\ndata: 10\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'YHOO\n+2\n10', lastEventId: '' }]);
  });

  it('treats CRLF, CR and LF alike, wherever the chunks are cut', () => {
    const text = 'event: a\r\ndata: 1\r\rdata: 2\n\nid: 7\rdata: 3\r\n\r\n';
    for (const chunks of splits(text)) {
      expect(parseAll(chunks).events).toEqual([
        { type: 'a', data: '1', lastEventId: '' },
        { type: 'message', data: '2', lastEventId: '' },
        { type: 'message', data: '3', lastEventId: '7' },
      ]);
    }
  });

  it('does not read a CR at a chunk end followed by LF as two line ends', () => {
    const { events } = parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(events).toEqual([{ type: 'message', data: 'a\nb', lastEventId: '' }]);
  });

  it('strips exactly one leading BOM', () => {
    expect(parseAll(['\uFEFFdata: x\n\n']).events).toHaveLength(1);
    expect(parseAll(['\uFEFF', 'data: x\n\n']).events).toHaveLength(1);
    // A second BOM is part of the field name "\uFEFFdata", an unknown field.
    expect(parseAll(['\uFEFF\uFEFFdata: x\n\n']).events).toHaveLength(0);
    // A BOM later in the stream is not special either.
    expect(parseAll(['data: a\n\n', '\uFEFFdata: b\n\n']).events).toHaveLength(1);
  });

  it('ignores an id containing NUL and keeps the previous one', () => {
    const { events } = parseAll(['id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n']);
    expect(events.map((e) => e.lastEventId)).toEqual(['1', '1']);
  });

  it('keeps the last event id across events and lets an empty id clear it', () => {
    const { events } = parseAll(['id: 5\ndata: a\n\ndata: b\n\nid\ndata: c\n\n']);
    expect(events.map((e) => e.lastEventId)).toEqual(['5', '5', '']);
  });

  it('moves the last event id on an id-only block without dispatching', () => {
    const { events, lastEventId } = parseAll(['id: 9\n\n']);
    expect(events).toEqual([]);
    expect(lastEventId).toBe('9');
  });

  it('accepts only ASCII-digit retry values', () => {
    const { retries } = parseAll([
      'retry: 100\nretry: 1e3\nretry: -5\nretry: \nretry: ٣\nretry: 0\n\n',
    ]);
    expect(retries).toEqual([100, 0]);
  });

  it('dispatches empty data but not a block without data', () => {
    const { events } = parseAll(['data\n\ndata:\n\nevent: x\n\n']);
    expect(events.map((e) => e.data)).toEqual(['', '']);
  });

  it('discards an unterminated last event', () => {
    expect(parseAll(['data: complete\n\ndata: partial\n']).events).toHaveLength(1);
  });

  it('ignores a field name with a space before the colon', () => {
    expect(parseAll(['data : ignored\n\ndata: kept\n\n']).events.map((e) => e.data)).toEqual([
      'kept',
    ]);
  });

  it('handles fields without a colon, extra colons and no space', () => {
    const { events } = parseAll(['data\ndata:a:b\ndata:  two\nevent:t\n\n']);
    expect(events).toEqual([{ type: 't', data: '\na:b\n two', lastEventId: '' }]);
  });

  it('reports comments, with one leading space removed', () => {
    expect(parseAll([': hello\n:x\n:\n\n']).comments).toEqual(['hello', 'x', '']);
  });

  it('bounds a line that never ends', () => {
    const parser = createParser({ onEvent: () => {} }, { maxEventLength: 100 });
    expect(() => {
      for (let i = 0; i < 20; i++) parser.feed('data: 0123456789');
    }).toThrow(SseParseError);
  });

  it('bounds an event made of many lines', () => {
    const parser = createParser({ onEvent: () => {} }, { maxEventLength: 100 });
    expect(() => parser.feed('data: 0123456789\n'.repeat(20))).toThrow(SseParseError);
  });

  it('reset() drops a half-read event and keeps the last event id', () => {
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e) });
    parser.feed('id: 3\ndata: a\n\ndata: half');
    parser.reset();
    parser.feed('\uFEFFdata: b\n\n');
    expect(events.map((e) => [e.data, e.lastEventId])).toEqual([
      ['a', '3'],
      ['b', '3'],
    ]);
  });
});

describe('createByteParser', () => {
  it('decodes UTF-8 split inside a character, and invalid bytes as U+FFFD', () => {
    const bytes = new TextEncoder().encode('data: héllo 🎉\n\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const events: ParsedEvent[] = [];
      const parser = createByteParser({ onEvent: (e) => events.push(e) });
      parser.feed(bytes.subarray(0, cut));
      parser.feed(bytes.subarray(cut));
      expect(events.map((e) => e.data)).toEqual(['héllo 🎉']);
    }
    const events: ParsedEvent[] = [];
    const parser = createByteParser({ onEvent: (e) => events.push(e) });
    parser.feed(
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('data: '), 0xff, 10, 10]),
    );
    expect(events.map((e) => e.data)).toEqual(['\uFFFD']);
  });
});
