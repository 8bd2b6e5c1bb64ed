import type { Hub, Logger } from '../../hub/index.js';
import type { HttpRequest, HttpResponse } from '../../stream/index.js';
import type { Access } from '../access.js';
import type { Limits } from '../limits.js';
import type { Metrics } from '../metrics.js';

/** What a route handler gets besides the request and response. */
export interface RouteContext {
  readonly hub: Hub;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly url: URL;
  /** Path parameters, decoded. */
  readonly params: readonly string[];
  /** What the caller may do; undefined when there is no `authorize` hook (anything). */
  readonly access: Access | undefined;
  /** Connection and rate limits; undefined when none are set. */
  readonly limits: Limits | undefined;
  readonly metrics: Metrics | undefined;
  /** This request's id (also in the `X-Request-Id` response header and its log lines). */
  readonly requestId: string;
  /** The client's address (through trusted proxies). */
  readonly remoteAddress: string;
}

export type RouteHandler = (
  req: HttpRequest,
  res: HttpResponse,
  context: RouteContext,
) => void | Promise<void>;
