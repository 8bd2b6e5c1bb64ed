export {
  assertValidEventType,
  assertValidId,
  assertValidRetry,
  encodeComment,
  encodeEvent,
  type SseEvent,
} from './encode.js';
export { type SseFieldName, SseParseError, SseProtocolError } from './errors.js';
export {
  createByteParser,
  createParser,
  type ParsedEvent,
  type Parser,
  type ParserCallbacks,
  type ParserOptions,
} from './parse.js';
