export { createLocalBus } from './local.js';
export type { Bus } from './types.js';
