import { join } from 'node:path';
import type { Hub, Logger } from '../hub/index.js';
import type { Authorize } from '../server/access.js';
import { readFields } from '../server/body.js';
import { HttpError, sendError, sendJson } from '../server/errors.js';
import { createStaticFiles, PACKAGE_ROOT, packageDir } from '../server/static-files.js';
import { createEventStream, type HttpRequest, type HttpResponse } from '../stream/index.js';
import { createModel } from './answer.js';
import { startDemoFeeds } from './feeds.js';
import { checkDemoName, demoAuthorize, demoTokenFor } from './identity.js';

export interface DemoOptions {
  readonly hub: Hub;
  readonly logger: Logger;
  /**
   * Offer the demo sign-in (who someone is, for pushes to one user). Only for a hub without
   * auth: with auth, who someone is comes from their token. Default false.
   */
  readonly signIn?: boolean | undefined;
  /** Delay between the stand-in model's words (ms). */
  readonly tokenDelayMs?: number | undefined;
}

export interface Demo {
  /** Serves the demo routes; anything else goes to `next`. */
  readonly handle: (req: HttpRequest, res: HttpResponse, next: () => void) => void;
  /** Names demo sign-ins; undefined without `signIn`. */
  readonly authorize: Authorize | undefined;
  close(): void;
}

const PAGES = new Set(['chat', 'dashboard', 'logs', 'ai', 'notifications', 'playground']);
const MAX_PROMPT = 500;
const MAX_GENERATIONS = 20;

// Pages load only their own scripts and styles (no inline script), plus the built client.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

const web = join(PACKAGE_ROOT, 'web');
const files = createStaticFiles(() => [
  { dir: join(web, 'demos'), prefix: '', pattern: /^[\w-]+\.(html|js|css)$/ },
  // The pages import ssehub/client as built ES modules, from where their imports expect them.
  { dir: join(PACKAGE_ROOT, 'dist/client'), prefix: 'client/' },
  { dir: join(PACKAGE_ROOT, 'dist/protocol'), prefix: 'protocol/' },
  { dir: join(packageDir('uplot'), 'dist'), prefix: 'vendor/' },
]);

/**
 * The demo apps `npm start` shows at `/`: chat, dashboard, log tail, AI answer streaming and
 * notifications, all over the hub's public API, plus what they need that a hub has not: the
 * stand-in model's request-scoped stream, a sign-in for the notifications page, and feeds.
 */
export function createDemo(options: DemoOptions): Demo {
  const { hub, logger } = options;
  const model = createModel({ delayMs: options.tokenDelayMs });
  const feeds = startDemoFeeds(hub, logger);

  async function route(req: HttpRequest, res: HttpResponse, path: string): Promise<boolean> {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (path === '/' && method === 'GET') return page(res, 'index');
    if (!path.startsWith('/demos/')) return false;
    const name = path.slice('/demos/'.length);
    if (method === 'GET' && PAGES.has(name)) return page(res, name);
    if (method === 'GET' && files.serve(res, name)) return true;
    if (name === 'ai' && method === 'POST') return answer(req, res);
    if (name === 'ai/stats' && method === 'GET') {
      sendJson(res, 200, model.stats());
      return true;
    }
    if (name === 'sign-in' && method === 'POST') return signIn(req, res);
    const hint = /^(client|protocol)\//.test(name) ? ' (run npm run build)' : '';
    throw new HttpError(404, 'not_found', `no demo file ${name}${hint}`);
  }

  function page(res: HttpResponse, name: string): boolean {
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-frame-options', 'DENY');
    return files.serve(res, `${name}.html`);
  }

  /** `POST /demos/ai {"prompt"}`: the answer as `token` events, then `done`. */
  async function answer(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    const { prompt } = await readFields(req, 16 * 1024);
    if (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > MAX_PROMPT) {
      throw new HttpError(400, 'invalid_prompt', `prompt must be 1 to ${MAX_PROMPT} characters`);
    }
    if (model.stats().active >= MAX_GENERATIONS) {
      throw new HttpError(429, 'busy', 'too many answers streaming; try again shortly', {
        'retry-after': '2',
      });
    }
    const stream = createEventStream(req, res, { heartbeatMs: 10_000 });
    // Leaving the page, pressing stop or a dropped connection all end `stream.signal`,
    // which stops the model mid-word: nothing is generated for nobody.
    void stream.pipe(model.generate(prompt.trim(), stream.signal), { event: 'token' });
    return true;
  }

  /** `POST /demos/sign-in {"name"}`: a token naming the caller, for pushes to one user. */
  async function signIn(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    if (options.signIn !== true) {
      throw new HttpError(
        409,
        'auth_configured',
        'this hub has its own auth: connect with a token it issues instead',
      );
    }
    const name = checkDemoName((await readFields(req, 4096)).name);
    sendJson(res, 200, { name, token: demoTokenFor(name) });
    return true;
  }

  return {
    authorize: options.signIn === true ? demoAuthorize : undefined,
    handle(req, res, next) {
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch {
        // The API's router answers malformed targets.
        next();
        return;
      }
      route(req, res, path)
        .then((served) => {
          if (!served) next();
        })
        .catch((error: unknown) => {
          if (req.socket.destroyed) return;
          if (error instanceof HttpError) {
            sendError(res, error.status, error.code, error.message, error.headers);
          } else {
            logger.error({ err: error, url: req.url }, 'demo request failed');
            sendError(res, 500, 'internal', 'internal error');
          }
        });
    },
    close: () => feeds.stop(),
  };
}
