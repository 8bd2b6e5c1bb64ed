// Fastify: the hub as a plugin under /sse, next to compression and the app's routes.
// Run: npm run example examples/fastify/server.ts
import compress from '@fastify/compress';
import Fastify from 'fastify';
import { createHub } from 'ssehub';
import { ssehub } from 'ssehub/fastify';

const hub = createHub();
const app = Fastify();
await app.register(compress); // never reaches the streams: the plugin hijacks its replies
await app.register(ssehub, { hub, prefix: '/sse' });
app.get('/', async () => ({ try: 'curl -N http://127.0.0.1:PORT/sse/events?topic=ticks' }));

setInterval(
  () => void hub.publish({ topic: 'ticks', data: { at: new Date().toISOString() } }),
  1000,
).unref();

const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.on('SIGTERM', () => void hub.close().then(() => app.close()));
