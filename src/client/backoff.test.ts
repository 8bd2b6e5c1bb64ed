import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { minDelayMs: 100, maxDelayMs: 30_000 };

  it('draws from [0, base·2^attempt], capped, never under the floor', () => {
    expect(backoffDelay(policy, 1000, 0, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 1000, 3, () => 0.5)).toBe(4000);
    expect(backoffDelay(policy, 1000, 10, () => 0.999)).toBe(29_970);
    expect(backoffDelay(policy, 1000, 0, () => 0)).toBe(100);
    expect(backoffDelay(policy, 0, 5, () => 0.7)).toBe(100);
  });

  it('stays finite for any attempt count', () => {
    expect(backoffDelay(policy, 3000, 10_000, () => 1)).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('Sun, 22 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read, so backoff applies instead', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});
