// Plain node:http: the hub's whole API on its own server.
// Run: npm run example examples/node-http/server.ts
import http from 'node:http';
import { createHub } from 'ssehub';

const hub = createHub();
const server = http.createServer(hub.handler);

// Something to watch: curl -N 'http://127.0.0.1:3000/events?topic=ticks'
setInterval(
  () => void hub.publish({ topic: 'ticks', data: { at: new Date().toISOString() } }),
  1000,
).unref();

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => void hub.close().then(() => server.close()));
