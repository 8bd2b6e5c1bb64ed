import type { HttpRequest, HttpResponse } from '../stream/index.js';

const METHODS = 'GET, POST, DELETE';
// What clients of the API send: tokens, JSON bodies, and the resume header.
const ALLOWED_HEADERS = new Set([
  'authorization',
  'content-type',
  'last-event-id',
  'cache-control',
  'x-requested-with',
]);
// Readable by scripts: how long to wait after a 429/503, and why a token was refused.
const EXPOSED = 'retry-after, www-authenticate';

/**
 * CORS for an allowlist of origins: exact (`https://app.example.com`), a wildcard for
 * subdomains (`https://*.example.com`: any depth, not the apex), or `*` for any origin without
 * credentials. Allowed origins are echoed with `Access-Control-Allow-Credentials: true`, so
 * cookies and EventSource's `withCredentials` work; off-list origins get no CORS headers at all,
 * and the browser blocks the response.
 */
export function createCors(origins: readonly string[]) {
  const anyOrigin = origins.includes('*');
  const exact = new Set(origins.filter((o) => !o.includes('*')).map((o) => o.toLowerCase()));
  const wildcards = origins
    .filter((o) => o !== '*' && o.includes('://*.'))
    .map((o) => {
      const [scheme, rest] = o.toLowerCase().split('://*.') as [string, string];
      return { scheme: `${scheme}://`, suffix: `.${rest}` };
    });

  function allowed(origin: string): boolean {
    const o = origin.toLowerCase();
    if (exact.has(o)) return true;
    return wildcards.some(
      (w) =>
        o.startsWith(w.scheme) &&
        o.endsWith(w.suffix) &&
        o.length > w.scheme.length + w.suffix.length,
    );
  }

  /**
   * Sets CORS headers for the request's origin. Returns true when it was a preflight, which it
   * has answered.
   */
  return function applyCors(req: HttpRequest, res: HttpResponse): boolean {
    const origin = req.headers.origin;
    const preflight =
      req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (typeof origin !== 'string' || origin === '' || origins.length === 0) {
      return preflight ? answerPreflight(res, {}) : false;
    }
    res.setHeader('vary', 'Origin');
    const credentialed = allowed(origin);
    if (!credentialed && !anyOrigin) return preflight ? answerPreflight(res, {}) : false;
    const headers: Record<string, string> = credentialed
      ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' }
      : { 'access-control-allow-origin': '*' };
    if (!preflight) {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.setHeader('access-control-expose-headers', EXPOSED);
      return false;
    }
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => ALLOWED_HEADERS.has(h));
    return answerPreflight(res, {
      ...headers,
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': requested.join(', '),
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
    });
  };
}

function answerPreflight(res: HttpResponse, headers: Record<string, string>): true {
  res.writeHead(204, headers);
  res.end();
  return true;
}
