import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatTables, runBench, type Scenario, standardScenarios } from '../bench/run.js';
import { fanout } from '../bench/scenarios.js';
import { TARGETS } from '../bench/targets.js';
import { CliError, EXIT } from './exit-codes.js';

interface BenchFlags {
  targets: string;
  scenarios?: string;
  subscribers?: string;
  events: string;
  rate: string;
  size: string;
  workers: string;
  connectRate: string;
  storm?: string;
  json?: string;
  profile?: string;
  quick?: boolean;
}

const positive = (value: string, flag: string) => {
  if (!/^[1-9][0-9]*$/.test(value))
    throw new CliError(`${flag} must be a positive integer`, EXIT.usage);
  return Number(value);
};

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'load-test SSE servers side by side: ssehub, ssehub --workers, a bare node:http hub, better-sse and nginx+nchan (where installed)',
    )
    .option(
      '--targets <names>',
      `comma-separated: ${TARGETS.map((t) => t.name).join(', ')}`,
      TARGETS.map((t) => t.name).join(','),
    )
    .option(
      '--scenarios <names>',
      'comma-separated: fanout-1k, fanout-10k, many-topics, publish (default: all)',
    )
    .option(
      '--subscribers <n>',
      'instead of the standard scenarios: one fan-out to this many subscribers',
    )
    .option('--events <n>', 'events in that fan-out', '20')
    .option('--rate <per-second>', 'publish rate in that fan-out', '2')
    .option(
      '--storm <n>',
      'after that fan-out, reconnect everyone at once while publishing n more events',
    )
    .option('--size <bytes>', 'event data size', '100')
    .option('--workers <n>', 'processes for ssehub-workers', '2')
    .option(
      '--connect-rate <per-second>',
      'new subscriber connections per second (lower it for 100k: accepts go through one process)',
      '5000',
    )
    .option('--json <file>', 'also write the results as JSON')
    .option('--profile <dir>', "write V8 CPU profiles of ssehub's processes into this folder")
    .option('--quick', 'a seconds-long smoke run (what CI runs)')
    .action(async (flags: BenchFlags) => {
      const size = positive(flags.size, '--size');
      let scenarios: Scenario[];
      if (flags.quick) {
        scenarios = [
          {
            name: 'fanout-smoke',
            description: '50 subscribers, 10 events, then a reconnect storm',
            run: (c) => fanout(c, { subscribers: 50, events: 10, rate: 50, size, storm: 3 }),
          },
        ];
      } else if (flags.subscribers !== undefined) {
        const subscribers = positive(flags.subscribers, '--subscribers');
        scenarios = [
          {
            name: `fanout-${subscribers}`,
            description: `${subscribers} subscribers on one topic`,
            run: (c) =>
              fanout(c, {
                subscribers,
                events: positive(flags.events, '--events'),
                rate: positive(flags.rate, '--rate'),
                size,
                storm: flags.storm === undefined ? undefined : positive(flags.storm, '--storm'),
              }),
          },
        ];
      } else {
        const all = standardScenarios(size);
        const wanted = flags.scenarios?.split(',').map((s) => s.trim()) ?? all.map((s) => s.name);
        for (const name of wanted) {
          if (!all.some((s) => s.name === name))
            throw new CliError(`no scenario "${name}"`, EXIT.usage);
        }
        scenarios = all.filter((s) => wanted.includes(s.name));
      }
      const targets = flags.targets.split(',').map((t) => t.trim());
      for (const name of targets) {
        if (!TARGETS.some((t) => t.name === name)) {
          throw new CliError(
            `no target "${name}"; there are ${TARGETS.map((t) => t.name).join(', ')}`,
            EXIT.usage,
          );
        }
      }
      let last = 0;
      const result = await runBench({
        targets,
        scenarios,
        workers: positive(flags.workers, '--workers'),
        profileDir: flags.profile,
        connectRate: positive(flags.connectRate, '--connect-rate'),
        // One destination address gives ~28k ephemeral ports; past that, spread over eight.
        wide: flags.subscribers !== undefined && Number(flags.subscribers) > 20_000,
        progress: (line) => {
          // At most a line a second while waiting; every line that says something ended.
          if (/done|failed|skipped/.test(line) || Date.now() - last >= 1000) {
            last = Date.now();
            process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
          }
        },
      });
      process.stdout.write(`${formatTables(result)}\n`);
      if (flags.json) writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
      if (result.results.some((r) => r.error !== undefined)) process.exitCode = EXIT.failed;
    });
}
