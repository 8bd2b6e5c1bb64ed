// Express: the hub mounted at /sse beside the app's own routes and middleware.
// Run: npm run example examples/express/server.ts
import compression from 'compression';
import express from 'express';
import { createHub } from 'ssehub';
import { ssehub } from 'ssehub/express';

const hub = createHub();
const app = express();
app.use(compression()); // safe: streams carry Cache-Control: no-transform, which it honours
app.use(express.json());

app.use(
  '/sse',
  ssehub(hub, {
    // Your auth decides: here a header names the user, who may read their own topic and ticks.
    authorize: (req) => {
      const user = req.headers['x-user'];
      return typeof user === 'string'
        ? { subject: user, subscribe: [`user/${user}`, 'ticks'], publish: [`user/${user}`] }
        : { subscribe: ['ticks'] };
    },
  }),
);
app.get('/', (_req, res) => {
  res.send('Try: curl -N http://127.0.0.1:PORT/sse/events?topic=ticks');
});

setInterval(
  () => void hub.publish({ topic: 'ticks', data: { at: new Date().toISOString() } }),
  1000,
).unref();

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => void hub.close().then(() => server.close()));
