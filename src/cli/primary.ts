import cluster, { type Worker } from 'node:cluster';
import { servePrimaryHistory } from '../engines/cluster.js';
import { createMemoryHistory } from '../history/index.js';
import type { Logger } from '../hub/index.js';
import type { ServerConfig } from '../server/index.js';

/**
 * `--workers N`: forks N workers that share the port (the kernel spreads connections over
 * them, each with its own file limit) and restarts any that dies. With the memory engine this
 * process keeps the shared history; with Redis or NATS each worker talks to the engine itself.
 */
export function runPrimary(config: ServerConfig, logger: Logger): void {
  const history =
    config.engine === 'memory'
      ? createMemoryHistory({
          maxEvents: config.historySize,
          maxBytes: config.historyBytes,
          maxAgeMs: config.historyMaxAge * 1000,
        })
      : undefined;
  const workers = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const answer = history === undefined ? undefined : servePrimaryHistory(history, workers);
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    if (answer !== undefined) worker.on('message', (message: unknown) => answer(worker, message));
    return worker;
  };
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers, engine: config.engine }, 'primary started workers');

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (workers().length === 0) process.exit(0);
      return;
    }
    // Its clients reconnect to the others and resume from the shared history meanwhile.
    logger.warn({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    answer?.forget(worker);
    fork();
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGrace }, 'shutting down workers');
    for (const worker of workers()) worker.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), config.shutdownGrace + 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
