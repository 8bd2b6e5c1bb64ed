import type { HttpRequest } from '../stream/index.js';

/**
 * The client's address. Behind `trustedProxies` proxies (each appending to X-Forwarded-For),
 * it is the entry the outermost trusted proxy appended: entries further left were written by
 * the client itself and are not believed. With 0 the socket's peer is the client.
 */
export function clientAddress(req: HttpRequest, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // Nearest first: the peer, then what each proxy appended, right to left.
  const chain = [peer, ...forwarded.reverse()];
  return chain[Math.min(trustedProxies, chain.length - 1)]!;
}
