import { acceptsEventStream } from '../../stream/index.js';
import { HttpError } from '../errors.js';
import type { RouteHandler } from './types.js';

/** `GET /events?topic=a&topic=b[&lastEventId=…]`: subscribe. */
export const subscribeRoute: RouteHandler = async (req, res, { hub, url }) => {
  if (!acceptsEventStream(req.headers.accept)) {
    throw new HttpError(406, 'not_acceptable', 'this endpoint only serves text/event-stream');
  }
  const header = req.headers['last-event-id'];
  // The header wins: browsers reconnect to the same URL (with the first lastEventId still in
  // it) and send the newer id in the header.
  const lastEventId =
    (typeof header === 'string' && header !== '' ? header : undefined) ??
    (url.searchParams.get('lastEventId') || undefined);
  await hub.subscribe(req, res, { topics: url.searchParams.getAll('topic'), lastEventId });
};
