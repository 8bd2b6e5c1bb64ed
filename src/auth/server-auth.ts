import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access, Authorize } from '../server/access.js';
import { HttpError } from '../server/errors.js';
import { createJwtVerifier, type JwtOptions, jwtConfigured, TokenError } from './jwt.js';
import { type TokenOptions, tokenOf } from './tokens.js';

export interface ServerAuthOptions extends JwtOptions, TokenOptions {
  /** Bearer token with every right: admin routes, pushes, any topic. */
  readonly adminToken?: string | undefined;
  /** Bearer API key for server-side publishers: publish anywhere, broadcast, push. */
  readonly publishKey?: string | undefined;
  /** What callers without credentials may subscribe to (never their private events). */
  readonly publicTopics?: readonly string[] | undefined;
}

/**
 * The standalone server's `authorize`: admin token, publish key or JWT from the request, else
 * anonymous with the public topics. Undefined when no credential is configured (an open hub,
 * which the config allows on loopback only).
 */
export function createServerAuthorize(options: ServerAuthOptions): Authorize | undefined {
  const configured =
    jwtConfigured(options) || options.adminToken !== undefined || options.publishKey !== undefined;
  if (!configured) return undefined;
  const verify = jwtConfigured(options) ? createJwtVerifier(options) : undefined;
  const publicTopics = options.publicTopics ?? [];
  const admin = options.adminToken === undefined ? undefined : digest(options.adminToken);
  const publisher = options.publishKey === undefined ? undefined : digest(options.publishKey);

  return async (req) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = tokenOf(req, url, options);
    if (found === undefined) {
      return { anonymous: true, subscribe: publicTopics, publish: [] } satisfies Access;
    }
    if ('error' in found) throw invalidToken(found.error);
    const given = digest(found.token);
    if (admin !== undefined && timingSafeEqual(given, admin)) {
      return { subject: 'admin', admin: true, push: true, subscribe: ['**'], publish: ['**'] };
    }
    if (publisher !== undefined && timingSafeEqual(given, publisher)) {
      return { subject: 'publisher', push: true, subscribe: [], publish: ['**'] };
    }
    if (verify === undefined) throw invalidToken('the token is not accepted');
    try {
      const token = await verify(found.token);
      return {
        subject: token.subject,
        // Public topics are open to everyone, token holders included; private events on them
        // still need the token's own grant.
        subscribe: [...token.subscribe, ...publicTopics],
        private: token.subscribe,
        publish: token.publish,
        expiresAt: token.expiresAt,
      };
    } catch (error) {
      if (error instanceof TokenError) throw invalidToken(error.message);
      throw error;
    }
  };
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function invalidToken(message: string): HttpError {
  return new HttpError(401, 'invalid_token', message, {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}
