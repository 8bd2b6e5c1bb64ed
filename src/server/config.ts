import { readFileSync } from 'node:fs';
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

interface Setting {
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
  logLevel: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    arg: 'level',
    description: 'fatal, error, warn, info, debug, trace or silent',
  },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

/** The validated configuration of a hub server. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly historySize: number;
  readonly historyBytes: number;
  readonly historyMaxAge: number;
  readonly heartbeat: number;
  readonly retry: number;
  readonly maxQueueBytes: number;
  readonly maxEventBytes: number;
  readonly maxBodyBytes: number;
  readonly maxTopics: number;
  readonly maxTopicLength: number;
  readonly connectedEvent: boolean;
  readonly compression: 'off' | 'auto' | 'gzip' | 'br';
  readonly shutdownGrace: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
export const envOf = (key: string) =>
  `SSEHUB_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export function describeKey(key: SettingKey): string {
  const setting: Setting = SETTINGS[key];
  const envs = [envOf(key), ...(setting.aliases ?? [])].join(' / ');
  return `${key} (${flagOf(key)}, ${envs})`;
}

export interface ConfigSources {
  /** Flag values the user actually gave, by key. */
  readonly flags?: Partial<Record<string, unknown>>;
  readonly env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; its keys are the camelCase setting names. */
  readonly file?: string | undefined;
}

function readFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in SETTINGS)) throw new ConfigError(`config file ${path}: unknown key "${key}"`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Merges defaults < config file < env < flags and validates each value; the first bad one
 * throws ConfigError naming the key, its flag and env names, and where the value came from.
 */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? {};
  const filePath = sources.file ?? env.SSEHUB_CONFIG;
  const file = filePath ? readFile(filePath) : {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const setting: Setting = SETTINGS[key];
    let value: unknown = setting.default;
    let from = 'default';
    if (key in file) [value, from] = [file[key], `config file ${filePath}`];
    for (const name of [...(setting.aliases ?? []), envOf(key)]) {
      const v = env[name];
      if (v !== undefined && v !== '') [value, from] = [v, `env ${name}`];
    }
    const flag = sources.flags?.[key];
    if (flag !== undefined) [value, from] = [flag, `flag ${flagOf(key)}`];
    if (value === undefined) continue;
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(
        `invalid ${describeKey(key)}: ${why} (got ${JSON.stringify(value)} from ${from})`,
      );
    }
    out[key] = parsed.data;
  }
  if ((out.maxEventBytes as number) > (out.maxQueueBytes as number)) {
    throw new ConfigError(
      `${describeKey('maxEventBytes')} must not exceed ${describeKey('maxQueueBytes')}: ` +
        'an event larger than the queue would disconnect every subscriber it goes to',
    );
  }
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) {
    throw new ConfigError(`${describeKey('tlsCert')} and ${describeKey('tlsKey')} go together`);
  }
  return out as unknown as ServerConfig;
}
