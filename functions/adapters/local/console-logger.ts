import { withRedaction } from '../../core/logging/redact';
import type { LogFields, Logger } from '../../core/ports/logger';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * JSON-lines logger for the local server (the same structured shape as Powertools on Lambda).
 * Credentials are redacted from every line (see `withRedaction`).
 */
export function createConsoleLogger(minLevel: Level = 'info', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const log = (level: Level) => (message: string, fields?: LogFields) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(JSON.stringify({ level: level.toUpperCase(), timestamp: new Date().toISOString(), message, ...fields }));
  };
  return withRedaction({ debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') });
}
