/**
 * Encoded bytes shared by every subscriber of one event. HTTP/1.1 streams need them wrapped in
 * chunked framing; both forms live in one buffer (`bytes` is a view into `chunk`), made once per
 * event, not per subscriber, and held once in history.
 */
export interface Frame {
  /** The event as SSE text, UTF-8. */
  readonly bytes: Buffer;
  /** `<size hex>\r\n<bytes>\r\n`: one HTTP/1.1 chunk. */
  readonly chunk: Buffer;
}

export function createFrame(data: Buffer | string): Frame {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const head = `${size.toString(16)}\r\n`;
  const chunk = Buffer.allocUnsafe(head.length + size + 2);
  chunk.write(head, 0, 'latin1');
  if (typeof data === 'string') chunk.write(data, head.length, 'utf8');
  else data.copy(chunk, head.length);
  chunk.write('\r\n', head.length + size, 'latin1');
  return { bytes: chunk.subarray(head.length, head.length + size), chunk };
}
