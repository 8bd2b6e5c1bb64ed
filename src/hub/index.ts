export { HubError, type HubErrorCode } from './errors.js';
export { createHub } from './hub.js';
export type { Logger } from './logger.js';
export { dataText, type EventFields, type PublishInput } from './publish-input.js';
export type { ClientInfo } from './subscriber.js';
export {
  assertPublishTopic,
  assertSubscription,
  isPattern,
  matchesTopic,
  patternCovers,
} from './topics.js';
export type {
  ClientDirectory,
  FanOutObserver,
  Hub,
  HubOptions,
  HubStats,
  Member,
  SubscribeOptions,
} from './types.js';
