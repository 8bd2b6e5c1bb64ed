import type { Hub, Logger } from '../../hub/index.js';
import type { HttpRequest, HttpResponse } from '../../stream/index.js';
import type { ServerConfig } from '../config.js';

/** What a route handler gets besides the request and response. */
export interface RouteContext {
  readonly hub: Hub;
  readonly config: Pick<ServerConfig, 'maxBodyBytes'>;
  readonly logger: Logger;
  readonly url: URL;
  /** Path parameters, decoded. */
  readonly params: readonly string[];
}

export type RouteHandler = (
  req: HttpRequest,
  res: HttpResponse,
  context: RouteContext,
) => void | Promise<void>;
