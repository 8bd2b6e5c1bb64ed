/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The hub refused the request or could not be reached. */
  failed: 1,
  /** Bad flags or config: nothing was attempted. */
  usage: 2,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
