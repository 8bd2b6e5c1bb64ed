import { readdirSync, readFileSync } from 'node:fs';
import type { HttpResponse } from '../stream/index.js';
import type { Access } from './access.js';
import { HttpError } from './errors.js';

export interface LimitOptions {
  /** Most open streams; 0 for none beyond the descriptor bound. */
  readonly maxConnections?: number | undefined;
  /** Most open streams from one IP address; 0 for no limit. */
  readonly maxConnectionsPerIp?: number | undefined;
  /** Most open streams of one subject (user); 0 for no limit. */
  readonly maxConnectionsPerSubject?: number | undefined;
  /** New streams per second from one IP (bursts of twice that); 0 for no limit. */
  readonly subscribeRate?: number | undefined;
  /** Publishes per second per publisher (subject, else IP; bursts of twice that); 0 for no limit. */
  readonly publishRate?: number | undefined;
  /**
   * Descriptors kept free: new streams are refused with 503 this close to the process's limit,
   * so publishers, health checks and the admin can still connect. Default 128.
   */
  readonly fdReserve?: number | undefined;
}

export type RejectReason =
  | 'max_connections'
  | 'per_ip'
  | 'per_subject'
  | 'subscribe_rate'
  | 'publish_rate'
  | 'descriptors';

interface Bucket {
  tokens: number;
  at: number;
}

/** Counts open streams and rates, and refuses what is over a limit with 429 or 503. */
export function createLimits(options: LimitOptions = {}) {
  const perIp = new Map<string, number>();
  const perSubject = new Map<string, number>();
  const subscribeBuckets = new Map<string, Bucket>();
  const publishBuckets = new Map<string, Bucket>();
  const rejected: Record<RejectReason, number> = {
    max_connections: 0,
    per_ip: 0,
    per_subject: 0,
    subscribe_rate: 0,
    publish_rate: 0,
    descriptors: 0,
  };
  const fdReserve = options.fdReserve ?? 128;
  const fdLimit = descriptorLimit();
  // Descriptors open besides streams (stdio, the listening socket, log files): counted once.
  const fdBaseline = fdLimit === undefined ? 0 : openDescriptors();
  let open = 0;

  // Full buckets carry no information; dropping them bounds the maps by recent activity.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [rate, buckets] of [
      [options.subscribeRate ?? 0, subscribeBuckets],
      [options.publishRate ?? 0, publishBuckets],
    ] as const) {
      for (const [key, bucket] of buckets) {
        if (bucket.tokens + ((now - bucket.at) / 1000) * rate >= rate * 2) buckets.delete(key);
      }
    }
  }, 30_000);
  sweep.unref();

  function refuse(reason: RejectReason, status: 429 | 503, message: string, retryAfter: number) {
    rejected[reason]++;
    return new HttpError(status, 'too_many_requests', message, {
      'retry-after': String(Math.max(1, Math.ceil(retryAfter))),
      // A refused client must not keep its socket (and our descriptor) on keep-alive.
      connection: 'close',
    });
  }
  /** Takes one token; returns seconds until one is free when there is none. */
  function take(buckets: Map<string, Bucket>, key: string, rate: number): number {
    const now = Date.now();
    const burst = rate * 2;
    const bucket = buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / rate;
  }

  function nearDescriptorLimit(): boolean {
    if (fdLimit === undefined) return false;
    if (fdBaseline + open + fdReserve * 2 < fdLimit) return false;
    // Close to the edge the estimate is not enough: count for real (cheap next to running out).
    return openDescriptors() + fdReserve >= fdLimit;
  }

  return {
    /**
     * Admits a new stream or throws HttpError 429/503 with Retry-After. The count is released
     * when the response closes, whatever happens after.
     */
    admitStream(res: HttpResponse, access: Access | undefined, address: string): void {
      const ip = address;
      const subject = access?.subject;
      const max = options.maxConnections ?? 0;
      if (max > 0 && open >= max) {
        throw refuse('max_connections', 503, `the hub holds its maximum of ${max} streams`, 5);
      }
      if (nearDescriptorLimit()) {
        throw refuse('descriptors', 503, 'the hub is near its file-descriptor limit', 5);
      }
      const ipMax = options.maxConnectionsPerIp ?? 0;
      if (ipMax > 0 && (perIp.get(ip) ?? 0) >= ipMax) {
        throw refuse('per_ip', 429, `at most ${ipMax} streams per IP address`, 10);
      }
      const subjectMax = options.maxConnectionsPerSubject ?? 0;
      if (subject !== undefined && subjectMax > 0 && (perSubject.get(subject) ?? 0) >= subjectMax) {
        throw refuse('per_subject', 429, `at most ${subjectMax} streams per user`, 10);
      }
      const rate = options.subscribeRate ?? 0;
      if (rate > 0) {
        const wait = take(subscribeBuckets, ip, rate);
        if (wait > 0) {
          throw refuse(
            'subscribe_rate',
            429,
            `at most ${rate} new streams per second per IP`,
            wait,
          );
        }
      }
      open++;
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      if (subject !== undefined) perSubject.set(subject, (perSubject.get(subject) ?? 0) + 1);
      res.once('close', () => {
        open--;
        decrement(perIp, ip);
        if (subject !== undefined) decrement(perSubject, subject);
      });
    },

    /** Admits one publish (or push) or throws HttpError 429 with Retry-After. */
    admitPublish(access: Access | undefined, address: string): void {
      const rate = options.publishRate ?? 0;
      if (rate <= 0) return;
      const key = access?.subject ?? `ip:${address}`;
      const wait = take(publishBuckets, key, rate);
      if (wait > 0) throw refuse('publish_rate', 429, `at most ${rate} publishes per second`, wait);
    },

    stats() {
      return { openStreams: open, rejected: { ...rejected } };
    },

    close() {
      clearInterval(sweep);
    },
  };
}

export type Limits = ReturnType<typeof createLimits>;

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 1) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/** The soft RLIMIT_NOFILE, read from /proc on Linux; undefined elsewhere. */
function descriptorLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}
