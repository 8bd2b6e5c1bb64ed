import { acceptsEventStream } from '../../stream/index.js';
import { checkTopicsAllowed, privateTopicsOf } from '../access.js';
import { HttpError } from '../errors.js';
import type { RouteHandler } from './types.js';

/** `GET /events?topic=a&topic=b[&lastEventId=…]`: subscribe. */
export const subscribeRoute: RouteHandler = async (req, res, { hub, url, access, limits }) => {
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
  limits?.admitStream(req, res, access);
  await hub.subscribe(req, res, {
    topics,
    lastEventId,
    subject: access?.subject,
    privateTopics: privateTopicsOf(access),
    expiresAt: access?.expiresAt,
  });
};
