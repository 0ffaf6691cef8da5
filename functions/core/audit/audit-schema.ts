import type { UsageColumnType } from '../usage/usage-schema';
import type { AuditRecord } from './audit-record';

/**
 * The type of every audit record field as a table column, typed against {@link AuditRecord} so a
 * field added to the record without a column here fails to compile. One source for the Glue table
 * `audit_records` (JSON objects, read by the OpenX JSON SerDe) and for the DuckDB columns of
 * `switchyard audit` locally.
 */
const AUDIT_COLUMN_TYPES = {
  request_id: 'string',
  ts: 'string',
  audit_level: 'string',
  key_id: 'string',
  key_name: 'string',
  team: 'string',
  tags: 'map<string,string>',
  user: 'string',
  method: 'string',
  endpoint: 'string',
  user_agent: 'string',
  model_requested: 'string',
  provider: 'string',
  provider_model: 'string',
  stream: 'boolean',
  status: 'string',
  http_status: 'bigint',
  error_type: 'string',
  latency_ms: 'bigint',
  request_body: 'string',
  response_body: 'string',
  request_truncated: 'boolean',
  response_truncated: 'boolean',
} as const satisfies Record<keyof AuditRecord, UsageColumnType>;

/** An audit table column. */
export interface AuditColumn {
  name: keyof AuditRecord;
  type: UsageColumnType;
}

/** The audit table columns in record field order. */
export const AUDIT_COLUMNS: readonly AuditColumn[] = Object.entries(AUDIT_COLUMN_TYPES).map(([name, type]) => ({ name: name as keyof AuditRecord, type }));
