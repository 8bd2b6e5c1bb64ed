export { backoffDelay, parseRetryAfter } from './backoff.js';
export { connect } from './connect.js';
export { SseClientError, type SseClientErrorCode, SseHttpError, SseJsonError } from './errors.js';
export {
  CLOSED,
  CONNECTING,
  type ConnectOptions,
  type EventMap,
  type EventOf,
  OPEN,
  type ReadyState,
  type ReconnectOptions,
  type ResetInfo,
  type SseClient,
  type SseEvent,
} from './types.js';
