import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogFields, Logger } from '../../core/ports/logger';

/**
 * The core's Logger port on Powertools Logger: structured JSON lines with the Lambda request id,
 * cold-start flag and service name that Powertools adds, fields merged into the line.
 */
export function powertoolsLogger(logger: PowertoolsLogger): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      if (fields) logger[level](message, fields);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
