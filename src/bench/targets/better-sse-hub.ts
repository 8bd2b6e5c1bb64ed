/**
 * better-sse as its docs show it: a session per request, a channel per topic, `broadcast` to
 * publish. `POST /publish?topic=T` with the data as body; `GET /events?topic=T`.
 */
import http from 'node:http';
import { type Channel, createChannel, createSession } from 'better-sse';

const channels = new Map<string, Channel>();
const channelOf = (topic: string) => {
  let channel = channels.get(topic);
  if (channel === undefined) {
    channel = createChannel();
    channels.set(topic, channel);
  }
  return channel;
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const topic = url.searchParams.get('topic') ?? '';
  if (url.pathname === '/events') {
    channelOf(topic).register(await createSession(req, res));
  } else if (url.pathname === '/publish' && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      channelOf(topic).broadcast(body);
      res.end('ok');
    });
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
