import type { Access, Authorize } from '../server/access.js';
import { HttpError } from '../server/errors.js';

/** Names people pick on the demo pages: short, printable, no slashes (they go in URLs). */
const NAME = /^[\p{L}\p{N} _.-]{1,32}$/u;
const PREFIX = 'Bearer demo.';

export function checkDemoName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name.trim())) {
    throw new HttpError(
      400,
      'invalid_name',
      'a name is 1 to 32 letters, digits, spaces, dots, dashes or underscores',
    );
  }
  return name.trim();
}

/** A token naming `name`, for `Authorization: Bearer …`. */
export function demoTokenFor(name: string): string {
  return `demo.${Buffer.from(name).toString('base64url')}`;
}

/**
 * Demo sign-in on a hub with no auth, where every caller may already do everything: the token
 * only says who the caller claims to be, so pushes to one user (`POST /users/{name}/events`)
 * have someone to reach. It is not a credential and is not signed (anyone may sign in as
 * anyone, as anyone may already subscribe to anything here), which also lets it outlive a
 * restart of the hub. Hubs with auth configured never use it.
 */
export const demoAuthorize: Authorize = (req) => {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return true;
  const name = Buffer.from(header.slice(PREFIX.length), 'base64url').toString('utf8');
  if (!NAME.test(name)) {
    throw new HttpError(401, 'invalid_token', 'not a demo sign-in of this hub; sign in again');
  }
  return {
    subject: name,
    admin: true,
    push: true,
    subscribe: ['**'],
    publish: ['**'],
  } satisfies Access;
};
