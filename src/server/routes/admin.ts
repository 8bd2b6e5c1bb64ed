import { checkAdmin } from '../access.js';
import { HttpError, sendJson } from '../errors.js';
import type { RouteHandler } from './types.js';

export const listClientsRoute: RouteHandler = async (_req, res, { hub, url, access }) => {
  checkAdmin(access, 'listing clients');
  const topic = url.searchParams.get('topic');
  const clients = await hub.listClients(topic === null ? {} : { topic });
  sendJson(res, 200, { clients });
};

export const getClientRoute: RouteHandler = async (_req, res, { hub, params, access }) => {
  checkAdmin(access, 'reading a client');
  const client = await hub.findClient(params[0]!);
  if (client === undefined) throw new HttpError(404, 'client_not_found', 'no such client');
  sendJson(res, 200, client);
};

export const deleteClientRoute: RouteHandler = async (_req, res, { hub, params, access }) => {
  checkAdmin(access, 'disconnecting a client');
  if (!(await hub.disconnectAnywhere(params[0]!))) {
    throw new HttpError(404, 'client_not_found', 'no such client');
  }
  sendJson(res, 200, { disconnected: params[0] });
};

export const listTopicsRoute: RouteHandler = (_req, res, { hub, access }) => {
  checkAdmin(access, 'listing topics');
  sendJson(res, 200, { topics: hub.topics() });
};

export const healthRoute: RouteHandler = (_req, res, { hub }) => {
  // The pid tells workers apart behind one port (--workers).
  sendJson(res, 200, { status: 'ok', connections: hub.stats().connections, pid: process.pid });
};
