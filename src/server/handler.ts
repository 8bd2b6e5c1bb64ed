import { randomUUID } from 'node:crypto';
import { type Hub, HubError, type Logger } from '../hub/index.js';
import { silentLogger } from '../hub/logger.js';
import type { HttpRequest, HttpResponse } from '../stream/index.js';
import { type Authorize, accessOf } from './access.js';
import { clientAddress } from './client-address.js';
import { createCors } from './cors.js';
import { HttpError, sendError } from './errors.js';
import type { Limits } from './limits.js';
import type { Metrics } from './metrics.js';
import {
  deleteClientRoute,
  getClientRoute,
  healthRoute,
  listClientsRoute,
  listTopicsRoute,
} from './routes/admin.js';
import { adminAssetRoute, adminPageRoute, adminStreamRoute } from './routes/admin-page.js';
import { subscribeRoute } from './routes/events.js';
import { membersRoute, metricsRoute, readyRoute } from './routes/ops.js';
import { publishRoute, sendToClientRoute, sendToUserRoute } from './routes/publish.js';
import type { RouteHandler } from './routes/types.js';

/** What the error path needs to know of a request. */
interface RequestState {
  /** A subscribe request: a refusal counts as a refused connection. */
  stream: boolean;
  requestId: string | undefined;
}

type Methods = Partial<Record<'GET' | 'POST' | 'DELETE', RouteHandler>>;
interface Route {
  readonly pattern: RegExp;
  readonly methods: Methods;
  /** Answered without asking `authorize`. */
  readonly open?: boolean;
}

// A capture group is a path parameter. Order does not matter: the patterns are disjoint.
const API: readonly Route[] = [
  { pattern: /^\/events$/, methods: { GET: subscribeRoute } },
  { pattern: /^\/publish$/, methods: { POST: publishRoute } },
  { pattern: /^\/clients$/, methods: { GET: listClientsRoute } },
  {
    pattern: /^\/clients\/([^/]+)$/,
    methods: { GET: getClientRoute, DELETE: deleteClientRoute },
  },
  { pattern: /^\/clients\/([^/]+)\/events$/, methods: { POST: sendToClientRoute } },
  { pattern: /^\/users\/([^/]+)\/events$/, methods: { POST: sendToUserRoute } },
  { pattern: /^\/topics$/, methods: { GET: listTopicsRoute } },
  { pattern: /^\/topics\/(.+)\/subscribers$/, methods: { GET: membersRoute } },
  { pattern: /^\/healthz$/, methods: { GET: healthRoute }, open: true },
  { pattern: /^\/readyz$/, methods: { GET: readyRoute }, open: true },
  { pattern: /^\/metrics$/, methods: { GET: metricsRoute } },
];
const ADMIN: readonly Route[] = [
  { pattern: /^\/admin\/?$/, methods: { GET: adminPageRoute }, open: true },
  { pattern: /^\/admin\/stream$/, methods: { GET: adminStreamRoute } },
  { pattern: /^\/admin\/assets\/(.+)$/, methods: { GET: adminAssetRoute }, open: true },
];

export interface HandlerOptions {
  /**
   * Path the routes live under (`/sse` serves `/sse/events`), removed before matching. Express
   * removes its mount path itself and needs none; Fastify and Hono mounts pass theirs.
   */
  readonly prefix?: string | undefined;
  /** Largest request body. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  readonly logger?: Logger | undefined;
  /** The app's auth: who the caller is and which topics it may use. See `Access`. */
  readonly authorize?: Authorize | undefined;
  /** Origins allowed cross-origin (see `createCors`). Default none: same-origin only. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Proxies in front whose X-Forwarded-For is believed for client addresses. Default 0. */
  readonly trustProxy?: number | undefined;
  /** Connection and rate limits (`createLimits`). Default none. */
  readonly limits?: Limits | undefined;
  /** Serves `GET /metrics` and counts refused streams (`createMetrics`). Default none. */
  readonly metrics?: Metrics | undefined;
  /** Serve the admin page at `/admin`. Default false; the standalone server turns it on. */
  readonly adminPage?: boolean | undefined;
}

/**
 * A node:http / node:http2 request handler. With `next` (Express, Connect), requests for paths
 * it does not serve are passed on; without it they get a JSON 404. The promise (which never
 * rejects) settles once the request is answered, handed to `next`, or its stream is open.
 */
export type NodeHandler = (
  req: HttpRequest,
  res: HttpResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/** The hub's HTTP API (subscribe, publish, clients, topics, health) as one handler. */
export function createHandler(hub: Hub, options: HandlerOptions = {}): NodeHandler {
  const prefix = normalizePrefix(options.prefix);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  const routes = [...API, ...(options.adminPage ? ADMIN : [])];
  const cors = createCors(options.corsOrigins ?? []);

  /** The route's path under the prefix, or undefined if the request is not for us. */
  function localPath(pathname: string): string | undefined {
    if (prefix === '') return pathname;
    if (pathname === prefix) return '/';
    return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : undefined;
  }

  async function dispatch(
    req: HttpRequest,
    res: HttpResponse,
    next: ((error?: unknown) => void) | undefined,
    state: RequestState,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'invalid_url', 'malformed request target');
    }
    const path = localPath(url.pathname);
    const route = path === undefined ? undefined : routes.find((r) => r.pattern.test(path));
    if (route === undefined || path === undefined) {
      if (next) return next();
      throw new HttpError(404, 'not_found', `no route for ${url.pathname}`);
    }
    if (cors(req, res)) return;
    const allow = Object.keys(route.methods).join(', ');
    // HEAD answers like GET (node drops the body), except on the event stream.
    const method = req.method === 'HEAD' && path !== '/events' ? 'GET' : req.method;
    const handler = route.methods[method as keyof Methods];
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
      params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'invalid_path', 'malformed percent-encoding in the path');
    }
    state.stream = path === '/events';
    const requestId = requestIdOf(req);
    state.requestId = requestId;
    // A stream sends it with its own headers: setHeader would give every open stream a
    // header table of its own to keep (about 300 bytes each).
    if (!state.stream) res.setHeader('x-request-id', requestId);
    const access = route.open ? undefined : await accessOf(options.authorize, req);
    await handler(req, res, {
      hub,
      maxBodyBytes,
      logger,
      url,
      params,
      access,
      limits: options.limits,
      metrics: options.metrics,
      requestId,
      remoteAddress: clientAddress(req, options.trustProxy ?? 0),
    });
  }

  return function handle(req, res, next) {
    // Everything runs inside the promise chain: no request, however malformed, can throw
    // past this point and take the process down.
    const state: RequestState = { stream: false, requestId: undefined };
    return Promise.resolve()
      .then(() => dispatch(req, res, next, state))
      .catch((error: unknown) => {
        // The client went away mid-request; nobody is left to answer.
        if (req.socket.destroyed) return;
        const code =
          error instanceof HttpError || error instanceof HubError ? error.code : 'internal';
        // Limits count their own refusals, by reason.
        if (state.stream && code !== 'too_many_requests') {
          options.metrics?.streamRefused(code);
        }
        const { requestId } = state;
        logger.debug({ requestId, method: req.method, url: req.url, code }, 'request refused');
        if (requestId !== undefined && !res.headersSent) res.setHeader('x-request-id', requestId);
        if (error instanceof HttpError) {
          sendError(res, error.status, error.code, error.message, error.headers);
        } else if (error instanceof HubError) {
          sendError(res, error.status, error.code, error.message);
        } else {
          logger.error(
            { err: error, requestId, method: req.method, url: req.url },
            'request failed',
          );
          sendError(res, 500, 'internal', 'internal error');
        }
      });
  };
}

function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!prefix.startsWith('/'))
    throw new TypeError(`ssehub: prefix must start with "/", got "${prefix}"`);
  return prefix.replace(/\/+$/, '');
}

/** A proxy's `X-Request-Id` when it looks like one, so logs line up across hops; else a new one. */
function requestIdOf(req: HttpRequest): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given)) return given;
  return randomUUID();
}
