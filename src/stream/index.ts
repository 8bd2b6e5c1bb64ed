export { type CompressionOption, negotiateEncoding } from './compression.js';
export { createEventStream, type EventStream, type EventStreamOptions } from './event-stream.js';
export { type EventStreamResponseOptions, eventStreamResponse } from './event-stream-response.js';
export { createFrame, type Frame } from './frame.js';
export { acceptsEventStream, eventStreamHeaders } from './headers.js';
export type { EventInit, PipeOptions, PipeResult } from './pipe-events.js';
export { openSseStream, type SseStream, type SseStreamOptions } from './sse-stream.js';
export type { CloseReason, HttpRequest, HttpResponse } from './types.js';
