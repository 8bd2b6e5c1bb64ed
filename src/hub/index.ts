export { HubError, type HubErrorCode } from './errors.js';
export {
  createHub,
  type Hub,
  type HubOptions,
  type HubStats,
  type SubscribeOptions,
} from './hub.js';
export type { Logger } from './logger.js';
export { dataText, type EventFields, type PublishInput } from './publish-input.js';
export type { ClientInfo } from './subscriber.js';
export { assertPublishTopic, assertSubscription, isPattern, matchesTopic } from './topics.js';
