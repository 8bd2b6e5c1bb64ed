const CRLF = Buffer.from('\r\n');

/**
 * Encoded bytes shared by every subscriber of one event. HTTP/1.1 streams need them wrapped
 * in chunked framing; that wrapped copy is also made once, on first use, not per subscriber.
 */
export interface Frame {
  readonly bytes: Buffer;
  /** `<size hex>\r\n<bytes>\r\n`: one HTTP/1.1 chunk. */
  readonly chunk: Buffer;
}

export function createFrame(data: Buffer | string): Frame {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let chunk: Buffer | undefined;
  return {
    bytes,
    get chunk() {
      chunk ??= Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, CRLF]);
      return chunk;
    },
  };
}
