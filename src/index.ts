export { type Bus, createLocalBus } from './bus/index.js';
export {
  createMemoryHistory,
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type MemoryHistoryOptions,
  type ReadResult,
  type Recipients,
  type ResetReason,
  type StoredEvent,
} from './history/index.js';
export {
  type ClientInfo,
  createHub,
  type EventFields,
  type Hub,
  HubError,
  type HubErrorCode,
  type HubOptions,
  type HubStats,
  type Logger,
  matchesTopic,
  type PublishInput,
  type SubscribeOptions,
} from './hub/index.js';
export { encodeComment, encodeEvent, type SseEvent, SseProtocolError } from './protocol/index.js';
export {
  ConfigError,
  createRouter,
  loadConfig,
  type RunningServer,
  type ServerConfig,
  startServer,
} from './server/index.js';
export {
  acceptsEventStream,
  type CloseReason,
  type CompressionOption,
  createEventStream,
  type EventInit,
  type EventStream,
  type EventStreamOptions,
  type EventStreamResponseOptions,
  eventStreamResponse,
  openSseStream,
  type PipeOptions,
  type PipeResult,
  type SseStream,
  type SseStreamOptions,
} from './stream/index.js';
