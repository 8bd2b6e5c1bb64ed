export { createMemoryHistory, type MemoryHistoryOptions } from './memory.js';
export {
  DuplicateEventIdError,
  type EventInput,
  type HistoryStore,
  type ReadResult,
  type Recipients,
  type ResetReason,
  type StoredEvent,
} from './types.js';
