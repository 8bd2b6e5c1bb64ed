import type { Hub } from '../hub/index.js';
import { createHandler, type HandlerOptions, type NodeHandler } from '../server/handler.js';

/**
 * The hub's routes as Express (4 or 5) or Connect middleware:
 * `app.use('/sse', ssehub(hub, { authorize }))`. Paths it does not serve go to `next()`.
 *
 * Express removes the mount path before middleware runs, so no `prefix` is needed. The stream
 * sends `Cache-Control: no-transform`, which the `compression` middleware honours, so an
 * app-wide `app.use(compression())` cannot buffer events; use the hub's own `compression`
 * option to compress streams.
 */
export function ssehub(hub: Hub, options: Omit<HandlerOptions, 'prefix'> = {}): NodeHandler {
  return createHandler(hub, options);
}
