import { RetentionDays } from 'aws-cdk-lib/aws-logs';

import type { SwitchyardConfig } from '../functions/core/config/schema';
import { parseConfigText } from '../functions/providers/config';

/** Everything the CDK app takes from context (`-c key=value` or cdk.json). */
export interface AppSettings {
  readonly stage: string;
  /** `Switchyard-<stage>` unless context `stackName` says otherwise. */
  readonly stackName: string;
  readonly configPath: string;
  readonly config: SwitchyardConfig;
  readonly alarmEmail?: string;
  readonly enableWaf: boolean;
  readonly logRetention: RetentionDays;
  readonly reservedConcurrency?: number;
  /** Context `allowDevProviders`: let the config route to the mock provider or loopback (default false). */
  readonly allowDevProviders: boolean;
  /** Context `apiGatewayCloudWatchRole`: create the account-level API Gateway logging role (default false). */
  readonly apiGatewayCloudWatchRole: boolean;
  /** Context `apiAccessLogs`: API access logs (default: the value of apiGatewayCloudWatchRole). */
  readonly apiAccessLogs?: boolean;
  /** Context `tracing`: active X-Ray tracing (default false). */
  readonly tracing: boolean;
}

const STAGE = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Reads and validates the app's context. Context values given on the command line arrive as
 * strings, so booleans and numbers are parsed here; every error names the offending setting
 * (and, for the config file, the field) so `cdk synth` fails with a message a user can act on.
 */
export function readAppSettings(context: (key: string) => unknown, readFile: (path: string) => string): AppSettings {
  const stage = String(context('stage') ?? 'prod');
  if (!STAGE.test(stage)) throw new Error(`context 'stage' must match ${STAGE} (got '${stage}')`);
  const configPath = String(context('configPath') ?? 'switchyard.aws.config.json');
  return {
    stage,
    stackName: String(context('stackName') ?? `Switchyard-${stage}`),
    configPath,
    config: parseConfigFile(configPath, readFile),
    alarmEmail: optionalString(context('alarmEmail')),
    enableWaf: parseBoolean('enableWaf', context('enableWaf') ?? false),
    logRetention: parseRetention(context('logRetentionDays') ?? 30),
    reservedConcurrency: parseOptionalInt('reservedConcurrency', context('reservedConcurrency')),
    allowDevProviders: parseBoolean('allowDevProviders', context('allowDevProviders') ?? false),
    apiGatewayCloudWatchRole: parseBoolean('apiGatewayCloudWatchRole', context('apiGatewayCloudWatchRole') ?? false),
    apiAccessLogs: context('apiAccessLogs') === undefined ? undefined : parseBoolean('apiAccessLogs', context('apiAccessLogs')),
    tracing: parseBoolean('tracing', context('tracing') ?? false),
  };
}

function parseConfigFile(path: string, readFile: (path: string) => string): SwitchyardConfig {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new Error(`cannot read config file '${path}' (context configPath): ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseConfigText(text);
  } catch (error) {
    throw new Error(`invalid config file '${path}': ${(error as Error).message}`, { cause: error });
  }
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function parseBoolean(name: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context '${name}' must be true or false (got '${String(value)}')`);
}

function parseOptionalInt(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`context '${name}' must be a positive integer (got '${String(value)}')`);
  return n;
}

function parseRetention(value: unknown): RetentionDays {
  const days = Number(value);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) throw new Error(`context 'logRetentionDays' must be one of ${allowed.join(', ')} (got '${String(value)}')`);
  return days as RetentionDays;
}
