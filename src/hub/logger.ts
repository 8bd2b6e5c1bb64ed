type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** The slice of a logger the hub uses; a pino logger fits as is. */
export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

const ignore: LogFn = () => {};
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
