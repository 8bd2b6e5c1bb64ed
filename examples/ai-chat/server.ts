// An AI answer streamed token by token over SSE, with cancel. The "model" is a stand-in that
// yields words with a delay; swap in your LLM client's async iterator.
// Run: npm run example examples/ai-chat/server.ts, then open the printed URL.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { build } from 'esbuild';
import { createEventStream } from 'ssehub';

const ANSWER =
  'Server-Sent Events are a plain HTTP response that never ends. The server writes one event ' +
  'after another, the browser reads them as they come, and when the connection drops the ' +
  'client reconnects and resumes from the last event id it saw. No WebSocket needed.';

/** Yields the answer word by word. A real model call would take `signal` to abort its request. */
async function* model(prompt: string, signal: AbortSignal) {
  let tokens = 0;
  try {
    for (const word of `You asked: "${prompt}". ${ANSWER}`.split(' ')) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      if (signal.aborted) return;
      tokens++;
      yield `${word} `;
    }
  } finally {
    console.log(`generation ended after ${tokens} tokens${signal.aborted ? ' (cancelled)' : ''}`);
  }
}

// The page's script: ssehub/client, bundled as your app's bundler would.
const clientBundle = (
  await build({
    stdin: {
      contents: "export { connect } from 'ssehub/client';",
      resolveDir: import.meta.dirname,
    },
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    conditions: ['ssehub-source'],
  })
).outputFiles[0]!.text;
const page = readFileSync(new URL('./index.html', import.meta.url));

async function readJson(req: http.IncomingMessage): Promise<{ prompt?: unknown }> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error('prompt too long');
  }
  return JSON.parse(text) as { prompt?: unknown };
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else if (req.method === 'GET' && req.url === '/client.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientBundle);
  } else if (req.method === 'POST' && req.url === '/chat') {
    const body = await readJson(req).catch(() => ({ prompt: undefined }));
    if (typeof body.prompt !== 'string' || body.prompt.trim() === '') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { code: 'invalid_prompt', message: 'send {"prompt": "…"}' } }),
      );
      return;
    }
    const stream = createEventStream(req, res);
    // Sends each token as `event: token`, then `event: done`; stops the model if the client leaves.
    await stream.pipe(model(body.prompt, stream.signal), { event: 'token' });
  } else {
    res.writeHead(404).end();
  }
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close());
