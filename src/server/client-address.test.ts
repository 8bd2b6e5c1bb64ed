import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

const req = (peer: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(req('10.0.0.1', '6.6.6.6'), 0)).toBe('10.0.0.1');
  });

  it('believes only the entries the trusted proxies appended', () => {
    // The client wrote "6.6.6.6" itself; nginx appended the address it saw, 203.0.113.9.
    expect(clientAddress(req('10.0.0.1', '6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
    // Two proxies: a CDN appended the client, the load balancer appended the CDN.
    expect(clientAddress(req('10.0.0.1', '6.6.6.6, 203.0.113.9, 198.51.100.7'), 2)).toBe(
      '203.0.113.9',
    );
  });

  it('falls back to the farthest address known when there are fewer entries than proxies', () => {
    expect(clientAddress(req('10.0.0.1'), 1)).toBe('10.0.0.1');
    expect(clientAddress(req('10.0.0.1', '203.0.113.9'), 3)).toBe('203.0.113.9');
  });
});
