import { ServerResponse } from 'node:http';
import { encodeEvent } from '../protocol/index.js';
import { type CompressionOption, createCompressor, negotiateEncoding } from './compression.js';
import { createFrame, type Frame } from './frame.js';
import { eventStreamHeaders } from './headers.js';
import type { CloseReason, HttpRequest, HttpResponse } from './types.js';

export interface SseStreamOptions {
  /**
   * Most bytes that may wait unsent for this client (in Node and socket buffers). A client
   * that falls further behind is disconnected with `slow-consumer` rather than buffered
   * without end. Default 1 MiB.
   */
  readonly maxQueueBytes?: number;
  /** `retry:` hint (ms) sent with the opening bytes. Default: none. */
  readonly retry?: number | undefined;
  /** Extra response headers (e.g. CORS). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Called once, when the stream ends for any reason. */
  readonly onClose?: (reason: CloseReason) => void;
  /**
   * Compress with gzip or brotli when the client accepts it, flushing after every write so
   * nothing is held back. Off by default: it costs CPU per subscriber, as each stream gets its
   * own compressor, where plain streams share one encoded buffer.
   */
  readonly compression?: CompressionOption | undefined;
}

/** One open `text/event-stream` response. */
export interface SseStream {
  /**
   * Writes already-encoded bytes. Returns false when the stream is closed, or closes it now
   * because the client's queue passed `maxQueueBytes`. Pass a `Frame` to share encoding work
   * between many streams.
   */
  write(data: Frame | Buffer | string): boolean;
  /** Ends the stream; `onClose` gets the reason. Safe to call twice. */
  close(reason?: CloseReason): void;
  readonly closed: boolean;
  /** Bytes written but not yet handed to the kernel. */
  readonly queuedBytes: number;
  /** Milliseconds since the epoch of the last write (heartbeats skip recently written streams). */
  readonly lastWriteAt: number;
  /**
   * Resolves once queued bytes have (partly) drained, or the stream closed. For writers that
   * pace themselves, such as a history replay larger than `maxQueueBytes`.
   */
  drained(): Promise<void>;
}

const closedStream: SseStream = {
  write: () => false,
  close: () => {},
  closed: true,
  queuedBytes: 0,
  lastWriteAt: 0,
  drained: () => Promise.resolve(),
};

// 'drain' only fires after a write was refused; a short poll covers a queue that shrank
// without one.
const DRAIN_POLL_MS = 20;

/**
 * Starts an event stream on a node:http or node:http2 response: writes the headers and an
 * opening comment in one flush, so clients see `open` at once and proxies see bytes early.
 */
export function openSseStream(
  req: HttpRequest,
  res: HttpResponse,
  options: SseStreamOptions = {},
): SseStream {
  const maxQueueBytes = options.maxQueueBytes ?? 1024 * 1024;
  // Both response classes satisfy this; their overloaded `write` signatures do not unify.
  const out: { write(chunk: Buffer | string): boolean } = res;
  let closed = false;
  let lastWriteAt = Date.now();

  function finish(reason: CloseReason): void {
    if (closed) return;
    closed = true;
    options.onClose?.(reason);
  }

  res.on('close', () => finish('client-gone'));
  res.on('error', () => finish('error'));
  // A client that left before we got here (say, while an auth hook was awaited) already had
  // its 'close' event; without this check it would stay registered forever.
  const gone = 'stream' in res ? res.stream.destroyed : res.destroyed;
  if (gone) {
    finish('client-gone');
    return closedStream;
  }

  if (req.httpVersionMajor < 2) req.socket.setNoDelay(true);
  const encoding = negotiateEncoding(req.headers['accept-encoding'], options.compression);
  const headers = { ...eventStreamHeaders(req.httpVersionMajor), ...options.headers };
  if (encoding !== undefined) {
    headers['content-encoding'] = encoding;
    headers.vary = 'accept-encoding';
  }
  res.writeHead(200, headers);
  const compressor = encoding === undefined ? undefined : createCompressor(encoding);
  if (compressor !== undefined) {
    compressor.stream.pipe(res);
    compressor.stream.on('error', () => stream.close('error'));
    res.once('close', () => compressor.stream.destroy());
  }
  // Compression middleware (Express's `compression`) adds res.flush: calling it after each
  // write keeps such a wrapper from holding events back, should it compress despite no-transform.
  const middlewareFlush = (res as { flush?: unknown }).flush;
  const sink = (chunk: Buffer | string) => {
    if (compressor !== undefined) {
      compressor.stream.write(chunk);
      compressor.flush();
    } else {
      out.write(chunk);
      if (typeof middlewareFlush === 'function') middlewareFlush.call(res);
    }
  };
  const opening =
    options.retry === undefined ? ': ok\n\n' : `: ok\n${encodeEvent({ retry: options.retry })}`;
  sink(opening);

  // On HTTP/1.1 the response is chunked and its headers are flushed by now, so a pre-framed
  // chunk can go straight to the socket: one buffer and one syscall per event, instead of
  // res.write's chunk header, data and CRLF per subscriber. res.end() still writes the final
  // zero-length chunk through the same socket, after everything written here. Middleware that
  // wraps res.write (compression, say) must see every byte, so then we go through it.
  const direct =
    compressor === undefined &&
    res instanceof ServerResponse &&
    res.write === ServerResponse.prototype.write &&
    res.getHeader('content-encoding') === undefined;
  const socket = direct ? req.socket : undefined;
  const chunked = direct && res.chunkedEncoding;

  const stream: SseStream = {
    write(data) {
      if (closed) return false;
      const frame = typeof data === 'object' && 'bytes' in data ? data : createFrame(data);
      if (socket === undefined) sink(frame.bytes);
      else socket.write(chunked ? frame.chunk : frame.bytes);
      lastWriteAt = Date.now();
      if (stream.queuedBytes > maxQueueBytes) {
        stream.close('slow-consumer');
        return false;
      }
      return true;
    },
    close(reason = 'closed-by-server') {
      if (closed) return;
      finish(reason);
      if (reason === 'slow-consumer' || reason === 'error') {
        // Flushing the backlog could take forever; drop it and free the memory now.
        compressor?.stream.destroy();
        res.destroy();
      } else if (compressor !== undefined) {
        // Ends res through the pipe, after the compressor's last bytes.
        compressor.stream.end();
      } else {
        res.end();
      }
    },
    get closed() {
      return closed;
    },
    get queuedBytes() {
      return res.writableLength + (compressor?.stream.writableLength ?? 0);
    },
    get lastWriteAt() {
      return lastWriteAt;
    },
    drained() {
      if (closed) return Promise.resolve();
      const target = socket ?? compressor?.stream ?? res;
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          target.off('drain', done);
          res.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, DRAIN_POLL_MS);
        target.once('drain', done);
        res.once('close', done);
      });
    },
  };
  return stream;
}
