import type { ConnectOptions } from './types.js';

/** A typo'd option fails at once, not as a tight loop or a timer that never fires. */
export function checkDurations(options: ConnectOptions): void {
  const durations: Record<string, number | undefined> = {
    watchdogMs: options.watchdogMs,
    'reconnect.initialDelayMs': options.reconnect?.initialDelayMs,
    'reconnect.maxDelayMs': options.reconnect?.maxDelayMs,
    'reconnect.minDelayMs': options.reconnect?.minDelayMs,
    'reconnect.healthyAfterMs': options.reconnect?.healthyAfterMs,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`ssehub/client: ${name} must be a finite number ≥ 0, got ${value}`);
    }
  }
  const retries = options.reconnect?.maxRetries;
  if (retries !== undefined && !(retries >= 0)) {
    throw new RangeError(`ssehub/client: reconnect.maxRetries must be ≥ 0, got ${retries}`);
  }
}
