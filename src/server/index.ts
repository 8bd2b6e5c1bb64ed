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
export { createRouter, type RouterOptions } from './router.js';
export { type RunningServer, startServer } from './server.js';
