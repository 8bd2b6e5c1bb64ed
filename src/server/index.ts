export type { Access, Authorize } from './access.js';
export {
  ConfigError,
  type ConfigSources,
  describeKey,
  envOf,
  flagOf,
  loadConfig,
  SETTINGS,
  type ServerConfig,
  type SettingKey,
} from './config.js';
export { createCors } from './cors.js';
export { HttpError } from './errors.js';
export { createHandler, type HandlerOptions, type NodeHandler } from './handler.js';
export { createHub, type HttpHub, type HttpHubOptions } from './http-hub.js';
export { createLimits, type LimitOptions, type Limits, type RejectReason } from './limits.js';
export { type RunningServer, startServer } from './server.js';
