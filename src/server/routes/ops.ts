import { checkAdmin, checkTopicsAllowed } from '../access.js';
import { HttpError, sendJson } from '../errors.js';
import type { RouteHandler } from './types.js';

/** `GET /readyz`: 200 while taking subscribers with the engine reachable, else 503. */
export const readyRoute: RouteHandler = (_req, res, { hub }) => {
  const health = hub.health();
  const status = health.ready ? 'ready' : health.draining ? 'draining' : 'engine_unreachable';
  sendJson(res, health.ready ? 200 : 503, { status, ...health });
};

/** `GET /metrics`: Prometheus text format. */
export const metricsRoute: RouteHandler = async (_req, res, { access, metrics }) => {
  checkAdmin(access, 'reading metrics');
  if (metrics === undefined) throw new HttpError(404, 'not_found', 'metrics are not enabled');
  const text = await metrics.registry.metrics();
  res.writeHead(200, {
    'content-type': metrics.registry.contentType,
    'cache-control': 'no-store',
  });
  res.end(text);
};

/** `GET /topics/{topic}/subscribers`: who is on a topic (presence). */
export const membersRoute: RouteHandler = async (_req, res, { hub, params, access }) => {
  const topic = params[0]!;
  if (access?.admin !== true) checkTopicsAllowed(access, 'subscribe', [topic]);
  sendJson(res, 200, { topic, subscribers: await hub.listMembers(topic) });
};
