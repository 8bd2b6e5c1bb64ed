import type { EventInput } from '../history/index.js';
import {
  assertValidEventType,
  assertValidId,
  assertValidRetry,
  SseProtocolError,
} from '../protocol/index.js';
import { HubError } from './errors.js';
import { assertPublishTopic } from './topics.js';

/** The fields of an event, as a publisher gives them. */
export interface EventFields {
  /** A string is sent as is; any other JSON value is sent as its JSON text. */
  readonly data: unknown;
  /** Event type; clients listen with `addEventListener(type)`. No CR, LF or NUL. */
  readonly event?: string | undefined;
  /** Your own id, unique within history. Default: the hub assigns one. No CR, LF or NUL. */
  readonly id?: string | undefined;
  /** `retry:` hint in ms sent with the event. */
  readonly retry?: number | undefined;
}

/** What `hub.publish` takes: fields plus one or more topics, or `broadcast: true`. */
export type PublishInput = EventFields & {
  /** Deliver only to connections whose auth grants the topic (see `SubscribeOptions.privateTopics`). */
  readonly private?: boolean | undefined;
} & (
    | { readonly topic: string; readonly topics?: never; readonly broadcast?: never }
    | { readonly topics: readonly string[]; readonly topic?: never; readonly broadcast?: never }
    | { readonly broadcast: true; readonly topic?: never; readonly topics?: never }
  );

export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  const text = data === undefined ? undefined : JSON.stringify(data);
  if (text === undefined) throw new HubError('invalid_event', 'data is required');
  return text;
}

/** Validates fields and returns them normalised; throws HubError naming the bad field. */
export function checkFields(fields: EventFields, maxEventBytes: number): Omit<EventInput, 'to'> {
  const data = dataText(fields.data);
  try {
    if (fields.event !== undefined) assertValidEventType(fields.event);
    if (fields.id !== undefined) assertValidId(fields.id);
    if (fields.retry !== undefined) assertValidRetry(fields.retry);
  } catch (error) {
    if (error instanceof SseProtocolError) throw new HubError('invalid_event', error.message);
    throw error;
  }
  if (fields.id === '') throw new HubError('invalid_event', 'id must not be empty');
  const size = Buffer.byteLength(data) + Buffer.byteLength(fields.event ?? '');
  if (size > maxEventBytes) {
    throw new HubError('event_too_large', `event is ${size} bytes; the limit is ${maxEventBytes}`);
  }
  return { data, event: fields.event, id: fields.id, retry: fields.retry };
}

export function checkTopics(input: PublishInput, maxTopicLength: number): readonly string[] {
  const topics = input.topic !== undefined ? [input.topic] : (input.topics ?? []);
  if (topics.length === 0) throw new HubError('invalid_topic', 'at least one topic is required');
  for (const topic of topics) {
    if (typeof topic !== 'string') throw new HubError('invalid_topic', 'topics must be strings');
    assertPublishTopic(topic, maxTopicLength);
  }
  return [...new Set(topics)];
}
