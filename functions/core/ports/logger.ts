/** Structured fields of a log line. Never put secrets or prompt text here. */
export type LogFields = Record<string, unknown>;

/** Minimal structured logger; Powertools Logger and the local console logger both fit it. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that discards everything (for tests and library use). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
