import zlib from 'node:zlib';

/** `true` takes brotli or gzip, whichever the client accepts (brotli first). */
export type CompressionOption = boolean | 'gzip' | 'br';
export type StreamEncoding = 'gzip' | 'br';

/**
 * The encoding to use for a client's `Accept-Encoding`, or undefined to send plain bytes.
 * `q=0` refuses a coding; `*` accepts any not named (RFC 9110 §12.5.3).
 */
export function negotiateEncoding(
  acceptEncoding: string | undefined,
  option: CompressionOption | undefined,
): StreamEncoding | undefined {
  if (!option || acceptEncoding === undefined) return undefined;
  const quality = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    quality.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const accepts = (coding: StreamEncoding) => (quality.get(coding) ?? quality.get('*') ?? 0) > 0;
  const wanted: StreamEncoding[] = option === true ? ['br', 'gzip'] : [option];
  return wanted.find(accepts);
}

/** A stream's compressor and how to push out what it holds. */
export interface Compressor {
  readonly stream: zlib.Gzip | zlib.BrotliCompress;
  flush(): void;
}

/**
 * A compressor for one stream. Each event is flushed as it is written (a sync flush for gzip,
 * so the dictionary carries over and later events still compress well): nothing waits in
 * the compressor for more input.
 */
export function createCompressor(encoding: StreamEncoding): Compressor {
  if (encoding === 'br') {
    const br = zlib.createBrotliCompress({
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        // Level 4 of 11: most of the gain on small text events for a fraction of the CPU.
        [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
      },
    });
    return { stream: br, flush: () => br.flush(zlib.constants.BROTLI_OPERATION_FLUSH) };
  }
  const gzip = zlib.createGzip({ level: 6 });
  return { stream: gzip, flush: () => gzip.flush(zlib.constants.Z_SYNC_FLUSH) };
}
