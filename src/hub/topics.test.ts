import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubError } from './errors.js';
import {
  assertPublishTopic,
  assertSubscription,
  compileMatcher,
  createTopicIndex,
  matchesTopic,
  patternCovers,
} from './topics.js';

describe('topic matching', () => {
  it.each([
    ['orders', 'orders', true],
    ['orders', 'orders/1', false],
    ['orders/*', 'orders/1', true],
    ['orders/*', 'orders', false],
    ['orders/*', 'orders/eu/1', false],
    ['orders/*/items', 'orders/1/items', true],
    ['orders/**', 'orders/1', true],
    ['orders/**', 'orders/eu/1', true],
    ['orders/**', 'orders', false],
    ['*', 'a', true],
    ['*', 'a/b', false],
    ['**', 'a/b/c', true],
    ['*/x/**', 'a/x/b/c', true],
    ['*/x/**', 'a/y/b', false],
  ])('%s matches %s: %s', (subscription, topic, expected) => {
    expect(matchesTopic(subscription, topic)).toBe(expected);
  });

  it('refuses malformed subscriptions and wildcard publishes with HubError', () => {
    for (const bad of ['', 'a/**/b', 'a*', 'x/*y', 'a\nb']) {
      expect(() => assertSubscription(bad, 256)).toThrow(HubError);
    }
    expect(() => assertSubscription('a'.repeat(257), 256)).toThrow(/longer than 256/);
    expect(() => assertPublishTopic('orders/*', 256)).toThrow(/pattern/);
    expect(() => assertPublishTopic('orders/1', 256)).not.toThrow();
  });
});

describe('createTopicIndex', () => {
  it('finds the same subscribers as matchesTopic, for any mix of patterns', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const topic = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const pattern = fc
      .array(fc.constantFrom('a', 'b', '*'), { minLength: 1, maxLength: 4 })
      .chain((segs) => fc.boolean().map((deep) => (deep ? [...segs, '**'] : segs).join('/')));
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), topic, (subscriptions, published) => {
        const index = createTopicIndex<number>();
        for (const [i, s] of subscriptions.entries()) index.add(s, i);
        const found = new Set<number>();
        index.forEachMatch(published, (i) => found.add(i));
        const expected = new Set(
          subscriptions.flatMap((s, i) => (matchesTopic(s, published) ? [i] : [])),
        );
        expect(found).toEqual(expected);
        const any = subscriptions.some((sub) => matchesTopic(sub, published));
        expect(compileMatcher(subscriptions)(published)).toBe(any);
      }),
      { numRuns: 1000 },
    );
  });

  it('forgets subscribers and empty subscriptions on remove', () => {
    const index = createTopicIndex<string>();
    index.add('a/*', 'x');
    index.add('a/b', 'y');
    index.remove('a/*', 'x');
    const found: string[] = [];
    index.forEachMatch('a/b', (s) => found.push(s));
    expect(found).toEqual(['y']);
    expect([...index.counts()]).toEqual([['a/b', 1]]);
    index.add('a/*/c/**', 'z');
    index.add('a/*/d', 'z');
    expect(index.trieSize).toBe(4);
    index.remove('a/*/c/**', 'z');
    expect(index.trieSize).toBe(3);
    index.remove('a/*/d', 'z');
    expect(index.trieSize).toBe(0);
  });
});

describe('patternCovers', () => {
  it('admits narrower subscriptions and refuses wider ones', () => {
    expect(patternCovers('orders/**', 'orders/42')).toBe(true);
    expect(patternCovers('orders/**', 'orders/*/items')).toBe(true);
    expect(patternCovers('orders/**', 'orders/**')).toBe(true);
    expect(patternCovers('orders/*', 'orders/42')).toBe(true);
    expect(patternCovers('orders/*', 'orders/**')).toBe(false);
    expect(patternCovers('orders/42', 'orders/*')).toBe(false);
    expect(patternCovers('orders/**', 'orders')).toBe(false);
    expect(patternCovers('**', '**')).toBe(true);
    expect(patternCovers('a/*/c', 'a/b/c')).toBe(true);
    expect(patternCovers('a/*/c', 'a/b/d')).toBe(false);
  });

  it('is sound: a covered subscription never matches a topic the grant does not', () => {
    const segment = fc.constantFrom('a', 'b', '*');
    const pattern = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .chain((segs) => fc.boolean().map((deep) => (deep ? [...segs, '**'] : segs).join('/')));
    const topic = fc
      .array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 })
      .map((s) => s.join('/'));
    fc.assert(
      fc.property(pattern, pattern, topic, (allowed, requested, published) => {
        if (patternCovers(allowed, requested) && matchesTopic(requested, published)) {
          expect(matchesTopic(allowed, published)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
