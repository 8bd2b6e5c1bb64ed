import type { HttpRequest } from '../stream/index.js';

export type TokenSource = 'header' | 'cookie' | 'query';

export interface TokenOptions {
  /** Cookie that may carry the token. Undefined: cookies are not read. */
  readonly cookie?: string | undefined;
  /** Whether `?access_token=` is read. It ends up in logs and browser history: off by default. */
  readonly query?: boolean | undefined;
}

/**
 * The request's bearer credential: `Authorization: Bearer` first, then the cookie, then the
 * query parameter. A malformed Authorization header is not skipped over: it is an error, so a
 * typo never silently falls back to a weaker source.
 */
export function tokenOf(
  req: HttpRequest,
  url: URL,
  options: TokenOptions,
): { token: string; source: TokenSource } | { error: string } | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
    if (match === null) return { error: 'the Authorization header must be "Bearer <token>"' };
    return { token: match[1]!, source: 'header' };
  }
  if (options.cookie !== undefined) {
    const value = cookieValue(req.headers.cookie, options.cookie);
    if (value !== undefined && value !== '') return { token: value, source: 'cookie' };
  }
  if (options.query) {
    const value = url.searchParams.get('access_token');
    if (value !== null && value !== '') return { token: value, source: 'query' };
  }
  return undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
