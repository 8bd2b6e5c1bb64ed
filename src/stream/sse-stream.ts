import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { encodeEvent } from '../protocol/index.js';
import {
  type CompressionOption,
  type Compressor,
  createCompressor,
  negotiateEncoding,
} from './compression.js';
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
  const stream = new ResponseStream(res, options.maxQueueBytes ?? 1024 * 1024, options.onClose);
  res.on('close', () => stream.finish('client-gone'));
  res.on('error', () => stream.finish('error'));
  // A client that left before we got here (say, while an auth hook was awaited) already had
  // its 'close' event; without this check it would stay registered forever.
  const gone = 'stream' in res ? res.stream.destroyed : res.destroyed;
  if (gone) {
    stream.finish('client-gone');
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
  if (encoding !== undefined) {
    const compressor = createCompressor(encoding);
    stream.compressor = compressor;
    compressor.stream.pipe(res);
    compressor.stream.on('error', () => stream.close('error'));
    res.once('close', () => compressor.stream.destroy());
  }
  // Compression middleware (Express's `compression`) adds res.flush: calling it after each
  // write keeps such a wrapper from holding events back, should it compress despite no-transform.
  const middlewareFlush = (res as { flush?: unknown }).flush;
  if (typeof middlewareFlush === 'function') {
    stream.middlewareFlush = middlewareFlush as (this: HttpResponse) => void;
  }
  stream.sink(
    options.retry === undefined ? ': ok\n\n' : `: ok\n${encodeEvent({ retry: options.retry })}`,
  );

  // On HTTP/1.1 the response is chunked and its headers are flushed by now, so a pre-framed
  // chunk can go straight to the socket: one buffer and one syscall per event, instead of
  // res.write's chunk header, data and CRLF per subscriber. res.end() still writes the final
  // zero-length chunk through the same socket, after everything written here. Middleware that
  // wraps res.write (compression, say) must see every byte, so then we go through it.
  if (
    stream.compressor === undefined &&
    res instanceof ServerResponse &&
    res.write === ServerResponse.prototype.write &&
    res.getHeader('content-encoding') === undefined
  ) {
    stream.socket = req.socket;
    stream.chunked = res.chunkedEncoding;
  }
  return stream;
}

/**
 * The open stream. A class, not an object of closures: a hub holds one per subscriber, and
 * methods on the prototype cost nothing per connection where a dozen closures cost ~700 bytes.
 */
class ResponseStream implements SseStream {
  closed = false;
  lastWriteAt = Date.now();
  compressor: Compressor | undefined = undefined;
  middlewareFlush: ((this: HttpResponse) => void) | undefined = undefined;
  /** Set when frames may go straight to the socket (see `openSseStream`). */
  socket: Socket | undefined = undefined;
  chunked = false;

  constructor(
    private readonly res: HttpResponse,
    private readonly maxQueueBytes: number,
    private readonly onClose: ((reason: CloseReason) => void) | undefined,
  ) {}

  finish(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(reason);
  }

  /** Writes through the compressor or the response (not straight to the socket). */
  sink(chunk: Buffer | string): void {
    if (this.compressor !== undefined) {
      this.compressor.stream.write(chunk);
      this.compressor.flush();
      return;
    }
    // Both response classes have `write`; their overloaded signatures do not unify.
    (this.res as { write(chunk: Buffer | string): boolean }).write(chunk);
    this.middlewareFlush?.call(this.res);
  }

  write(data: Frame | Buffer | string): boolean {
    if (this.closed) return false;
    const frame = typeof data === 'object' && 'bytes' in data ? data : createFrame(data);
    if (this.socket === undefined) this.sink(frame.bytes);
    else this.socket.write(this.chunked ? frame.chunk : frame.bytes);
    this.lastWriteAt = Date.now();
    if (this.queuedBytes > this.maxQueueBytes) {
      this.close('slow-consumer');
      return false;
    }
    return true;
  }

  close(reason: CloseReason = 'closed-by-server'): void {
    if (this.closed) return;
    this.finish(reason);
    if (reason === 'slow-consumer' || reason === 'error') {
      // Flushing the backlog could take forever; drop it and free the memory now.
      this.compressor?.stream.destroy();
      this.res.destroy();
    } else if (this.compressor !== undefined) {
      // Ends res through the pipe, after the compressor's last bytes.
      this.compressor.stream.end();
    } else {
      this.res.end();
    }
  }

  get queuedBytes(): number {
    return this.res.writableLength + (this.compressor?.stream.writableLength ?? 0);
  }

  drained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const res = this.res;
    const target = this.socket ?? this.compressor?.stream ?? res;
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
  }
}
