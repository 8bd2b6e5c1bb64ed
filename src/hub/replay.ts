import type { HistoryStore, StoredEvent } from '../history/index.js';
import { encodeEvent } from '../protocol/index.js';
import type { Frame } from '../stream/index.js';
import type { Logger } from './logger.js';
import type { Subscriber } from './subscriber.js';

/**
 * Resume after `Last-Event-ID`: replays what the subscriber missed from history, or sends
 * `reset`, then releases the live events held meanwhile, so the seam has no gap and no repeat.
 *
 * A fresh subscriber (no id) is told the newest position instead, as the id of its `connected`
 * event (or of an id-only block): its `Last-Event-ID` then points at where it joined, so a drop
 * before its first event resumes from there rather than missing what came in between. The
 * `connected` event carries it because some clients (the `eventsource` package) skip id-only
 * blocks, which the spec and browsers honour.
 */
export function createReplay(deps: {
  history: HistoryStore;
  log: Logger;
  maxQueueBytes: number;
  wants(subscriber: Subscriber, event: StoredEvent): boolean;
  frameOf(event: StoredEvent): Frame;
  write(subscriber: Subscriber, frame: Frame): void;
  /** Counts one replayed event. */
  replayed(): void;
  /** Counts one reset. */
  reset(): void;
}) {
  const { history, log, maxQueueBytes, wants, frameOf, write, replayed, reset } = deps;
  async function position(subscriber: Subscriber, greeting: string | undefined): Promise<void> {
    let head: string | undefined;
    try {
      // No id is '' : every store answers it with the newest position.
      const result = await history.readAfter('');
      if (!result.ok) head = result.head;
    } catch (error) {
      // Live events still flow; only a resume before the first event is not covered.
      log.warn({ err: error, clientId: subscriber.id }, 'history unreadable: no start position');
    }
    if (subscriber.stream.closed) return;
    if (greeting !== undefined || head !== undefined) {
      subscriber.stream.write(
        encodeEvent({ event: greeting && 'connected', data: greeting, id: head }),
      );
    }
    release(subscriber, new Set());
  }

  /** Writes the live events held during the read, except those the read already sent. */
  function release(subscriber: Subscriber, sent: ReadonlySet<string>): void {
    const held = subscriber.held ?? [];
    subscriber.held = undefined;
    subscriber.heldBytes = 0;
    for (const { event, frame } of held) {
      if (!sent.has(event.id)) write(subscriber, frame);
    }
  }

  /** `greeting`: the data of the `connected` event a fresh subscriber gets, if any. */
  return async function replay(
    subscriber: Subscriber,
    lastEventId: string | undefined,
    greeting?: string,
  ): Promise<void> {
    if (!lastEventId) return position(subscriber, greeting);
    let result: Awaited<ReturnType<HistoryStore['readAfter']>>;
    try {
      result = await history.readAfter(lastEventId);
    } catch (error) {
      // The stream is open already; ending it makes the client retry with the same id later,
      // which is better than carrying on with a gap it would never learn of.
      log.warn({ err: error, clientId: subscriber.id }, 'history unreadable: resume postponed');
      subscriber.stream.close('error');
      return;
    }
    if (subscriber.stream.closed) return;
    // Events published after we started holding may also be in the history we just read;
    // they are written once, in history order. Live events keep being held until the end.
    const sent = new Set<string>();
    if (result.ok) {
      const { stream } = subscriber;
      for (const event of result.events) {
        if (event.control !== undefined || !wants(subscriber, event)) continue;
        const frame = frameOf(event);
        // A backlog may be far larger than the queue bound: write it at the client's pace.
        // Live events meanwhile are held, and bounded, as before.
        while (!stream.closed && stream.queuedBytes + frame.bytes.length > maxQueueBytes) {
          await stream.drained();
        }
        if (stream.closed) return;
        sent.add(event.id);
        write(subscriber, frame);
        replayed();
      }
    } else {
      reset();
      // No id line on the reset itself; the id-only block after it moves the client's
      // Last-Event-ID to the present, so its next reconnect resumes instead of resetting again.
      subscriber.stream.write(
        encodeEvent({ event: 'reset', data: JSON.stringify({ reason: result.reason }) }) +
          encodeEvent({ id: result.head }),
      );
      log.debug({ clientId: subscriber.id, reason: result.reason }, 'resume impossible: reset');
    }
    if (subscriber.stream.closed) return;
    release(subscriber, sent);
  };
}
