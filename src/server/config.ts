import { readFileSync } from 'node:fs';
import { SETTINGS, type Setting, type SettingKey } from './settings.js';

/** The validated configuration of a hub server. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly workers: number;
  readonly engine: 'memory' | 'redis' | 'nats';
  readonly natsUrl: string;
  readonly redisUrl: string;
  readonly enginePrefix: string;
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
  /** Unset: on when no auth is configured. */
  readonly demos?: boolean;
  readonly shutdownGrace: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly presenceTopics: readonly string[];
  readonly jwtSecret?: string;
  readonly jwtPublicKey?: string;
  readonly jwksUrl?: string;
  readonly jwtAudience?: string;
  readonly jwtIssuer?: string;
  readonly jwtCookie: string;
  readonly queryToken: boolean;
  readonly adminToken?: string;
  readonly publishKey?: string;
  readonly publicTopics: readonly string[];
  readonly insecure: boolean;
  readonly corsOrigins: readonly string[];
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly maxConnectionsPerSubject: number;
  readonly subscribeRate: number;
  readonly publishRate: number;
  readonly fdReserve: number;
  readonly trustProxy: number;
  readonly headersTimeout: number;
  readonly logFormat: 'auto' | 'json' | 'pretty';
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
  const config = out as unknown as ServerConfig;
  if (!authConfigured(config) && !isLoopback(config.host) && !config.insecure) {
    throw new ConfigError(
      `refusing to listen on ${config.host} with no auth configured: anyone who can reach it ` +
        `could subscribe and publish. Set ${describeKey('jwtSecret')}, ${describeKey('jwtPublicKey')}, ` +
        `${describeKey('jwksUrl')}, ${describeKey('adminToken')} or ${describeKey('publishKey')}; ` +
        `or listen on 127.0.0.1; or pass ${flagOf('insecure')} if something in front of the hub does auth`,
    );
  }
  return config;
}

/** Whether any credential is configured; without one the hub is open to whoever reaches it. */
export function authConfigured(config: ServerConfig): boolean {
  return [
    config.jwtSecret,
    config.jwtPublicKey,
    config.jwksUrl,
    config.adminToken,
    config.publishKey,
  ].some((v) => v !== undefined);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export { SETTINGS, type SettingKey };
