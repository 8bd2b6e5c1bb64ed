#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../server/index.js';
import { registerBench } from './bench.js';
import { CliError, EXIT } from './exit-codes.js';
import { registerPublish } from './publish.js';
import { registerServe } from './serve.js';
import { registerSubscribe } from './subscribe.js';
import { registerTail } from './tail.js';

const program = new Command('ssehub')
  .description('Real-time push hub over Server-Sent Events')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });
registerServe(program);
registerPublish(program);
registerSubscribe(program);
registerTail(program);
registerBench(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage mistakes with 2.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`ssehub: ${error.message}\n`);
    process.exit(EXIT.usage);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    // Listening failed: say which address, without a stack trace. Usage-class: nothing started.
    process.stderr.write(`ssehub: cannot listen: ${(error as Error).message}\n`);
    process.exit(EXIT.usage);
  }
  if (error instanceof CliError) {
    process.stderr.write(`ssehub: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`ssehub: ${(error as Error).stack ?? error}\n`);
  process.exit(EXIT.failed);
}
