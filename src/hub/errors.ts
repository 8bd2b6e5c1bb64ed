export type HubErrorCode =
  | 'invalid_topic'
  | 'too_many_topics'
  | 'invalid_event'
  | 'event_too_large'
  | 'duplicate_id'
  | 'client_not_found'
  | 'invalid_subject'
  | 'engine_unavailable'
  | 'shutting_down';

const STATUS: Record<HubErrorCode, number> = {
  invalid_topic: 400,
  too_many_topics: 400,
  invalid_event: 400,
  event_too_large: 413,
  duplicate_id: 409,
  client_not_found: 404,
  invalid_subject: 400,
  engine_unavailable: 503,
  shutting_down: 503,
};

/** A request the hub refuses; `status` is the HTTP status that fits it. */
export class HubError extends Error {
  override readonly name = 'HubError';
  readonly status: number;
  constructor(
    readonly code: HubErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}
