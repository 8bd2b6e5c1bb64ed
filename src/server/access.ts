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
  /** Topics and patterns the caller may publish to. Absent: none. */
  readonly publish?: readonly string[] | undefined;
  /** May list and disconnect clients, push to one client, broadcast. Default false. */
  readonly admin?: boolean | undefined;
}

/**
 * Decides per request. Return the caller's `Access`, or `false` to refuse with 401. Throwing
 * `HttpError` answers with its status. Without a hook every request may do everything, as on
 * a hub that listens on loopback only.
 */
export type Authorize = (
  req: HttpRequest,
) => Access | false | undefined | Promise<Access | false | undefined>;

/** Unrestricted: what a request may do when there is no hook. */
export const FULL_ACCESS = undefined;

export async function accessOf(
  authorize: Authorize | undefined,
  req: HttpRequest,
): Promise<Access | undefined> {
  if (authorize === undefined) return FULL_ACCESS;
  const access = await authorize(req);
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
      throw new HttpError(403, 'forbidden', `not allowed to ${action} to "${topic}"`);
    }
  }
}

export function checkAdmin(access: Access | undefined, what: string): void {
  if (access !== FULL_ACCESS && access.admin !== true) {
    throw new HttpError(403, 'forbidden', `${what} needs admin access`);
  }
}
