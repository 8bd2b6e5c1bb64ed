import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventStream } from '../../stream/index.js';
import { checkAdmin } from '../access.js';
import { HttpError } from '../errors.js';
import type { RouteHandler } from './types.js';

// Three levels up from src/server/routes or dist/server/routes is the package root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const page = join(root, 'web/admin');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Every file the admin page may load, by URL path, found once at start: a request can only
 * name one of these, so no path ever reaches the file system.
 */
function assetFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (/^[\w.-]+\.(js|css)$/.test(name) && !name.includes('.test.')) {
        files.set(`${prefix}${name}`, join(dir, name));
      }
    }
  };
  add(page, '');
  // The page talks to the hub with ssehub/client: the built ES modules, as they are.
  add(join(root, 'dist/client'), 'client/');
  add(join(root, 'dist/protocol'), 'protocol/');
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  add(join(uplot, 'dist'), 'vendor/');
  return files;
}

let assets: Map<string, string> | undefined;

function serveFile(res: Parameters<RouteHandler>[1], path: string): void {
  const body = readFileSync(path);
  const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** `GET /admin`: the page. It holds no data; everything it shows needs the admin token. */
export const adminPageRoute: RouteHandler = (_req, res) => {
  res.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'");
  res.setHeader('x-frame-options', 'DENY');
  serveFile(res, join(page, 'index.html'));
};

export const adminAssetRoute: RouteHandler = (_req, res, { params }) => {
  assets ??= assetFiles();
  const file = assets.get(params[0]!);
  if (file === undefined) {
    const hint = params[0]!.startsWith('client/') ? ' (run npm run build)' : '';
    throw new HttpError(404, 'not_found', `no admin asset ${params[0]}${hint}`);
  }
  serveFile(res, file);
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
