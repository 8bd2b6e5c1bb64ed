import type { StoredEvent } from '../history/types.js';
import type { Bus } from './types.js';

/** The single-process bus: delivery is a synchronous call, in publish order. */
export function createLocalBus(): Bus {
  const handlers = new Set<(event: StoredEvent) => void>();
  return {
    async publish(event) {
      for (const handler of handlers) handler(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}
