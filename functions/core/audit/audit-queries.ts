import { AUDIT_SOURCE, deduplicatedDays, type ReportQuery } from '../reports/report-queries';

/**
 * The SQL of `switchyard audit`, one source for DuckDB locally and for the stack's Athena named
 * queries (as the reports: `functions/core/reports/report-queries.ts`, same dialect rules).
 * Both keep one copy per `request_id` (Firehose delivers at least once) and read only the days
 * asked (`dt`, which prunes partitions on Athena: audit payloads are large).
 */

/** Audit records of the requested days, one per request. */
const RECORDS = deduplicatedDays('records', AUDIT_SOURCE);

/** The columns of an audit record, payloads and partition included. */
const RECORD_COLUMNS = `request_id, ts, audit_level, key_id, key_name, team, tags, "user", method, endpoint, user_agent,
  model_requested, provider, provider_model, stream, status, http_status, error_type, latency_ms,
  request_body, response_body, request_truncated, response_truncated`;

/** The queries of `switchyard audit show` and `audit search`. */
export const AUDIT_QUERIES = {
  'audit-show': {
    name: 'audit-show',
    description: 'The whole audit record of one request (third parameter: its request id).',
    sql: `${RECORDS}
SELECT ${RECORD_COLUMNS}
FROM records
WHERE request_id = ?`,
    parameters: ['since', 'until', 'request_id'],
    dataset: 'audit',
  },
  'audit-search': {
    name: 'audit-search',
    description: 'Audit records, newest first, without payloads, filtered by key id, team and one tag NAME=VALUE (empty parameters match all).',
    sql: `${RECORDS}
SELECT request_id, ts, audit_level, key_id, key_name, team, "user", endpoint, model_requested, provider_model, status, http_status, error_type, latency_ms
FROM records
WHERE (? = '' OR key_id = ?)
  AND (? = '' OR team = ?)
  AND (? = '' OR try(tags[?]) = ?)
ORDER BY ts DESC, request_id
LIMIT 1000`,
    parameters: ['since', 'until', 'key', 'key', 'team', 'team', 'tag', 'tag', 'tag_value'],
    dataset: 'audit',
  },
} as const satisfies Record<string, ReportQuery>;
