import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { followLines } from './follow-file.js';
import {
  type HubTarget,
  publishEvent,
  RetryableError,
  targetOf,
  tokenOption,
} from './hub-request.js';

interface TailFlags {
  url: string;
  token?: string;
  topic: string[];
  event?: string;
  fromStart?: boolean;
  poll: string;
}

export interface TailOptions {
  readonly file: string;
  readonly target: HubTarget;
  readonly topics: readonly string[];
  readonly event?: string | undefined;
  readonly fromStart?: boolean | undefined;
  readonly pollMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called once the file is open and the starting position fixed. */
  readonly onStart?: (() => void) | undefined;
  /** Status lines for a person (outages, skipped lines); stderr in the CLI. */
  readonly report?: ((message: string) => void) | undefined;
}

/**
 * Publishes each line appended to `file`, in order, one event per line. While the hub is down
 * or busy it retries the same line and reads no further, so a restart loses nothing; a line
 * the hub refuses as invalid (too large, say) is reported and skipped.
 */
export async function tailToHub(options: TailOptions): Promise<void> {
  const report = options.report ?? (() => {});
  let lineNumber = 0;
  for await (const line of followLines(options.file, options)) {
    lineNumber++;
    const body = { topics: options.topics, event: options.event, data: line };
    for (let attempt = 0; ; attempt++) {
      try {
        await publishEvent(options.target, body);
        if (attempt > 0) report(`hub reachable again; line ${lineNumber} published`);
        break;
      } catch (error) {
        if (options.signal?.aborted) return;
        if (error instanceof RetryableError) {
          if (attempt === 0)
            report(`${error.message}; retrying line ${lineNumber} until it is taken`);
          const delay = error.retryAfterMs ?? Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
          await sleep(delay, undefined, { signal: options.signal }).catch(() => {});
          continue;
        }
        // 401/403 will not change by retrying; a bad line will not either, but the next may be fine.
        if (/\((401|403)\)/.test((error as Error).message)) throw error;
        report(`line ${lineNumber} skipped: ${(error as Error).message}`);
        break;
      }
    }
  }
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .argument('<file>', 'file to follow (like tail -F: survives truncation and rotation)')
    .description('publish each line appended to a file as one event, until interrupted')
    .option('--url <url>', 'hub base URL', process.env.SSEHUB_URL ?? 'http://localhost:8080')
    .option(...tokenOption)
    .requiredOption('--topic <topic>', 'topic (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--event <type>', 'event type (default: message)')
    .option('--from-start', 'publish the lines already in the file first')
    .option('--poll <ms>', 'how often to look for new lines', '250')
    .action(async (file: string, flags: TailFlags) => {
      if (!/^[1-9][0-9]*$/.test(flags.poll)) {
        throw new CliError('--poll must be a positive integer (ms)', EXIT.usage);
      }
      const controller = new AbortController();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => controller.abort());
      }
      await tailToHub({
        file,
        target: targetOf(flags),
        topics: flags.topic,
        event: flags.event,
        fromStart: flags.fromStart,
        pollMs: Number(flags.poll),
        signal: controller.signal,
        report: (message) => process.stderr.write(`ssehub tail: ${message}\n`),
      });
    });
}
