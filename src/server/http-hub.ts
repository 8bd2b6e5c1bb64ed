import { createHub as createCoreHub, type Hub, type HubOptions } from '../hub/index.js';
import { createHandler, type HandlerOptions, type NodeHandler } from './handler.js';

export interface HttpHubOptions extends HubOptions, HandlerOptions {}

export interface HttpHub extends Hub {
  /**
   * The hub's HTTP API (`/events`, `/publish`, `/clients`, `/topics`, `/healthz`) as one
   * node:http handler: `http.createServer(hub.handler)`, or Express's `app.use('/sse', hub.handler)`.
   */
  readonly handler: NodeHandler;
}

/** A hub with its HTTP API attached; `HandlerOptions` (auth, prefix) shape `handler`. */
export function createHub(options: HttpHubOptions = {}): HttpHub {
  const hub = createCoreHub(options);
  return Object.assign(hub, { handler: createHandler(hub, options) });
}
