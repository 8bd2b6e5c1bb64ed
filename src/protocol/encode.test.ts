import { describe, expect, it } from 'vitest';
import { encodeComment, encodeEvent } from './encode.js';
import { SseProtocolError } from './errors.js';

describe('encodeEvent', () => {
  it('writes every field in a stable order with the blank line', () => {
    expect(encodeEvent({ id: '1', event: 'tick', retry: 2000, data: 'x', comment: 'hi' })).toBe(
      ': hi\nid: 1\nevent: tick\nretry: 2000\ndata: x\n\n',
    );
  });

  it('splits data on CRLF, LF and CR so no line break escapes its data line', () => {
    expect(encodeEvent({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('keeps leading spaces and trailing newlines of data', () => {
    expect(encodeEvent({ data: '  x\n' })).toBe('data:   x\ndata: \n\n');
  });

  it('encodes empty data as one empty data line', () => {
    expect(encodeEvent({ data: '' })).toBe('data: \n\n');
  });

  it('encodes an empty event as nothing', () => {
    expect(encodeEvent({})).toBe('');
  });

  it.each([
    ['id', { id: 'a\nb' }],
    ['id', { id: 'a\rb' }],
    ['id', { id: 'a\0b' }],
    ['event', { event: 'x\ny' }],
    ['event', { event: 'x\0' }],
    ['retry', { retry: -1 }],
    ['retry', { retry: 1.5 }],
    ['retry', { retry: Number.NaN }],
  ] as const)('refuses a bad %s field with a typed error', (field, event) => {
    let caught: unknown;
    try {
      encodeEvent({ data: 'd', ...event });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SseProtocolError);
    expect((caught as SseProtocolError).field).toBe(field);
  });

  it('turns a multi-line comment into several comment lines', () => {
    expect(encodeComment('a\nb')).toBe(': a\n: b\n');
    expect(encodeEvent({ comment: 'a\r\nid: evil' })).toBe(': a\n: id: evil\n\n');
  });
});
