import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';
import type { Hub } from '../hub/index.js';
import { createHandler, type HandlerOptions } from '../server/handler.js';

/**
 * The hub's routes as Hono middleware on `@hono/node-server`:
 * `app.use('/sse/*', ssehub(hub, { prefix: '/sse' }))`. Paths it does not serve go to `next()`.
 *
 * Streams are written to the Node response directly and Hono is told the response was sent,
 * so no Hono middleware can buffer or re-encode them. For other runtimes, stream with
 * `eventStreamResponse` instead.
 */
export function ssehub(hub: Hub, options: HandlerOptions = {}): MiddlewareHandler {
  const handler = createHandler(hub, options);
  return async (c, next) => {
    const env = c.env as Partial<HttpBindings> | undefined;
    if (env?.incoming === undefined || env.outgoing === undefined) {
      throw new Error('ssehub/hono needs @hono/node-server (c.env.incoming and c.env.outgoing)');
    }
    let passed = false;
    await handler(env.incoming, env.outgoing, () => {
      passed = true;
    });
    if (passed) return next();
    return RESPONSE_ALREADY_SENT;
  };
}
