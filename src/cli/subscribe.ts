import type { Command } from 'commander';
import { createByteParser, type ParsedEvent } from '../protocol/index.js';
import { CliError, EXIT } from './exit-codes.js';

interface SubscribeFlags {
  url: string;
  topic: string[];
  lastEventId?: string;
  json?: boolean;
}

function print(event: ParsedEvent, json: boolean): void {
  if (json) {
    const line = { id: event.lastEventId, event: event.type, data: event.data };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    process.stdout.write(
      event.type === 'message' ? `${event.data}\n` : `[${event.type}] ${event.data}\n`,
    );
  }
}

/** Streams events to stdout until interrupted, reconnecting with Last-Event-ID like a browser. */
export function registerSubscribe(program: Command): void {
  program
    .command('subscribe')
    .description('print events as they arrive (reconnects and resumes on its own)')
    .option('--url <url>', 'hub base URL', process.env.SSEHUB_URL ?? 'http://localhost:8080')
    .requiredOption(
      '--topic <topic>',
      'topic or pattern (repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--last-event-id <id>', 'resume after this id')
    .option('--json', 'one JSON object per line: {"id","event","data"}')
    .action(async (flags: SubscribeFlags) => {
      const url = new URL('/events', flags.url);
      for (const topic of flags.topic) url.searchParams.append('topic', topic);
      let retryMs = 3000;
      const parser = createByteParser({
        onEvent: (event) => print(event, flags.json === true),
        onRetry: (ms) => {
          retryMs = ms;
        },
      });
      let lastEventId = flags.lastEventId ?? '';
      for (;;) {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId !== '') headers['last-event-id'] = lastEventId;
        try {
          const res = await fetch(url, { headers });
          if (res.status >= 400 && res.status < 500) {
            const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
            throw new CliError(
              `subscribe refused (${res.status}): ${body.error?.message ?? res.statusText}`,
              EXIT.failed,
            );
          }
          if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
          parser.reset();
          const reader = res.body.getReader();
          for (let read = await reader.read(); !read.done; read = await reader.read()) {
            parser.feed(read.value);
            lastEventId = parser.lastEventId;
          }
        } catch (error) {
          if (error instanceof CliError) throw error;
          process.stderr.write(
            `connection lost (${(error as Error).message}); retrying in ${retryMs} ms\n`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    });
}
