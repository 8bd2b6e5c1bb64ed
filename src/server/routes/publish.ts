import { parseBody, readBody } from '../body.js';
import { sendJson } from '../errors.js';
import { toEventFields, toPublishInput } from '../publish-body.js';
import type { RouteHandler } from './types.js';

/** `POST /publish`: JSON or form; replies with the assigned id. */
export const publishRoute: RouteHandler = async (req, res, { hub, config }) => {
  const body = parseBody(req.headers['content-type'], await readBody(req, config.maxBodyBytes));
  const event = await hub.publish(toPublishInput(body));
  sendJson(res, 200, { id: event.id });
};

/** `POST /clients/{id}/events`: one connection only. */
export const sendToClientRoute: RouteHandler = async (req, res, { hub, config, params }) => {
  const body = parseBody(req.headers['content-type'], await readBody(req, config.maxBodyBytes));
  const event = await hub.sendToClient(params[0]!, toEventFields(body));
  sendJson(res, 200, { id: event.id });
};
