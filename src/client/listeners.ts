import { createEventQueue, type EventQueue } from './event-queue.js';
import type { SseEvent } from './types.js';

type Handler = (event: SseEvent<string, unknown>) => void;

/**
 * Where dispatched events go: `on` handlers by type and every open `for await` loop. A handler
 * that throws does not stop the others or the stream; its error goes to `onHandlerError`.
 */
export function createListeners(onHandlerError: (error: unknown) => void) {
  const handlers = new Map<string, Set<Handler>>();
  const queues = new Set<EventQueue<SseEvent<string, unknown>>>();
  let ended = false;
  let endError: Error | undefined;

  return {
    on(type: string, handler: Handler): () => void {
      let set = handlers.get(type);
      if (set === undefined) {
        set = new Set();
        handlers.set(type, set);
      }
      set.add(handler);
      return () => this.off(type, handler);
    },
    off(type: string, handler: Handler): void {
      const set = handlers.get(type);
      if (set === undefined) return;
      set.delete(handler);
      if (set.size === 0) handlers.delete(type);
    },
    /** A queue for one loop; leaving the loop early calls `onLeave`. */
    iterate(onLeave: () => void): EventQueue<SseEvent<string, unknown>> {
      const queue = createEventQueue<SseEvent<string, unknown>>(() => {
        queues.delete(queue);
        onLeave();
      });
      if (ended) queue.end(endError);
      else queues.add(queue);
      return queue;
    },
    /** `isLive` is checked before each handler, so one that calls `close()` stops the rest. */
    dispatch(event: SseEvent<string, unknown>, isLive: () => boolean): void {
      const set = handlers.get(event.type);
      if (set !== undefined) {
        for (const handler of [...set]) {
          if (!isLive()) return;
          try {
            handler(event);
          } catch (error) {
            onHandlerError(error);
          }
        }
      }
      if (!isLive()) return;
      for (const queue of queues) queue.push(event);
    },
    end(error?: Error): void {
      ended = true;
      endError = error;
      for (const queue of queues) queue.end(error);
      queues.clear();
    },
  };
}
