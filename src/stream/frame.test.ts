import { describe, expect, it } from 'vitest';
import { createFrame } from './frame.js';

describe('createFrame', () => {
  it('holds the bytes and their HTTP/1.1 chunk in one buffer', () => {
    const frame = createFrame('data: héllo 🎉\n\n');
    expect(frame.bytes.toString()).toBe('data: héllo 🎉\n\n');
    expect(frame.chunk.toString()).toBe(
      `${frame.bytes.length.toString(16)}\r\ndata: héllo 🎉\n\n\r\n`,
    );
    expect(frame.bytes.buffer).toBe(frame.chunk.buffer);
    expect(createFrame(Buffer.from(':\n\n')).chunk.toString()).toBe('3\r\n:\n\n\r\n');
  });
});
