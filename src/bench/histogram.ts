/**
 * Latencies in a fixed log-scale histogram (about 2% resolution from 1 µs to 10 min): merges
 * across processes by adding counts, and holds millions of samples in a few KB.
 */
const BUCKETS_PER_DOUBLING = 32;
const MAX_DOUBLINGS = 30; // 2^30 µs ≈ 18 min

export type Histogram = number[];

export const newHistogram = (): Histogram =>
  new Array<number>(BUCKETS_PER_DOUBLING * MAX_DOUBLINGS + 1).fill(0);

export function record(h: Histogram, micros: number): void {
  const i =
    micros <= 1
      ? 0
      : Math.min(h.length - 1, Math.floor(Math.log2(micros) * BUCKETS_PER_DOUBLING) + 1);
  h[i]!++;
}

export function merge(into: Histogram, from: Histogram): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
}

export const countOf = (h: Histogram) => h.reduce((a, b) => a + b, 0);

/** The value (µs) at quantile `q` (0..1), or undefined when empty. */
export function quantile(h: Histogram, q: number): number | undefined {
  const total = countOf(h);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(total * q));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return i === 0 ? 1 : 2 ** ((i - 0.5) / BUCKETS_PER_DOUBLING);
  }
  return undefined;
}
