import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { publishEvent, targetOf, tokenOption } from './hub-request.js';

interface PublishFlags {
  url: string;
  token?: string;
  topic: string[];
  event?: string;
  id?: string;
  retry?: string;
  data?: string;
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('publish an event; without --data, each line of stdin is one event')
    .option('--url <url>', 'hub base URL', process.env.SSEHUB_URL ?? 'http://localhost:8080')
    .requiredOption('--topic <topic>', 'topic (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option(...tokenOption)
    .option('--event <type>', 'event type')
    .option('--id <id>', 'event id (default: assigned by the hub)')
    .option('--retry <ms>', 'retry hint for clients')
    .option('--data <data>', 'event data')
    .action(async (flags: PublishFlags) => {
      if (flags.retry !== undefined && !/^[0-9]+$/.test(flags.retry)) {
        throw new CliError('--retry must be a non-negative integer', EXIT.usage);
      }
      const target = targetOf(flags);
      const fields = {
        topics: flags.topic,
        event: flags.event,
        retry: flags.retry === undefined ? undefined : Number(flags.retry),
      };
      if (flags.data !== undefined) {
        const id = await publishEvent(target, {
          ...fields,
          data: flags.data,
          id: flags.id,
        });
        process.stdout.write(`${id}\n`);
        return;
      }
      if (flags.id !== undefined) {
        throw new CliError('--id needs --data: ids are unique, stdin lines are many', EXIT.usage);
      }
      // One event per line, in order: `tail -f app.log | ssehub publish --topic logs`.
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        process.stdout.write(`${await publishEvent(target, { ...fields, data: line })}\n`);
      }
    });
}
