import { patternCovers } from '../hub/index.js';
import type { HttpRequest } from '../stream/index.js';
import { HttpError } from './errors.js';

/** What one request may do, as the app's `authorize` hook decides. */
export interface Access {
  /** Who the caller is (a user id); shown in the client list. */
  readonly subject?: string | undefined;
  /**
   * Topics and patterns the caller may subscribe to. A subscription that names no topic gets
   * exactly these. Absent: none.
   */
  readonly subscribe?: readonly string[] | undefined;
  /**
   * Topics and patterns whose private events the caller may receive. Absent: its `subscribe`
   * grant (none when anonymous).
   */
  readonly private?: readonly string[] | undefined;
  /** Topics and patterns the caller may publish to. Absent: none. */
  readonly publish?: readonly string[] | undefined;
  /** May broadcast, and push to one user or one client (server-side publishers). Default false. */
  readonly push?: boolean | undefined;
  /** May list and disconnect clients and list topics; implies `push`. Default false. */
  readonly admin?: boolean | undefined;
  /**
   * No credentials were given. Anonymous connections never receive private events, even on
   * topics they may subscribe to.
   */
  readonly anonymous?: boolean | undefined;
  /** When the credentials stop being valid (ms since the epoch); streams are closed then. */
  readonly expiresAt?: number | undefined;
}

/**
 * Decides per request. Return the caller's `Access`, `true` to allow everything (as with no
 * hook), or `false` to refuse with 401. Throwing `HttpError` answers with its status. Without a
 * hook every request may do everything, as on a hub that listens on loopback only.
 */
export type Authorize = (
  req: HttpRequest,
) => Access | boolean | undefined | Promise<Access | boolean | undefined>;

/** Unrestricted: what a request may do when there is no hook. */
export const FULL_ACCESS = undefined;

export async function accessOf(
  authorize: Authorize | undefined,
  req: HttpRequest,
): Promise<Access | undefined> {
  if (authorize === undefined) return FULL_ACCESS;
  const access = await authorize(req);
  if (access === true) return FULL_ACCESS;
  if (!access) throw new HttpError(401, 'unauthorized', 'authentication required');
  return access;
}

export function checkTopicsAllowed(
  access: Access | undefined,
  action: 'subscribe' | 'publish',
  topics: readonly string[],
): void {
  if (access === FULL_ACCESS) return;
  const granted = access[action] ?? [];
  for (const topic of topics) {
    if (!granted.some((allowed) => patternCovers(allowed, topic))) {
      if (access.anonymous) throw needsAuth(`${action} to "${topic}"`);
      throw new HttpError(403, 'forbidden', `not allowed to ${action} to "${topic}"`);
    }
  }
}

export function checkAdmin(access: Access | undefined, what: string): void {
  if (access !== FULL_ACCESS && access.admin !== true) {
    if (access.anonymous) throw needsAuth(what);
    throw new HttpError(403, 'forbidden', `${what} needs admin access`);
  }
}

export function checkPush(access: Access | undefined, what: string): void {
  if (access !== FULL_ACCESS && access.admin !== true && access.push !== true) {
    if (access.anonymous) throw needsAuth(what);
    throw new HttpError(403, 'forbidden', `${what} needs push or admin access`);
  }
}

/** Private events a connection may receive: its subscribe grant, none if anonymous. */
export function privateTopicsOf(access: Access | undefined): readonly string[] | 'all' {
  if (access === FULL_ACCESS) return 'all';
  if (access.anonymous === true) return [];
  return access.private ?? access.subscribe ?? [];
}

function needsAuth(what: string): HttpError {
  return new HttpError(401, 'unauthorized', `authentication required: ${what}`, {
    'www-authenticate': 'Bearer',
  });
}
