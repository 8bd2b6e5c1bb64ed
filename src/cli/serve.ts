import cluster from 'node:cluster';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import {
  flagOf,
  loadConfig,
  SETTINGS,
  type ServerConfig,
  type SettingKey,
  startServer,
} from '../server/index.js';
import { runPrimary } from './primary.js';

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the hub: SSE at /events, publish API at /publish, demo apps at /')
    .option('--config <file>', 'JSON config file (keys are the camelCase setting names)');
  for (const [key, setting] of Object.entries(SETTINGS) as [
    SettingKey,
    (typeof SETTINGS)[SettingKey],
  ][]) {
    const flag = flagOf(key);
    const def = 'default' in setting ? ` (default ${JSON.stringify(setting.default)})` : '';
    if (!('arg' in setting)) {
      serve.addOption(new Option(flag, `${setting.description}${def}`));
      serve.addOption(new Option(flag.replace('--', '--no-'), `turn off ${flag}`));
    } else {
      serve.addOption(new Option(`${flag} <${setting.arg}>`, `${setting.description}${def}`));
    }
  }
  serve.action(async (_options, command: Command) => {
    // Only flags the user typed count; defaults come from the settings table after env and file.
    const flags: Record<string, unknown> = {};
    for (const key of Object.keys(SETTINGS)) {
      if (command.getOptionValueSource(key) === 'cli') flags[key] = command.getOptionValue(key);
    }
    const config = loadConfig({ flags, env: process.env, file: command.getOptionValue('config') });
    const logger = createLogger(config);
    if (config.workers > 1 && cluster.isPrimary) {
      runPrimary(config, logger);
      return;
    }
    const running = await startServer(config, logger);
    logger.info({ url: running.url }, `ssehub listening on ${running.url}`);

    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, graceMs: config.shutdownGrace }, 'shutting down');
      // A hard bound, whatever a stuck client does.
      setTimeout(() => process.exit(0), config.shutdownGrace + 3000).unref();
      void running.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * JSON lines for log collectors; colourful single lines for a person at a terminal. The pretty
 * stream runs in this thread (no worker), so nothing is lost when the process exits.
 */
export function createLogger(
  config: Pick<ServerConfig, 'logLevel' | 'logFormat'>,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
) {
  const usePretty =
    config.logFormat === 'pretty' || (config.logFormat === 'auto' && out.isTTY === true);
  if (!usePretty) return pino({ level: config.logLevel }, out);
  return pino(
    { level: config.logLevel },
    pretty({
      destination: out,
      colorize: out.isTTY === true,
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
    }),
  );
}
