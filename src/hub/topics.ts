import { HubError } from './errors.js';

/**
 * Topics are `/`-separated paths such as `orders/eu/42`. A subscription may be a pattern:
 * - `*` as a whole segment matches exactly one segment: `orders/*` matches `orders/42`,
 *   not `orders` nor `orders/eu/42`;
 * - `**` as the last segment matches one or more segments: `orders/**` matches `orders/42`
 *   and `orders/eu/42`, not `orders`.
 * Published topics are concrete: no segment may be `*` or `**`.
 */
const ONE = '*';
const MANY = '**';
// Control characters would end up in logs and headers; topics have no use for them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkText(topic: string, maxLength: number): void {
  if (topic.length === 0) throw new HubError('invalid_topic', 'topic must not be empty');
  if (topic.length > maxLength) {
    throw new HubError('invalid_topic', `topic is longer than ${maxLength} characters`);
  }
  if (CONTROL.test(topic)) {
    throw new HubError('invalid_topic', 'topic must not contain control characters');
  }
}

export function isPattern(subscription: string): boolean {
  return subscription.split('/').some((s) => s === ONE || s === MANY);
}

/** Throws unless `topic` is a concrete topic one can publish to. */
export function assertPublishTopic(topic: string, maxLength: number): void {
  checkText(topic, maxLength);
  if (isPattern(topic)) {
    throw new HubError('invalid_topic', `cannot publish to the pattern "${topic}"`);
  }
}

/** Throws unless `subscription` is a topic or a well-formed pattern. */
export function assertSubscription(subscription: string, maxLength: number): void {
  checkText(subscription, maxLength);
  const segments = subscription.split('/');
  segments.forEach((segment, i) => {
    if (segment === MANY && i !== segments.length - 1) {
      throw new HubError('invalid_topic', `"**" must be the last segment in "${subscription}"`);
    }
    if (segment !== ONE && segment !== MANY && segment.includes('*')) {
      throw new HubError(
        'invalid_topic',
        `a wildcard must be a whole segment ("*" or "**") in "${subscription}"`,
      );
    }
  });
}

/** Whether a concrete topic matches a subscription (a topic or a pattern). */
export function matchesTopic(subscription: string, topic: string): boolean {
  if (subscription === topic) return true;
  if (!isPattern(subscription)) return false;
  return segmentsMatch(subscription.split('/'), topic.split('/'));
}

/**
 * Whether `allowed` matches every topic that `requested` can match, so a grant of `orders/**`
 * admits a subscription to `orders/*` or `orders/42` but not to `**`. Both may be patterns.
 */
export function patternCovers(allowed: string, requested: string): boolean {
  if (allowed === requested) return true;
  const want = allowed.split('/');
  const have = requested.split('/');
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    if (segment === MANY) return have.length > i;
    const got = have[i];
    // A wildcard in the request is only covered by a wildcard at least as wide.
    if (got === undefined || got === MANY) return false;
    if (segment !== ONE && segment !== got) return false;
  }
  return want.length === have.length;
}

/**
 * A matcher for a fixed set of subscriptions, built once per subscriber: concrete topics are a
 * set lookup and patterns are split once, instead of on every event a replay checks.
 */
export function compileMatcher(subscriptions: readonly string[]): (topic: string) => boolean {
  const exact = new Set<string>();
  const patterns: string[][] = [];
  for (const s of subscriptions) {
    if (isPattern(s)) patterns.push(s.split('/'));
    else exact.add(s);
  }
  if (patterns.length === 0) return (topic) => exact.has(topic);
  return (topic) => {
    if (exact.has(topic)) return true;
    const have = topic.split('/');
    return patterns.some((want) => segmentsMatch(want, have));
  };
}

function segmentsMatch(want: readonly string[], have: readonly string[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    if (segment === MANY) return have.length > i;
    if (i >= have.length || (segment !== ONE && segment !== have[i])) return false;
  }
  return want.length === have.length;
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** Subscribers whose pattern ends here. */
  exact: Set<unknown> | undefined;
  /** Subscribers of `<this path>/**`. */
  deep: Set<unknown> | undefined;
}

const newNode = (): TrieNode => ({ children: new Map(), exact: undefined, deep: undefined });

/**
 * Subscribers by subscription. Concrete topics are one map lookup on publish; patterns live
 * in a segment trie, walked only when there are patterns at all.
 */
export function createTopicIndex<S>() {
  const bySubscription = new Map<string, Set<S>>();
  const root = newNode();
  let patternCount = 0;

  /** The trie path of a pattern: its segments, without a trailing `**`. */
  function trieKey(pattern: string): { segments: string[]; deep: boolean } {
    const segments = pattern.split('/');
    const deep = segments[segments.length - 1] === MANY;
    if (deep) segments.pop();
    return { segments, deep };
  }

  function insert(pattern: string, set: Set<unknown>): void {
    const { segments, deep } = trieKey(pattern);
    let node = root;
    for (const segment of segments) {
      let next = node.children.get(segment);
      if (next === undefined) {
        next = newNode();
        node.children.set(segment, next);
      }
      node = next;
    }
    if (deep) node.deep = set;
    else node.exact = set;
  }

  /** Clears a pattern's slot and drops the branch nodes that hold nothing any more. */
  function erase(node: TrieNode, segments: readonly string[], i: number, deep: boolean): boolean {
    if (i === segments.length) {
      if (deep) node.deep = undefined;
      else node.exact = undefined;
    } else {
      const child = node.children.get(segments[i]!);
      if (child !== undefined && erase(child, segments, i + 1, deep)) {
        node.children.delete(segments[i]!);
      }
    }
    return node.children.size === 0 && node.exact === undefined && node.deep === undefined;
  }

  function walk(node: TrieNode, segments: readonly string[], i: number, fn: (s: S) => void): void {
    if (i === segments.length) {
      node.exact?.forEach(fn as (s: unknown) => void);
      return;
    }
    node.deep?.forEach(fn as (s: unknown) => void);
    const child = node.children.get(segments[i]!);
    if (child !== undefined) walk(child, segments, i + 1, fn);
    const any = node.children.get(ONE);
    if (any !== undefined) walk(any, segments, i + 1, fn);
  }

  return {
    add(subscription: string, subscriber: S): void {
      let set = bySubscription.get(subscription);
      if (set === undefined) {
        set = new Set();
        bySubscription.set(subscription, set);
        if (isPattern(subscription)) {
          insert(subscription, set as Set<unknown>);
          patternCount++;
        }
      }
      set.add(subscriber);
    },
    remove(subscription: string, subscriber: S): void {
      const set = bySubscription.get(subscription);
      if (set === undefined || !set.delete(subscriber) || set.size > 0) return;
      bySubscription.delete(subscription);
      if (isPattern(subscription)) {
        const { segments, deep } = trieKey(subscription);
        erase(root, segments, 0, deep);
        patternCount--;
      }
    },
    /** Calls `fn` once per (subscription, subscriber) matching `topic`; callers dedupe. */
    forEachMatch(topic: string, fn: (subscriber: S) => void): void {
      bySubscription.get(topic)?.forEach(fn);
      if (patternCount > 0) walk(root, topic.split('/'), 0, fn);
    },
    /** Trie nodes below the root; for tests that check nothing leaks. */
    get trieSize(): number {
      const count = (node: TrieNode): number =>
        [...node.children.values()].reduce((n, child) => n + 1 + count(child), 0);
      return count(root);
    },
    /** Active subscriptions with their subscriber counts. */
    counts(): Map<string, number> {
      const out = new Map<string, number>();
      for (const [subscription, set] of bySubscription) out.set(subscription, set.size);
      return out;
    },
  };
}

export type TopicIndex<S> = ReturnType<typeof createTopicIndex<S>>;
