import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartOptions {
  /** Processes for `ssehub-workers`. */
  readonly workers: number;
  /** Take connections on 127.0.0.1–8, for more than ~28k connections from one machine. */
  readonly wide?: boolean | undefined;
  /** Write V8 CPU profiles of ssehub's processes here (`--cpu-prof`). */
  readonly profileDir?: string | undefined;
}

/** A server under test, started and ready. */
export interface RunningTarget {
  readonly name: string;
  readonly port: number;
  /** Addresses it takes connections on; more than one lets a load hold 100k+ connections. */
  readonly hosts: readonly string[];
  /** The root process; its descendants count too. */
  readonly pid: number;
  subscribePath(topic: string): string;
  publish(topic: string, data: string): Promise<void>;
  /** Whether it resumes after `Last-Event-ID` (the reconnect storm needs it). */
  readonly resumes: boolean;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: string;
  readonly description: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  start(options: StartOptions): Promise<RunningTarget>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
// The built CLI, whether this file runs built (dist/bench) or from source (src/bench).
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
// Built, the scripts are .js; from source they are .ts and need tsx.
const script = (name: string) => {
  const file = [join(here, 'targets', `${name}.js`), join(here, 'targets', `${name}.ts`)].find(
    existsSync,
  )!;
  return file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
};
const WIDE = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Keep-alive POSTs, as a publishing backend would send them. */
function poster(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const post = (path: string, body: string, type: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { port, host: '127.0.0.1', path, method: 'POST', agent, headers: { 'content-type': type } },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 || res.statusCode === 201 || res.statusCode === 202
              ? resolve()
              : reject(new Error(`publish: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

async function waitForHttp(port: number, path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get({ port, host: '127.0.0.1', path }, (res) => {
          res.resume();
          resolve(res.statusCode !== undefined && res.statusCode < 500);
        })
        .on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`not listening on ${port} after 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess, close: () => void) {
  return async () => {
    close();
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/** A node script taking its port as the first argument, with `/events` and `/publish?topic=`. */
function nodeHub(
  name: string,
  description: string,
  file: string,
  extra: () => string | undefined,
): Target {
  return {
    name,
    description,
    unavailable: extra,
    async start() {
      const port = await freePort();
      const child = spawn(process.execPath, [...script(file), String(port)], {
        stdio: 'ignore',
      });
      await waitForHttp(port, '/nothing', child);
      const { post, close } = poster(port);
      return {
        name,
        port,
        hosts: ['127.0.0.1'],
        pid: child.pid!,
        resumes: false,
        subscribePath: (topic) => `/events?topic=${encodeURIComponent(topic)}`,
        publish: (topic, data) =>
          post(`/publish?topic=${encodeURIComponent(topic)}`, data, 'text/plain'),
        stop: stopper(child, close),
      };
    },
  };
}

function ssehub(mode: 'single' | 'workers'): Target {
  const name = mode === 'single' ? 'ssehub' : 'ssehub-workers';
  return {
    name,
    description:
      mode === 'single'
        ? 'ssehub serve, memory engine, one process, defaults on (history, heartbeats, queue bound)'
        : 'ssehub serve --workers (node:cluster), shared memory history in the primary',
    unavailable: () => (existsSync(cli) ? undefined : `${cli} missing: npm run build`),
    async start(options) {
      const port = await freePort();
      const args = [
        ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
        cli,
        'serve',
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--no-demos',
        // All loopback addresses, for the 8 destinations of a 100k load; no auth, so say so.
        ...(options.wide ? ['--host', '0.0.0.0', '--insecure'] : []),
        // One machine's load generator: every connection comes from loopback, at full speed.
        '--max-connections-per-ip',
        '0',
        '--max-connections-per-subject',
        '0',
        '--subscribe-rate',
        '0',
        '--publish-rate',
        '0',
        '--fd-reserve',
        '64',
        ...(mode === 'single' ? [] : ['--workers', String(options.workers)]),
      ];
      const child = spawn(process.execPath, args, { stdio: 'ignore' });
      await waitForHttp(port, '/readyz', child);
      if (mode === 'workers') {
        // Every worker must be up before connections are spread over them.
        await new Promise((r) => setTimeout(r, 1500));
      }
      const { post, close } = poster(port);
      return {
        name,
        port,
        hosts: options.wide ? WIDE : ['127.0.0.1'],
        pid: child.pid!,
        resumes: true,
        subscribePath: (topic) => `/events?topic=${encodeURIComponent(topic)}`,
        publish: (topic, data) =>
          post('/publish', JSON.stringify({ topic, data }), 'application/json'),
        stop: stopper(child, close),
      };
    },
  };
}

const nchan: Target = {
  name: 'nchan',
  description: 'nginx + nchan (Debian), one worker, EventSource subscribers, buffer of 1000',
  unavailable() {
    if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) return 'nginx not installed';
    if (!existsSync(NCHAN_MODULE)) return 'libnginx-mod-nchan not installed';
    return undefined;
  },
  async start(options) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ssehub-bench-nchan-'));
    mkdirSync(join(dir, 'logs'));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `  ${t}_temp_path ${dir}/${t};`)
      .join('\n');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `load_module ${NCHAN_MODULE};
worker_processes 1;
worker_rlimit_nofile 20000;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 19500; multi_accept on; }
http {
  access_log off;
${temp}
  nchan_shared_memory_size 512M;
  server {
${WIDE.map((h) => `    listen ${h}:${port};`).join('\n')}
    location = /sub {
      nchan_subscriber eventsource;
      nchan_channel_id $arg_id;
      nchan_subscriber_first_message newest;
    }
    location = /pub {
      nchan_publisher;
      nchan_channel_id $arg_id;
      nchan_message_buffer_length 1000;
      nchan_message_timeout 1h;
    }
    location = /nothing { return 404; }
  }
}
`,
    );
    const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'ignore',
    });
    await waitForHttp(port, '/nothing', child);
    const { post, close } = poster(port);
    return {
      name: 'nchan',
      port,
      hosts: options.wide ? WIDE : ['127.0.0.1'],
      pid: child.pid!,
      resumes: true,
      subscribePath: (topic) => `/sub?id=${encodeURIComponent(topic)}`,
      publish: (topic, data) => post(`/pub?id=${encodeURIComponent(topic)}`, data, 'text/plain'),
      stop: stopper(child, close),
    };
  },
};

function betterSseMissing(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('better-sse');
    return undefined;
  } catch {
    return 'better-sse not installed (npm install better-sse)';
  }
}

export const TARGETS: readonly Target[] = [
  ssehub('single'),
  ssehub('workers'),
  nodeHub(
    'bare-node',
    'a minimal node:http hub: one buffer per event, res.write to each; no history, heartbeats or bounds',
    'bare-hub',
    () => undefined,
  ),
  nodeHub(
    'better-sse',
    'better-sse: a session per request, a channel per topic, broadcast',
    'better-sse-hub',
    betterSseMissing,
  ),
  nchan,
];
