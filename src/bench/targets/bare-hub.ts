/**
 * The baseline: the least a node:http SSE hub can do. One encoded buffer per event, written to
 * each response of the topic; no history, no heartbeats, no limits, no backpressure bound.
 * `POST /publish?topic=T` with the data as body; `GET /events?topic=T`.
 */
import http from 'node:http';

const topics = new Map<string, Set<http.ServerResponse>>();

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const topic = url.searchParams.get('topic') ?? '';
  if (url.pathname === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': ok\n\n');
    let set = topics.get(topic);
    if (set === undefined) {
      set = new Set();
      topics.set(topic, set);
    }
    set.add(res);
    res.on('close', () => set.delete(res));
  } else if (url.pathname === '/publish' && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const frame = Buffer.from(`data: ${body}\n\n`);
      for (const sub of topics.get(topic) ?? []) sub.write(frame);
      res.end('ok');
    });
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
