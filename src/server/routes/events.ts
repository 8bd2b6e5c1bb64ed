import { acceptsEventStream } from '../../stream/index.js';
import { checkTopicsAllowed, privateTopicsOf } from '../access.js';
import { HttpError } from '../errors.js';
import type { RouteHandler } from './types.js';

/** `GET /events?topic=a&topic=b[&lastEventId=…]`: subscribe. */
export const subscribeRoute: RouteHandler = async (req, res, context) => {
  const { hub, url, access, limits, requestId } = context;
  if (!acceptsEventStream(req.headers.accept)) {
    throw new HttpError(406, 'not_acceptable', 'this endpoint only serves text/event-stream');
  }
  const header = req.headers['last-event-id'];
  // The header wins: browsers reconnect to the same URL (with the first lastEventId still in
  // it) and send the newer id in the header.
  const lastEventId =
    (typeof header === 'string' && header !== '' ? header : undefined) ??
    (url.searchParams.get('lastEventId') || undefined);
  const requested = url.searchParams.getAll('topic');
  // With auth and no topic named, the caller gets what it is allowed: a per-user feed needs
  // no topic in the URL at all.
  const topics = requested.length === 0 && access ? (access.subscribe ?? []) : requested;
  checkTopicsAllowed(access, 'subscribe', topics);
  limits?.admitStream(res, access, context.remoteAddress);
  const metadata = metadataOf(url.searchParams.get('meta'));
  await hub.subscribe(req, res, {
    headers: { 'x-request-id': requestId },
    metadata,
    requestId,
    remoteAddress: context.remoteAddress,
    topics,
    lastEventId,
    subject: access?.subject,
    privateTopics: privateTopicsOf(access),
    expiresAt: access?.expiresAt,
  });
};

/**
 * `?meta={"name":"Ann"}`: what presence shows of this connection. Client-chosen, so it is
 * bounded and must be a flat object of strings; the trusted identity is the token's subject.
 */
function metadataOf(text: string | null): Record<string, string> | undefined {
  if (text === null) return undefined;
  if (text.length > 1024)
    throw new HttpError(400, 'invalid_meta', 'meta must be at most 1024 characters');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_meta', 'meta must be a JSON object');
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  ) {
    throw new HttpError(400, 'invalid_meta', 'meta must be a JSON object of strings');
  }
  return value as Record<string, string>;
}
