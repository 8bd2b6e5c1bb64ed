import { createFrame } from '../stream/index.js';
import type { Subscriber } from './subscriber.js';

// A comment line is ignored by clients but proves the connection is alive.
const HEARTBEAT = createFrame(':\n\n');

/**
 * One sweep for all connections, instead of a timer each. Ticking at half the interval bounds
 * the quiet gap on any stream to about `intervalMs`; streams written to recently are skipped.
 */
export function startHeartbeat(
  subscribers: ReadonlyMap<string, Subscriber>,
  intervalMs: number,
): { stop(): void } {
  const timer = setInterval(() => {
    const due = Date.now() - intervalMs / 2;
    for (const subscriber of subscribers.values()) {
      if (subscriber.stream.lastWriteAt <= due) subscriber.stream.write(HEARTBEAT);
    }
  }, intervalMs / 2);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
