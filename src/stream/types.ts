import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/** A request from node:http or node:http2's compatibility API; SSE code treats both alike. */
export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** Why a stream ended. */
export type CloseReason =
  /** The client went away. */
  | 'client-gone'
  /** The client read too slowly and its queue passed the bound. */
  | 'slow-consumer'
  /** The server ended it (an admin disconnect, or the app). */
  | 'closed-by-server'
  /** The hub is shutting down. */
  | 'shutdown'
  /** The socket failed. */
  | 'error'
  /** The credentials the stream was opened with expired. */
  | 'expired';
