import { readFileSync } from 'node:fs';
import { type Hub, HubError, type Logger } from '../hub/index.js';
import type { HttpRequest, HttpResponse } from '../stream/index.js';
import type { ServerConfig } from './config.js';
import { HttpError, sendError } from './errors.js';
import {
  deleteClientRoute,
  getClientRoute,
  healthRoute,
  listClientsRoute,
  listTopicsRoute,
} from './routes/admin.js';
import { subscribeRoute } from './routes/events.js';
import { publishRoute, sendToClientRoute } from './routes/publish.js';
import type { RouteHandler } from './routes/types.js';

const indexPage = readFileSync(new URL('../../web/index.html', import.meta.url));

const pageRoute: RouteHandler = (_req, res) => {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(indexPage.length),
  });
  res.end(indexPage);
};

type Methods = Partial<Record<'GET' | 'POST' | 'DELETE', RouteHandler>>;

// Path patterns; a capture group is a path parameter. Order does not matter: they are disjoint.
const ROUTES: readonly (readonly [RegExp, Methods])[] = [
  [/^\/$/, { GET: pageRoute }],
  [/^\/events$/, { GET: subscribeRoute }],
  [/^\/publish$/, { POST: publishRoute }],
  [/^\/clients$/, { GET: listClientsRoute }],
  [/^\/clients\/([^/]+)$/, { GET: getClientRoute, DELETE: deleteClientRoute }],
  [/^\/clients\/([^/]+)\/events$/, { POST: sendToClientRoute }],
  [/^\/topics$/, { GET: listTopicsRoute }],
  [/^\/healthz$/, { GET: healthRoute }],
];

export interface RouterOptions {
  readonly hub: Hub;
  readonly config: Pick<ServerConfig, 'maxBodyBytes'>;
  readonly logger: Logger;
}

/** The standalone server's HTTP API as one `(req, res)` handler. */
export function createRouter({ hub, config, logger }: RouterOptions) {
  function dispatch(req: HttpRequest, res: HttpResponse): void | Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'invalid_url', 'malformed request target');
    }
    const found = ROUTES.find(([pattern]) => pattern.test(url.pathname));
    if (found === undefined) throw new HttpError(404, 'not_found', `no route for ${url.pathname}`);
    const [pattern, methods] = found;
    const allow = Object.keys(methods).join(', ');
    // HEAD answers like GET (node drops the body), except on the event stream.
    const method = req.method === 'HEAD' && url.pathname !== '/events' ? 'GET' : req.method;
    const handler = methods[method as keyof Methods];
    if (handler === undefined) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { allow });
        res.end();
        return;
      }
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here`, {
        allow,
      });
    }
    let params: string[];
    try {
      params = pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'invalid_path', 'malformed percent-encoding in the path');
    }
    return handler(req, res, { hub, config, logger, url, params });
  }

  return function route(req: HttpRequest, res: HttpResponse): void {
    // Everything runs inside the promise chain: no request, however malformed, can throw
    // past this point and take the process down.
    Promise.resolve()
      .then(() => dispatch(req, res))
      .catch((error: unknown) => {
        // The client went away mid-request; nobody is left to answer.
        if (req.socket.destroyed) return;
        if (error instanceof HttpError) {
          sendError(res, error.status, error.code, error.message, error.headers);
        } else if (error instanceof HubError) {
          sendError(res, error.status, error.code, error.message);
        } else {
          logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
          sendError(res, 500, 'internal', 'internal error');
        }
      });
  };
}
