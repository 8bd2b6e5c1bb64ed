import { checkPush, checkTopicsAllowed } from '../access.js';
import { readFields } from '../body.js';
import { sendJson } from '../errors.js';
import { toEventFields, toPublishInput } from '../publish-body.js';
import type { RouteHandler } from './types.js';

/** `POST /publish`: JSON or form; replies with the assigned id. */
export const publishRoute: RouteHandler = async (req, res, context) => {
  const { hub, maxBodyBytes, access } = context;
  context.limits?.admitPublish(req, access);
  const body = await readFields(req, maxBodyBytes);
  const input = toPublishInput(body);
  if (input.broadcast) checkPush(access, 'broadcast');
  else
    checkTopicsAllowed(access, 'publish', input.topic !== undefined ? [input.topic] : input.topics);
  const event = await hub.publish(input);
  sendJson(res, 200, { id: event.id });
};

/** `POST /clients/{id}/events`: one connection only. */
export const sendToClientRoute: RouteHandler = async (req, res, context) => {
  checkPush(context.access, 'pushing to one client');
  context.limits?.admitPublish(req, context.access);
  const { hub, maxBodyBytes, params } = context;
  const body = await readFields(req, maxBodyBytes);
  const event = await hub.sendToClient(params[0]!, toEventFields(body));
  sendJson(res, 200, { id: event.id });
};

/** `POST /users/{sub}/events`: every connection of one user. */
export const sendToUserRoute: RouteHandler = async (req, res, context) => {
  checkPush(context.access, 'pushing to a user');
  context.limits?.admitPublish(req, context.access);
  const { hub, maxBodyBytes, params } = context;
  const body = await readFields(req, maxBodyBytes);
  const event = await hub.sendToSubject(params[0]!, toEventFields(body));
  sendJson(res, 200, { id: event.id });
};
