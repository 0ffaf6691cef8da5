/**
 * Environment variables the stack sets on the functions and the handlers read: defined once here,
 * imported by both (`lib/constructs/*` `bindTo`, `functions/handlers/*`).
 */
export const FunctionEnv = {
  /** Virtual-key table name. */
  KeysTable: 'SWITCHYARD_KEYS_TABLE',
  /** Spend table name. */
  SpendTable: 'SWITCHYARD_SPEND_TABLE',
  /** Name prefix of the provider secrets (`switchyard/<stage>-<suffix>/`). */
  SecretPrefix: 'SWITCHYARD_SECRET_PREFIX',
  /** Usage Firehose delivery stream name. */
  UsageStream: 'USAGE_STREAM_NAME',
} as const;
