/**
 * Engine benchmark: publish throughput and fan-out with 1 and 2 hub nodes per engine.
 * Starts private redis-server and nats-server instances, hub nodes from the built CLI, N
 * raw-socket subscribers spread evenly over the nodes, and publishes M events to node 1 over
 * HTTP (8 in flight). Reports publishes/s, deliveries/s and the time for the last event to
 * reach every subscriber.
 *
 *   npm run build && npx tsx bench/engines.ts --subscribers 500 --events 2000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_HUB_FLAGS, openSubscribers, publishAll, sleep } from './load.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '500' },
    events: { type: 'string', default: '2000' },
    size: { type: 'string', default: '100' },
    engines: { type: 'string', default: 'memory,redis,nats' },
  },
});
const N = Number(values.subscribers);
const M = Number(values.events);
const payload = 'x'.repeat(Number(values.size));
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
if (!existsSync(cli)) throw new Error('build first: npm run build');
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function run(command: string, args: string[], ready: RegExp): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out: string | undefined = '';
  return new Promise((resolve) => {
    const onData = (c: Buffer) => {
      if (out === undefined) return;
      out += c;
      const m = ready.exec(out);
      if (m) {
        out = undefined; // drained unread from here on
        resolve(m[1] ?? '');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

async function engineFlags(engine: string): Promise<string[]> {
  if (engine === 'memory') return [];
  const port = await freePort();
  if (engine === 'redis') {
    await run(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no'],
      /(Ready to accept)/,
    );
    return ['--engine', 'redis', '--redis-url', `redis://127.0.0.1:${port}`];
  }
  const dir = mkdtempSync(join(tmpdir(), 'ssehub-bench-nats-'));
  await run(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    /(Server is ready)/,
  );
  return ['--engine', 'nats', '--nats-url', `nats://127.0.0.1:${port}`];
}

async function measure(engine: string, nodes: number) {
  const flags = await engineFlags(engine);
  const urls: string[] = [];
  for (let i = 0; i < nodes; i++) {
    urls.push(
      await run(
        process.execPath,
        [
          cli,
          'serve',
          '--port',
          '0',
          '--log-level',
          'info',
          '--log-format',
          'json',
          ...flags,
          ...BENCH_HUB_FLAGS,
          '--history-size',
          String(M),
        ],
        /listening on (http:\/\/[^"\s]+)/,
      ).catch(() => ''),
    );
  }
  if (urls.some((u) => u === '')) throw new Error('a node did not start');
  const subscribers = await openSubscribers(
    urls.map((u) => Number(new URL(u).port)),
    N,
    'bench',
  );
  const t0 = performance.now();
  await publishAll(Number(new URL(urls[0]!).port), 'bench', M, () => payload);
  const published = performance.now();
  await subscribers.allReceived(M);
  const done = performance.now();
  subscribers.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await sleep(200);
  return {
    engine,
    nodes,
    publishesPerSecond: Math.round(M / ((published - t0) / 1000)),
    deliveriesPerSecond: Math.round((N * M) / ((done - t0) / 1000)),
    allDeliveredSeconds: Number(((done - t0) / 1000).toFixed(2)),
  };
}

const rows = [];
for (const engine of values.engines!.split(',')) {
  for (const nodes of [1, 2]) {
    if (engine === 'memory' && nodes === 2) continue; // the memory engine is one process (see --workers)
    rows.push(await measure(engine, nodes));
    console.error(JSON.stringify(rows.at(-1)));
  }
}
console.log(`| engine | nodes | publishes/s | deliveries/s | all delivered (s) |`);
console.log(`| --- | --- | --- | --- | --- |`);
for (const r of rows) {
  console.log(
    `| ${r.engine} | ${r.nodes} | ${r.publishesPerSecond} | ${r.deliveriesPerSecond} | ${r.allDeliveredSeconds} |`,
  );
}
process.exit(0);
