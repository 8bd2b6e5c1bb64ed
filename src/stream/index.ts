export { createFrame, type Frame } from './frame.js';
export { acceptsEventStream, eventStreamHeaders } from './headers.js';
export { openSseStream, type SseStream, type SseStreamOptions } from './sse-stream.js';
export type { CloseReason, HttpRequest, HttpResponse } from './types.js';
