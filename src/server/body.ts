import type { HttpRequest } from '../stream/index.js';
import { HttpError } from './errors.js';

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is
 * refused before reading; a body that grows past it mid-way is refused as soon as it does.
 */
export async function readBody(req: HttpRequest, limit: number): Promise<string> {
  const tooLarge = () =>
    new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`, {
      connection: 'close',
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type ParsedBody = Record<string, unknown>;

/**
 * Parses a JSON object or a form body. Repeated form fields become arrays, so `topic=a&topic=b`
 * reads like `{"topic": ["a", "b"]}`.
 */
export function parseBody(contentType: string | undefined, text: string): ParsedBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, 'invalid_json', `malformed JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
    }
    return value as ParsedBody;
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: ParsedBody = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const prev = out[key];
      out[key] =
        prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return out;
  }
  throw new HttpError(
    415,
    'unsupported_media_type',
    'send application/json or application/x-www-form-urlencoded',
  );
}

/**
 * The request's body as fields. An app whose own body parser ran first (`express.json()`,
 * `express.urlencoded()`) has consumed the stream; its parsed `req.body` is used instead of
 * waiting for bytes that will never come.
 */
export async function readFields(req: HttpRequest, limit: number): Promise<ParsedBody> {
  if (req.readableEnded) {
    const body: unknown = (req as { body?: unknown }).body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      if (Buffer.byteLength(body) > limit) {
        throw new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`);
      }
      return parseBody(req.headers['content-type'], body.toString());
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      return body as ParsedBody;
    }
    throw new HttpError(400, 'body_consumed', 'the request body was read before ssehub got it');
  }
  return parseBody(req.headers['content-type'], await readBody(req, limit));
}
