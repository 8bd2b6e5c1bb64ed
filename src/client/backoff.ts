export interface BackoffPolicy {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base·2^attempt)],
 * raised to `minDelayMs`. Full jitter spreads a crowd of clients that lost the same server over
 * the whole window instead of sending them back in waves.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(
  policy: BackoffPolicy,
  baseMs: number,
  attempt: number,
  random: () => number = Math.random,
): number {
  // 2^31 keeps the multiplication finite for any attempt count.
  const ceiling = Math.min(policy.maxDelayMs, baseMs * 2 ** Math.min(attempt, 31));
  return Math.max(policy.minDelayMs, Math.floor(random() * ceiling));
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date. Undefined when absent or unreadable, so a
 * garbled header falls back to the normal backoff rather than to zero.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10) * 1000;
  // An HTTP date has a month name; without this, Date.parse reads "-5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
