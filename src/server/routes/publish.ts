import type { StoredEvent } from '../../history/index.js';
import type { EventFields, Hub } from '../../hub/index.js';
import { checkPush, checkTopicsAllowed } from '../access.js';
import { readFields } from '../body.js';
import { sendJson } from '../errors.js';
import { toEventFields, toPublishInput } from '../publish-body.js';
import type { RouteHandler } from './types.js';

/** `POST /publish`: JSON or form; replies with the assigned id. */
export const publishRoute: RouteHandler = async (req, res, context) => {
  const { hub, maxBodyBytes, access } = context;
  context.limits?.admitPublish(access, context.remoteAddress);
  const body = await readFields(req, maxBodyBytes);
  const input = toPublishInput(body);
  if (input.broadcast) checkPush(access, 'broadcast');
  else
    checkTopicsAllowed(access, 'publish', input.topic !== undefined ? [input.topic] : input.topics);
  const event = await hub.publish(input);
  sendJson(res, 200, { id: event.id });
};

/** A push to one target named in the path: needs push rights, counts against the rate. */
function pushRoute(
  what: string,
  send: (hub: Hub, target: string, fields: EventFields) => Promise<StoredEvent>,
): RouteHandler {
  return async (req, res, { hub, maxBodyBytes, params, access, limits, remoteAddress }) => {
    checkPush(access, what);
    limits?.admitPublish(access, remoteAddress);
    const fields = toEventFields(await readFields(req, maxBodyBytes));
    const event = await send(hub, params[0]!, fields);
    sendJson(res, 200, { id: event.id });
  };
}

/** `POST /clients/{id}/events`: one connection only. */
export const sendToClientRoute = pushRoute('pushing to one client', (hub, id, fields) =>
  hub.sendToClient(id, fields),
);

/** `POST /users/{sub}/events`: every connection of one user. */
export const sendToUserRoute = pushRoute('pushing to a user', (hub, sub, fields) =>
  hub.sendToSubject(sub, fields),
);
