import { CliError, EXIT } from './exit-codes.js';

/** Where the CLI talks to a hub, and as whom. */
export interface HubTarget {
  readonly url: string;
  /** Sent as `Authorization: Bearer …` (a publish key, admin token or JWT). */
  readonly token?: string | undefined;
}

/** `--token` falls back to SSEHUB_TOKEN, so a key need not show in `ps`. */
export const tokenOption = [
  '--token <token>',
  'bearer token: publish key, admin token or JWT (default $SSEHUB_TOKEN)',
] as const;

export function targetOf(flags: { url: string; token?: string | undefined }): HubTarget {
  return { url: flags.url, token: flags.token ?? process.env.SSEHUB_TOKEN };
}

/** A refusal the caller may retry: the hub is down, restarting or rate-limiting. */
export class RetryableError extends CliError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message, EXIT.failed);
  }
}

/** `POST /publish`; resolves to the event id. */
export async function publishEvent(
  target: HubTarget,
  body: Readonly<Record<string, unknown>>,
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL('/publish', target.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new RetryableError(`cannot reach ${target.url}: ${(error as Error).cause ?? error}`);
  }
  const reply = (await res.json().catch(() => ({}))) as {
    id?: string;
    error?: { code: string; message: string };
  };
  if (!res.ok) {
    const why = reply.error ? `${reply.error.code}: ${reply.error.message}` : res.statusText;
    const message = `publish failed (${res.status}) ${why}`;
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new RetryableError(message, Number.isFinite(after) ? after * 1000 : undefined);
    }
    throw new CliError(message, EXIT.failed);
  }
  return reply.id ?? '';
}
