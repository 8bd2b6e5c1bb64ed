/**
 * Response headers of an event stream.
 * - `no-transform` keeps proxies from re-compressing (and so buffering) the stream.
 * - `X-Accel-Buffering: no` turns off nginx's response buffering for this response.
 * - `Connection` is a hop-by-hop header that HTTP/2 forbids (RFC 9113 §8.2.2), so it is sent
 *   on HTTP/1.x only.
 */
export function eventStreamHeaders(httpVersionMajor: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  };
  if (httpVersionMajor < 2) headers.connection = 'keep-alive';
  return headers;
}

/**
 * Whether an `Accept` header admits `text/event-stream`. An absent header accepts anything
 * (RFC 9110 §12.5.1); `q=0` means "not acceptable".
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (range !== 'text/event-stream' && range !== 'text/*' && range !== '*/*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
