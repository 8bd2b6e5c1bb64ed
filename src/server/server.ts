import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createServerAuthorize } from '../auth/server-auth.js';
import type { Bus } from '../bus/index.js';
import { createDemo } from '../demo/routes.js';
import { createWorkerEngine } from '../engines/cluster.js';
import { createMemoryHistory, type HistoryStore } from '../history/index.js';
import type { ClientDirectory } from '../hub/index.js';
import { createHub, type Hub, type Logger } from '../hub/index.js';
import type { CompressionOption } from '../stream/index.js';
import { authConfigured, type ServerConfig } from './config.js';
import { createHandler } from './handler.js';
import { createLimits, type Limits } from './limits.js';
import { createMetrics } from './metrics.js';

export interface RunningServer {
  readonly hub: Hub;
  /** Open streams and refusals by reason. */
  readonly limits: Limits;
  readonly server: http.Server | http2.Http2SecureServer;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting, closes streams in batches over `config.shutdownGrace`, then closes every
   * connection. Resolves within the grace window plus a short bound, whatever clients do.
   */
  close(): Promise<void>;
}

/** Builds a hub from `config` and serves the HTTP API on it. */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const metrics = createMetrics();
  const engine = await startEngine(config, logger);
  const demos = config.demos ?? !authConfigured(config);
  const hub = createHub({
    ...engine,
    onFanOut: metrics.observeFanOut,
    // The chat demo lists who is in each room.
    presence: demos ? [...config.presenceTopics, 'chat/**'] : config.presenceTopics,
    heartbeatMs: config.heartbeat * 1000,
    retryMs: config.retry,
    maxQueueBytes: config.maxQueueBytes,
    maxEventBytes: config.maxEventBytes,
    maxTopicsPerSubscriber: config.maxTopics,
    maxTopicLength: config.maxTopicLength,
    connectedEvent: config.connectedEvent,
    compression: compressionOption(config.compression),
    logger,
  });
  const authorize = createServerAuthorize({
    secret: config.jwtSecret,
    publicKey: config.jwtPublicKey,
    jwksUrl: config.jwksUrl,
    audience: config.jwtAudience,
    issuer: config.jwtIssuer,
    cookie: config.jwtCookie,
    query: config.queryToken,
    adminToken: config.adminToken,
    publishKey: config.publishKey,
    publicTopics: config.publicTopics,
  });
  const demo = demos
    ? createDemo({
        hub,
        logger,
        signIn: authorize === undefined,
      })
    : undefined;
  if (authorize === undefined) {
    logger.warn(
      { host: config.host },
      'no auth configured: anyone who can reach this address may subscribe and publish',
    );
  }
  const limits = createLimits({
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    maxConnectionsPerSubject: config.maxConnectionsPerSubject,
    subscribeRate: config.subscribeRate,
    publishRate: config.publishRate,
    fdReserve: config.fdReserve,
  });
  metrics.attach({ hub, limits });
  const router = createHandler(hub, {
    metrics,
    adminPage: true,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    authorize: authorize ?? demo?.authorize,
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    limits,
  });
  const handler = demo
    ? (
        req: http.IncomingMessage | http2.Http2ServerRequest,
        res: http.ServerResponse | http2.Http2ServerResponse,
      ) => demo.handle(req, res, () => void router(req, res))
    : router;
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = tls
    ? http2.createSecureServer(
        {
          cert: readFileSync(config.tlsCert!),
          key: readFileSync(config.tlsKey!),
          allowHTTP1: true,
        },
        handler,
      )
    : // Node checks header timeouts on this interval (30 s by default), which would let a
      // slow-header client hold its socket for up to 30 s past --headers-timeout.
      http.createServer({ connectionsCheckingInterval: 1000 }, handler);
  // Slow-header clients (slowloris) are cut after this; an open stream is not affected.
  if (server instanceof http.Server) server.headersTimeout = config.headersTimeout * 1000;
  if (tls) {
    server.on('session', (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue absorbs reconnect storms (every client of a restarted node at once);
    // Node's default of 511 overflows into SYN cookies and resets. The kernel caps it at
    // net.core.somaxconn.
    server.listen({ port: config.port, host: config.host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    demo?.close();
    await hub.close({ graceMs: config.shutdownGrace });
    limits.close();
    for (const session of sessions) session.close();
    if (server instanceof http.Server) server.closeIdleConnections();
    // Whatever is still open after a short wait (a client mid-request) is cut.
    const force = setTimeout(() => {
      if (server instanceof http.Server) server.closeAllConnections();
      for (const session of sessions) session.destroy();
    }, 1000);
    await closed;
    clearTimeout(force);
  }

  return {
    hub,
    limits,
    server,
    url,
    port,
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}

function compressionOption(mode: ServerConfig['compression']): CompressionOption {
  if (mode === 'off') return false;
  return mode === 'auto' ? true : mode;
}

/**
 * History and bus for the configured engine. Redis that cannot be reached at start is not
 * fatal: the hub serves, /readyz says 503, publishes get 503, and the client keeps retrying.
 */
async function startEngine(
  config: ServerConfig,
  logger: Logger,
): Promise<{ history: HistoryStore; bus?: Bus; directory?: ClientDirectory }> {
  if (config.engine === 'memory' && config.workers > 1 && cluster.isWorker) {
    // The primary holds the history; this worker reaches it over IPC.
    return createWorkerEngine();
  }
  if (config.engine === 'memory') {
    return {
      history: createMemoryHistory({
        maxEvents: config.historySize,
        maxBytes: config.historyBytes,
        maxAgeMs: config.historyMaxAge * 1000,
      }),
    };
  }
  const bounds = {
    prefix: config.enginePrefix,
    maxEvents: config.historySize,
    maxAgeMs: config.historyMaxAge * 1000,
    logger,
  };
  // Loaded only when used: a memory hub never pays for the Redis or NATS clients.
  const engine =
    config.engine === 'redis'
      ? (await import('../engines/redis.js')).createRedisEngine({ url: config.redisUrl, ...bounds })
      : (await import('../engines/nats.js')).createNatsEngine({ url: config.natsUrl, ...bounds });
  // Waiting on the first connection a little keeps a healthy start ready at once; past that
  // the hub serves as not ready and the engine keeps connecting in the background.
  const connecting = engine.connect().then(
    () => {
      logger.info({ engine: config.engine }, 'engine connected');
      return true;
    },
    (error: Error) => {
      logger.error({ engine: config.engine, err: error.message }, 'engine connection failed');
      return false;
    },
  );
  const first = await Promise.race([connecting, delay(3000, false, { ref: false })]);
  if (!first) {
    logger.error(
      { engine: config.engine },
      'engine unreachable at start: serving anyway, not ready until it connects',
    );
  }
  return { history: engine.history, bus: engine.bus, directory: engine.directory };
}
