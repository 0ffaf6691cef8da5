import type { UsageEvent } from './usage-event';

/** Column types of the usage table, in Glue/Hive spelling. */
export type UsageColumnType = 'string' | 'bigint' | 'double' | 'boolean' | 'map<string,string>';

/**
 * The type of every usage event field as a table column. Typed against {@link UsageEvent} so a
 * field added to the event without a column here fails to compile. One source for the Glue table
 * (which Firehose uses for the Parquet conversion) and for the DuckDB column list of the local
 * reports, so both engines see the same table.
 */
const USAGE_COLUMN_TYPES = {
  request_id: 'string',
  // ISO-8601 text: the Hive JSON SerDe does not parse ISO instants with a zone into timestamps.
  ts: 'string',
  key_id: 'string',
  key_name: 'string',
  team: 'string',
  tags: 'map<string,string>',
  user: 'string',
  endpoint: 'string',
  model_requested: 'string',
  provider: 'string',
  provider_model: 'string',
  stream: 'boolean',
  status: 'string',
  http_status: 'bigint',
  error_type: 'string',
  attempts: 'bigint',
  fallbacks: 'bigint',
  input_tokens: 'bigint',
  cached_input_tokens: 'bigint',
  cache_write_tokens: 'bigint',
  output_tokens: 'bigint',
  reasoning_tokens: 'bigint',
  usage_estimated: 'boolean',
  cost_usd: 'double',
  cost_micro_usd: 'bigint',
  price_version: 'string',
  latency_ms: 'bigint',
  ttft_ms: 'bigint',
  overhead_ms: 'double',
} as const satisfies Record<keyof UsageEvent, UsageColumnType>;

/** A usage table column. */
export interface UsageColumn {
  name: keyof UsageEvent;
  type: UsageColumnType;
}

/** The usage table columns in event field order. */
export const USAGE_COLUMNS: readonly UsageColumn[] = Object.entries(USAGE_COLUMN_TYPES).map(([name, type]) => ({
  name: name as keyof UsageEvent,
  type,
}));

/**
 * The partition column: the UTC day (`YYYY-MM-DD`, text) of the S3 prefix or local directory
 * `usage/dt=…/`. It is not a field of the event.
 */
export const USAGE_PARTITION_COLUMN = 'dt';
