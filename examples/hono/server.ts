// Hono on @hono/node-server: the hub under /sse, and a route that streams a Web Response.
// Run: npm run example examples/hono/server.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHub, eventStreamResponse } from 'ssehub';
import { ssehub } from 'ssehub/hono';

const hub = createHub();
const app = new Hono();
app.use('/sse/*', ssehub(hub, { prefix: '/sse' }));

// A request-scoped stream in fetch style: a countdown, then `done`.
app.get('/countdown', (c) => {
  async function* count() {
    for (let n = 5; n > 0; n--) {
      yield { n };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return eventStreamResponse(count(), { event: 'count', signal: c.req.raw.signal });
});

setInterval(
  () => void hub.publish({ topic: 'ticks', data: { at: new Date().toISOString() } }),
  1000,
).unref();

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => console.log(`listening on http://127.0.0.1:${info.port}`),
);
process.on('SIGTERM', () => void hub.close().then(() => server.close()));
