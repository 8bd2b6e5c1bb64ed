/** The table of every setting: its schema, default, flag argument and help text. */
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean());

const list = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : v,
  z.array(z.string().min(1)),
);
const secret = z.string().min(1);

export interface Setting {
  readonly schema: z.ZodType;
  readonly default?: unknown;
  readonly description: string;
  /** Placeholder shown in --help; absent for booleans. */
  readonly arg?: string;
  /** Env names besides SSEHUB_<KEY>. */
  readonly aliases?: readonly string[];
}

/**
 * Every setting, once. Flags (`--history-size`), env twins (`SSEHUB_HISTORY_SIZE`) and config
 * file keys (`historySize`) all come from this table.
 */
export const SETTINGS = {
  port: {
    schema: int(0, 65535),
    default: 8080,
    arg: 'n',
    aliases: ['PORT'],
    description: 'TCP port to listen on (0 picks a free one)',
  },
  host: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    arg: 'addr',
    aliases: ['HOST'],
    description: 'address to listen on',
  },
  workers: {
    schema: int(1, 256),
    default: 1,
    arg: 'n',
    description:
      'processes serving the port (node:cluster); with --engine memory they share one history',
  },
  engine: {
    schema: z.enum(['memory', 'redis', 'nats']),
    default: 'memory',
    arg: 'name',
    description:
      'where history and fan-out live: memory (this process), redis or nats (shared by nodes)',
  },
  natsUrl: {
    schema: z
      .string()
      .regex(/^(nats|tls):\/\//, 'must be a nats:// or tls:// URL (comma-separated for several)'),
    default: 'nats://127.0.0.1:4222',
    arg: 'url',
    description: 'NATS with JetStream for --engine nats',
  },
  redisUrl: {
    schema: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    default: 'redis://127.0.0.1:6379',
    arg: 'url',
    description: 'Redis for --engine redis',
  },
  enginePrefix: {
    schema: z.string().min(1).max(100),
    default: 'ssehub:',
    arg: 'prefix',
    description:
      'prefix of the engine keys (Redis) or stream name (NATS), so several hubs can share one',
  },
  historySize: {
    schema: int(0),
    default: 10_000,
    arg: 'n',
    description: 'events kept for resume (0 keeps none)',
  },
  historyBytes: {
    schema: int(0),
    default: 64 * 1024 * 1024,
    arg: 'bytes',
    description: 'bytes of events kept for resume',
  },
  historyMaxAge: {
    schema: int(0),
    default: 3600,
    arg: 'seconds',
    description: 'oldest event kept for resume',
  },
  heartbeat: {
    schema: z.coerce.number().min(0).max(3600),
    default: 15,
    arg: 'seconds',
    description: 'heartbeat comment interval on quiet streams (0 turns it off)',
  },
  retry: {
    schema: int(0, 24 * 3600 * 1000),
    default: 3000,
    arg: 'ms',
    description: 'retry: hint sent to clients when a stream opens',
  },
  maxQueueBytes: {
    schema: int(1024),
    default: 1024 * 1024,
    arg: 'bytes',
    description: 'bytes a subscriber may fall behind before it is disconnected',
  },
  maxEventBytes: {
    schema: int(1),
    default: 256 * 1024,
    arg: 'bytes',
    description: 'largest event (data and type)',
  },
  maxBodyBytes: {
    schema: int(1),
    default: 1024 * 1024,
    arg: 'bytes',
    description: 'largest request body',
  },
  maxTopics: {
    schema: int(1),
    default: 32,
    arg: 'n',
    description: 'most topics in one subscription',
  },
  maxTopicLength: {
    schema: int(1),
    default: 256,
    arg: 'n',
    description: 'longest topic or pattern',
  },
  connectedEvent: {
    schema: bool,
    default: true,
    description: 'send `event: connected` with the client id first',
  },
  compression: {
    schema: z.enum(['off', 'auto', 'gzip', 'br']),
    default: 'off',
    arg: 'mode',
    description:
      'compress streams for clients that accept it: off, auto (br, else gzip), gzip or br',
  },
  demos: {
    schema: bool,
    description:
      'serve the demo apps at / (chat, dashboard, log tail, AI, notifications) and their feeds ' +
      '(default: on when no auth is configured)',
  },
  shutdownGrace: {
    schema: int(0, 600_000),
    default: 5000,
    arg: 'ms',
    description: 'window over which streams are closed in batches on shutdown',
  },
  tlsCert: {
    schema: z.string().min(1),
    arg: 'file',
    description: 'PEM certificate: serve HTTP/2 (with HTTP/1.1 fallback) over TLS',
  },
  tlsKey: {
    schema: z.string().min(1),
    arg: 'file',
    description: 'PEM private key for --tls-cert',
  },
  presenceTopics: {
    schema: list,
    default: [],
    arg: 'patterns',
    description:
      'comma-separated topics and patterns that announce joins and leaves (event: presence)',
  },
  jwtSecret: {
    schema: z
      .string()
      .min(32, 'must be at least 32 characters (shorter HMAC keys can be brute-forced)'),
    arg: 'secret',
    description: 'accept JWTs signed with this HS256/384/512 secret',
  },
  jwtPublicKey: {
    schema: secret,
    arg: 'pem|file',
    description: 'accept JWTs signed with this public key (PEM text or file; RS, PS, ES or EdDSA)',
  },
  jwksUrl: {
    schema: z.url(),
    arg: 'url',
    description: 'accept JWTs signed with keys from this JWKS endpoint (cached, refreshed)',
  },
  jwtAudience: {
    schema: secret,
    arg: 'aud',
    description: 'require this "aud" claim',
  },
  jwtIssuer: {
    schema: secret,
    arg: 'iss',
    description: 'require this "iss" claim',
  },
  jwtCookie: {
    schema: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a cookie name'),
    default: 'ssehub_token',
    arg: 'name',
    description: 'cookie that may carry the token',
  },
  queryToken: {
    schema: bool,
    default: false,
    description: 'accept the token as ?access_token= (least safe: URLs end up in logs)',
  },
  adminToken: {
    schema: z.string().min(16, 'must be at least 16 characters'),
    arg: 'token',
    description: 'bearer token for admin routes (/clients, /topics) and pushes',
  },
  publishKey: {
    schema: z.string().min(16, 'must be at least 16 characters'),
    arg: 'key',
    description: 'bearer API key for server-side publishers: publish anywhere, broadcast, push',
  },
  publicTopics: {
    schema: list,
    default: [],
    arg: 'patterns',
    description: 'comma-separated topics and patterns anyone may subscribe to without a token',
  },
  insecure: {
    schema: bool,
    default: false,
    description: 'allow listening beyond loopback with no auth configured',
  },
  corsOrigins: {
    schema: list,
    default: [],
    arg: 'origins',
    description:
      'comma-separated origins allowed cross-origin (https://app.example, https://*.example.com)',
  },
  maxConnections: {
    schema: int(0),
    default: 0,
    arg: 'n',
    description: 'most open streams (0: only the file-descriptor bound)',
  },
  maxConnectionsPerIp: {
    schema: int(0),
    default: 1000,
    arg: 'n',
    description: 'most open streams from one IP address (0: no limit)',
  },
  maxConnectionsPerSubject: {
    schema: int(0),
    default: 100,
    arg: 'n',
    description: 'most open streams of one user (token subject) (0: no limit)',
  },
  subscribeRate: {
    schema: int(0),
    default: 50,
    arg: 'per-second',
    description:
      'new streams per second from one IP address, bursts up to twice that (0: no limit)',
  },
  publishRate: {
    schema: int(0),
    default: 1000,
    arg: 'per-second',
    description: 'publishes per second per publisher, bursts up to twice that (0: no limit)',
  },
  fdReserve: {
    schema: int(0),
    default: 128,
    arg: 'n',
    description: 'file descriptors kept free for publishers and health checks',
  },
  trustProxy: {
    schema: int(0, 10),
    default: 0,
    arg: 'hops',
    description:
      'proxies in front whose X-Forwarded-For is believed, for per-IP limits and client addresses',
  },
  headersTimeout: {
    schema: int(1, 600),
    default: 10,
    arg: 'seconds',
    description: 'time a client has to send its request headers',
  },
  logFormat: {
    schema: z.enum(['auto', 'json', 'pretty']),
    default: 'auto',
    arg: 'format',
    description: 'json (one object per line), pretty (for people), or auto: pretty in a terminal',
  },
  logLevel: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    arg: 'level',
    description: 'fatal, error, warn, info, debug, trace or silent',
  },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;
