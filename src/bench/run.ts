import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import {
  fanout,
  type Measured,
  manyTopics,
  publishThroughput,
  type ScenarioContext,
} from './scenarios.js';
import { TARGETS } from './targets.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(context: ScenarioContext): Promise<Measured>;
}

/** The standard matrix `npm run bench` runs; sizes chosen to finish in minutes on 2 cores. */
export function standardScenarios(size = 100): Scenario[] {
  return [
    {
      name: 'fanout-1k',
      description: '1,000 subscribers on one topic, 200 events at 100/s',
      run: (c) => fanout(c, { subscribers: 1000, events: 200, rate: 100, size }),
    },
    {
      name: 'fanout-10k',
      description:
        '10,000 subscribers: idle memory, 30 events at 5/s, then all reconnect at once with Last-Event-ID while 10 more are published',
      run: (c) => fanout(c, { subscribers: 10_000, events: 30, rate: 5, size, storm: 10 }),
    },
    {
      name: 'many-topics',
      description: '10,000 topics with one subscriber each; one event to each, 32 publishers',
      run: (c) => manyTopics(c, { topics: 10_000, size }),
    },
    {
      name: 'publish',
      description: 'HTTP publish throughput: 32 concurrent publishers for 5 s, one subscriber',
      run: (c) => publishThroughput(c, { seconds: 5, size }),
    },
  ];
}

export interface BenchResult {
  readonly date: string;
  readonly machine: string;
  readonly versions: Record<string, string>;
  readonly command: string;
  readonly results: { target: string; scenario: string; error?: string; figures?: Measured }[];
  readonly skipped: { target: string; why: string }[];
}

export async function runBench(options: {
  targets: readonly string[];
  scenarios: readonly Scenario[];
  workers: number;
  profileDir?: string | undefined;
  /** Targets take connections on 127.0.0.1–8 (for more than ~28k subscribers). */
  wide?: boolean | undefined;
  /** New connections per second the load opens. Default 5,000. */
  connectRate?: number | undefined;
  progress: (line: string) => void;
}): Promise<BenchResult> {
  const results: BenchResult['results'] = [];
  const skipped: BenchResult['skipped'] = [];
  for (const name of options.targets) {
    const target = TARGETS.find((t) => t.name === name);
    if (target === undefined)
      throw new Error(`no target "${name}"; there are ${TARGETS.map((t) => t.name).join(', ')}`);
    const why = target.unavailable();
    if (why !== undefined) {
      skipped.push({ target: name, why });
      options.progress(`${name}: skipped (${why})`);
      continue;
    }
    // A fresh server per scenario: one scenario's leftovers (memory, topics) must not weigh on the next.
    for (const scenario of options.scenarios) {
      const running = await target.start({
        workers: options.workers,
        profileDir: options.profileDir,
        wide: options.wide,
      });
      const label = `${name} ${scenario.name}`;
      try {
        const figures = await scenario.run({
          target: running,
          connectRate: options.connectRate,
          progress: (line) => options.progress(`${label}: ${line}`),
        });
        results.push({ target: name, scenario: scenario.name, figures });
        options.progress(`${label}: done`);
      } catch (error) {
        results.push({ target: name, scenario: scenario.name, error: (error as Error).message });
        options.progress(`${label}: failed: ${(error as Error).message}`);
      } finally {
        await running.stop();
      }
    }
  }
  return {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux`,
    versions: versions(),
    command: process.argv.slice(1).join(' '),
    results,
    skipped,
  };
}

function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  try {
    const pkg = (name: string) =>
      (
        JSON.parse(
          readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8'),
        ) as { version: string }
      ).version;
    out.ssehub = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    out['better-sse'] = pkg('better-sse');
  } catch {
    // Not installed: the target is skipped and says so.
  }
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (nginx.status === 0) out.nginx = nginx.stderr.trim().replace(/^nginx version: /, '');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const nchan = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libnginx-mod-nchan'], {
    encoding: 'utf8',
  });
  if (nchan.status === 0 && nchan.stdout !== '') out.nchan = nchan.stdout;
  return out;
}

/** What the README's table shows per scenario, in order. */
const COLUMNS: Record<string, [key: string, label: string][]> = {
  fanout: [
    ['cpuMicrosPerDelivery', 'CPU µs/delivery'],
    ['userShare', 'user share'],
    ['deliveriesPerSecond', 'deliveries/s'],
    ['fanoutFirstP50Ms', 'first p50 ms'],
    ['fanoutLastP50Ms', 'all p50 ms'],
    ['fanoutLastP99Ms', 'all p99 ms'],
    ['latencyP50Ms', 'delivery p50 ms'],
    ['latencyP99Ms', 'delivery p99 ms'],
    ['idleBytesPerConnection', 'idle B/conn'],
    ['missing', 'missing'],
    ['stormReconnectMs', 'storm reconnect ms'],
    ['stormResumedExactlyOnce', 'storm exactly once'],
  ],
  'many-topics': [
    ['publishesPerSecond', 'publishes/s'],
    ['cpuMicrosPerPublish', 'CPU µs/publish'],
    ['latencyP50Ms', 'delivery p50 ms'],
    ['latencyP99Ms', 'delivery p99 ms'],
    ['missing', 'missing'],
  ],
  publish: [
    ['publishesPerSecond', 'publishes/s'],
    ['cpuMicrosPerPublish', 'CPU µs/publish'],
    ['missing', 'missing'],
  ],
};

/** One Markdown table per scenario: targets as rows, so ratios read down a column. */
export function formatTables(result: BenchResult): string {
  const out: string[] = [];
  const scenarios = [...new Set(result.results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const rows = result.results.filter((r) => r.scenario === scenario);
    const columns = COLUMNS[scenario.startsWith('fanout') ? 'fanout' : scenario] ?? [];
    const used = columns.filter(([key]) => rows.some((r) => r.figures?.[key] !== undefined));
    out.push(`### ${scenario}`, '');
    out.push(`| target | ${used.map(([, label]) => label).join(' | ')} |`);
    out.push(`| --- | ${used.map(() => '---:').join(' | ')} |`);
    for (const row of rows) {
      const cells =
        row.error !== undefined
          ? [`failed: ${row.error}`]
          : used.map(([key]) => format(row.figures?.[key]));
      out.push(`| ${row.target} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const ratios = ratiosOf(result);
  if (ratios.length > 0)
    out.push('### ssehub against the others', '', ...ratios.map((r) => `- ${r}`), '');
  for (const s of result.skipped) out.push(`- ${s.target} skipped: ${s.why}`);
  return out.join('\n');
}

const format = (v: number | string | boolean | undefined) =>
  v === undefined ? '–' : typeof v === 'number' ? new Intl.NumberFormat('en').format(v) : String(v);

/** The targets, as ratios measured in this run. */
export function ratiosOf(result: BenchResult): string[] {
  const get = (target: string, scenario: string, key: string) => {
    const v = result.results.find((r) => r.target === target && r.scenario === scenario)?.figures?.[
      key
    ];
    return typeof v === 'number' ? v : undefined;
  };
  const out: string[] = [];
  const ratio = (label: string, a: number | undefined, b: number | undefined, goal: string) => {
    if (a !== undefined && b !== undefined && b > 0)
      out.push(`${label}: ${(a / b).toFixed(2)}× (goal ${goal})`);
  };
  for (const scenario of ['fanout-1k', 'fanout-10k']) {
    ratio(
      `CPU per delivery vs nchan, ${scenario}`,
      get('ssehub', scenario, 'cpuMicrosPerDelivery'),
      get('nchan', scenario, 'cpuMicrosPerDelivery'),
      '≤ 0.9×',
    );
    ratio(
      `CPU per delivery vs better-sse, ${scenario}`,
      get('ssehub', scenario, 'cpuMicrosPerDelivery'),
      get('better-sse', scenario, 'cpuMicrosPerDelivery'),
      '≤ 0.5×',
    );
  }
  ratio(
    'fan-out to all p50 vs nchan, fanout-10k',
    get('ssehub', 'fanout-10k', 'fanoutLastP50Ms'),
    get('nchan', 'fanout-10k', 'fanoutLastP50Ms'),
    '≤ 0.9×',
  );
  ratio(
    'idle memory per connection vs nchan, fanout-10k',
    get('ssehub', 'fanout-10k', 'idleBytesPerConnection'),
    get('nchan', 'fanout-10k', 'idleBytesPerConnection'),
    '≤ 1.0×',
  );
  return out;
}
