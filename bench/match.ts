/**
 * Replay matching: checking every history event against a subscriber's subscriptions, as a
 * resume does. Compares the per-event split (`matchesTopic`) with the compiled matcher.
 *
 *   npx tsx bench/match.ts
 */
import { compileMatcher, matchesTopic } from '../src/hub/topics.js';

const subscriptions = [
  ...Array.from({ length: 16 }, (_, i) => `orders/${i}/*`),
  ...Array.from({ length: 16 }, (_, i) => `users/${i}`),
];
const topics = Array.from({ length: 10_000 }, (_, i) => `orders/${i % 40}/${i}`);
for (let round = 0; round < 3; round++) {
  let start = performance.now();
  let a = 0;
  for (const topic of topics) if (subscriptions.some((s) => matchesTopic(s, topic))) a++;
  const split = performance.now() - start;
  start = performance.now();
  const matches = compileMatcher(subscriptions);
  let b = 0;
  for (const topic of topics) if (matches(topic)) b++;
  const compiled = performance.now() - start;
  console.log(
    `10k events × 32 subscriptions: per-event split ${split.toFixed(1)} ms, compiled ${compiled.toFixed(1)} ms (${a} = ${b} matched)`,
  );
}
