/**
 * Fan-out benchmark: one hub process (the built CLI), N raw-socket subscribers on one topic,
 * M events published over HTTP. Reports deliveries/s, server CPU per delivery (from /proc),
 * idle memory per connection, and time for an event to reach all subscribers.
 *
 *   npm run build && npm run bench -- --subscribers 1000 --events 200 --size 100
 *   (--profile DIR writes a CPU profile of the hub; --json prints one JSON line)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BENCH_HUB_FLAGS, openSubscribers, publishAll, sleep } from './load.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    events: { type: 'string', default: '200' },
    size: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the hub process into this folder. */
    profile: { type: 'string' },
  },
});
const N = Number(values.subscribers);
const M = Number(values.events);
const SIZE = Number(values.size);
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
if (!existsSync(cli)) throw new Error('build first: npm run build');

const ticks = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in seconds (USER_HZ = 100)
};
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024;

const server = spawn(
  process.execPath,
  [
    ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
    cli,
    'serve',
    '--port',
    '0',
    '--log-level',
    'info',
    '--history-size',
    '1000',
    ...BENCH_HUB_FLAGS,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const port = await new Promise<number>((resolve) => {
  let out: string | undefined = '';
  // The hub logs every stream it opens; once the URL is known the rest is drained unread.
  server.stdout!.on('data', (c: Buffer) => {
    if (out === undefined) return;
    out += c;
    const m = /"url":"http:\/\/[^:]+:(\d+)"/.exec(out);
    if (m) {
      out = undefined;
      resolve(Number(m[1]));
    }
  });
});
await sleep(200);
const rssBefore = rss();

const subscribers = await openSubscribers([port], N, 'bench');
await sleep(300);
const idlePerConnection = (rss() - rssBefore) / N;

const payload = 'x'.repeat(SIZE);
const cpu0 = ticks();
const t0 = performance.now();
await publishAll(port, 'bench', M, (n) => `${n} ${payload}`);
const published = performance.now();
await subscribers.allReceived(M);
const done = Math.max(...subscribers.lastAt);
const cpu = ticks() - cpu0;
const deliveries = N * M;
const result = {
  subscribers: N,
  events: M,
  payloadBytes: SIZE,
  publishSeconds: (published - t0) / 1000,
  totalSeconds: (done - t0) / 1000,
  deliveriesPerSecond: Math.round(deliveries / ((done - t0) / 1000)),
  serverCpuMicrosPerDelivery: Number(((cpu * 1e6) / deliveries).toFixed(2)),
  idleBytesPerConnection: Math.round(idlePerConnection),
};
if (values.json) console.log(JSON.stringify(result));
else console.table(result);
subscribers.close();
server.kill('SIGTERM');
