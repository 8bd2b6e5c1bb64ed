import { join } from 'node:path';
import { createEventStream } from '../../stream/index.js';
import { checkAdmin } from '../access.js';
import { HttpError } from '../errors.js';
import { createStaticFiles, PACKAGE_ROOT, packageDir, serveFile } from '../static-files.js';
import type { RouteHandler } from './types.js';

const page = join(PACKAGE_ROOT, 'web/admin');

// The page talks to the hub with ssehub/client: the built ES modules, as they are.
const assets = createStaticFiles(() => [
  { dir: page, prefix: '' },
  { dir: join(PACKAGE_ROOT, 'dist/client'), prefix: 'client/' },
  { dir: join(PACKAGE_ROOT, 'dist/protocol'), prefix: 'protocol/' },
  { dir: join(packageDir('uplot'), 'dist'), prefix: 'vendor/' },
]);

/** `GET /admin`: the page. It holds no data; everything it shows needs the admin token. */
export const adminPageRoute: RouteHandler = (_req, res) => {
  res.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'");
  res.setHeader('x-frame-options', 'DENY');
  serveFile(res, join(page, 'index.html'));
};

export const adminAssetRoute: RouteHandler = (_req, res, { params }) => {
  if (!assets.serve(res, params[0]!)) {
    const hint = params[0]!.startsWith('client/') ? ' (run npm run build)' : '';
    throw new HttpError(404, 'not_found', `no admin asset ${params[0]}${hint}`);
  }
};

/**
 * `GET /admin/stream`: the page's data as SSE, over the hub's own stream code: `stats` every
 * second, `clients`, `topics` and `recent` (latest event per topic) every two.
 */
export const adminStreamRoute: RouteHandler = (req, res, { hub, access, metrics, limits }) => {
  checkAdmin(access, 'the admin stream');
  const stream = createEventStream(req, res, { retry: 2000 });
  let last = hub.stats();
  let lastAt = Date.now();
  let tick = 0;
  const started = Date.now();
  const send = () => {
    const now = Date.now();
    const stats = hub.stats();
    const seconds = Math.max(0.001, (now - lastAt) / 1000);
    const perSecond = (a: number, b: number) => Math.round((a - b) / seconds);
    void stream.send({
      event: 'stats',
      data: {
        at: now,
        uptimeSeconds: Math.round((now - started) / 1000),
        connections: stats.connections,
        topics: hub.topics().length,
        publishesPerSecond: perSecond(stats.eventsPublished, last.eventsPublished),
        deliveriesPerSecond: perSecond(stats.eventsDelivered, last.eventsDelivered),
        bytesPerSecond: perSecond(stats.bytesOut, last.bytesOut),
        totals: stats,
        latency: metrics?.recentPercentiles(5000),
        rejected: limits?.stats().rejected,
        health: hub.health(),
        rssBytes: process.memoryUsage().rss,
      },
    });
    last = stats;
    lastAt = now;
    if (tick++ % 2 === 0) {
      void stream.send({ event: 'clients', data: hub.clients().slice(0, 200) });
      void stream.send({ event: 'topics', data: hub.topics() });
      void stream.send({ event: 'recent', data: metrics?.latestEvents() ?? [] });
    }
  };
  send();
  const timer = setInterval(send, 1000);
  stream.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
};
