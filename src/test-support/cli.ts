import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from './server.js';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/**
 * `ssehub serve --port 0 …` as a real process (from source, through tsx), for tests that kill
 * it, cap its files (`files`: prlimit on the process and the workers it forks) or fork workers.
 * `url` resolves once a "listening" line names it; `listening()` counts those lines.
 */
export function spawnServe(
  args: readonly string[],
  cleanups: (() => unknown)[],
  { files }: { files?: number | undefined } = {},
) {
  const node = [
    process.execPath,
    '--import',
    'tsx',
    main,
    'serve',
    '--port',
    '0',
    '--log-level',
    'info',
    ...args,
  ];
  const child: ChildProcessWithoutNullStreams =
    files === undefined
      ? spawn(node[0]!, node.slice(1))
      : spawn('prlimit', [`--nofile=${files}:${files}`, ...node]);
  cleanups.push(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = until(() => /"url":"([^"]+)"/.test(out), 20_000).then(
    () => /"url":"([^"]+)"/.exec(out)![1]!,
  );
  return {
    child,
    url,
    exited,
    out: () => out,
    listening: () => (out.match(/ssehub listening on/g) ?? []).length,
  };
}

/** Setting flags as CLI arguments: `{ redisUrl: 'x' }` → `['--redis-url', 'x']`. */
export function cliArgs(flags: Record<string, unknown>): string[] {
  return Object.entries(flags).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(value),
  ]);
}
