/**
 * The report SQL — the one source for `switchyard report` on DuckDB, for the Athena named
 * queries of the stack, and for `switchyard report --stack` on Athena. The texts are written in
 * the dialect both engines share (Athena is Trino); the only difference between the engines is
 * the table the placeholder {@link USAGE_SOURCE} is replaced with (see {@link renderReportSql}).
 *
 * Shared-dialect choices, each because the obvious spelling differs between the engines:
 * - tag lookup `try(tags[?])`: Trino fails on a missing map key unless wrapped in `try`, and
 *   DuckDB's `element_at` returns a list;
 * - percentiles `approx_percentile(x, p)`: Trino's name; the DuckDB runner defines it as a macro
 *   over `approx_quantile` before running any report;
 * - counts of a condition as `sum(CASE … END)` and rates over `CAST(… AS DOUBLE)` (no integer
 *   division in Trino).
 *
 * Parameters are positional `?`: every query takes `since` and `until` (inclusive `YYYY-MM-DD`
 * days of the `dt` partition, which also prunes partitions on Athena); `spend-by-tag` also takes
 * the tag name. Athena receives them as `ExecutionParameters`; the console prompts for them.
 *
 * Every query first keeps one copy per `request_id`: Firehose delivers at least once.
 */

/** Placeholder for the usage table in the query texts. */
export const USAGE_SOURCE = '{{usage_events}}';
/** Placeholder for the audit table in the query texts of `switchyard audit`. */
export const AUDIT_SOURCE = '{{audit_records}}';

/** The table a query reads: usage events, or audit records. */
export type Dataset = 'usage' | 'audit';

/** A positional parameter of a query (a filter left empty matches everything). */
type ReportParameter = 'since' | 'until' | 'tag' | 'request_id' | 'key' | 'team' | 'tag_value';

/** One report. */
export interface ReportQuery {
  /** Stable kebab-case name; the Athena named query is called `switchyard-<name>`. */
  name: string;
  description: string;
  /** SQL text with {@link USAGE_SOURCE} and positional `?` parameters. */
  sql: string;
  /** The parameters in the order of the `?` in `sql`. */
  parameters: readonly ReportParameter[];
  /** The table it reads (default `usage`, with {@link USAGE_SOURCE}; `audit` with {@link AUDIT_SOURCE}). */
  dataset?: Dataset;
}

/**
 * `WITH <name> AS (…)`: the rows of `source` of the requested days, one per `request_id` (Firehose
 * delivers at least once). Its two `?` (since, until) are always the first parameters.
 */
export function deduplicatedDays(name: string, source: string): string {
  return `WITH ${name} AS (
  SELECT * FROM (
    SELECT s.*, row_number() OVER (PARTITION BY request_id ORDER BY ts) AS copy_number
    FROM ${source} s
    WHERE dt BETWEEN ? AND ?
  ) AS ranked
  WHERE copy_number = 1
)`;
}

/** Deduplicated usage events of the requested days. */
const EVENTS = deduplicatedDays('events', USAGE_SOURCE);

/**
 * Spend columns of every spend report. `requests` counts requests for a model (the billable
 * kind); `non_billable_requests` the others, counted apart (DESIGN §5): model listings, failed
 * authentication, unknown routes — events that never named a model. `errors` counts failed model
 * requests (rejections included). `cost_usd` keeps six decimals: a request can cost $0.0002.
 */
const SPEND = `sum(CASE WHEN model_requested IS NOT NULL THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN model_requested IS NULL THEN 1 ELSE 0 END) AS non_billable_requests,
  sum(CASE WHEN model_requested IS NOT NULL AND status IN ('error', 'upstream_cut') THEN 1 ELSE 0 END) AS errors,
  sum(input_tokens) AS input_tokens,
  sum(cached_input_tokens) AS cached_input_tokens,
  sum(output_tokens) AS output_tokens,
  sum(cost_micro_usd) AS cost_micro_usd,
  round(sum(cost_micro_usd) / 1e6, 6) AS cost_usd`;

const DAYS: readonly ReportParameter[] = ['since', 'until'];

function spendBy(name: string, description: string, keys: string[], extra: { parameters?: readonly ReportParameter[]; select?: string[]; limit?: number } = {}): ReportQuery {
  const select = extra.select ?? keys;
  const sql = `${EVENTS}
SELECT ${select.join(', ')},
  ${SPEND}
FROM events
GROUP BY ${keys.map((_, index) => index + 1).join(', ')}
ORDER BY cost_micro_usd DESC, ${keys.map((_, index) => index + 1).join(', ')}${extra.limit ? `\nLIMIT ${extra.limit}` : ''}`;
  return { name, description, sql, parameters: extra.parameters ?? DAYS };
}

/** Every report, by name. */
export const REPORT_QUERIES = {
  'spend-by-team': spendBy('spend-by-team', 'Spend, tokens, requests and errors per team.', ['team']),
  'spend-by-day': spendBy('spend-by-day', 'Spend, tokens, requests and errors per UTC day.', ['dt']),
  'spend-by-team-day': spendBy('spend-by-team-day', 'Spend, tokens, requests and errors per team and UTC day.', ['team', 'dt']),
  'spend-by-key': spendBy('spend-by-key', 'Spend, tokens, requests and errors per virtual key.', ['key_id', 'key_name', 'team']),
  'spend-by-model': spendBy('spend-by-model', 'Spend, tokens, requests and errors per requested alias and provider model.', [
    'model_requested',
    'provider',
    'provider_model',
  ]),
  // `user` is a keyword in both dialects: quoted, it is the column.
  'spend-by-user': spendBy('spend-by-user', 'Spend, tokens, requests and errors per end user (x-switchyard-user, OpenAI user, Anthropic metadata.user_id) and team.', ['"user"', 'team']),
  'spend-by-tag': spendBy('spend-by-tag', 'Spend, tokens, requests and errors per value of one attribution tag (third parameter: the tag name).', ['tag_value'], {
    select: ['try(tags[?]) AS tag_value'],
    parameters: ['since', 'until', 'tag'],
  }),
  'top-spenders': spendBy('top-spenders', 'The 20 keys that spent the most.', ['key_id', 'key_name', 'team'], { limit: 20 }),
  'provider-health': {
    name: 'provider-health',
    description: 'Error rate, fallbacks and latency percentiles per provider and model.',
    sql: `${EVENTS}
SELECT provider, provider_model,
  count(*) AS requests,
  sum(CASE WHEN status IN ('error', 'upstream_cut') THEN 1 ELSE 0 END) AS errors,
  round(CAST(sum(CASE WHEN status IN ('error', 'upstream_cut') THEN 1 ELSE 0 END) AS DOUBLE) / count(*), 4) AS error_rate,
  sum(fallbacks) AS fallbacks,
  approx_percentile(latency_ms, 0.5) AS latency_p50_ms,
  approx_percentile(latency_ms, 0.9) AS latency_p90_ms,
  approx_percentile(latency_ms, 0.99) AS latency_p99_ms,
  approx_percentile(ttft_ms, 0.5) AS ttft_p50_ms,
  approx_percentile(ttft_ms, 0.99) AS ttft_p99_ms
FROM events
WHERE provider IS NOT NULL
GROUP BY 1, 2
ORDER BY requests DESC, 1, 2`,
    parameters: DAYS,
  },
} as const satisfies Record<string, ReportQuery>;

/** Name of a report in {@link REPORT_QUERIES}. */
export type ReportName = keyof typeof REPORT_QUERIES;

/**
 * The query text for one engine: the placeholder replaced with that engine's table source
 * (a quoted Glue table for Athena, a `read_json(…)` call for DuckDB). Nothing else changes.
 */
export function renderReportSql(query: ReportQuery, source: string): string {
  return query.sql.split(query.dataset === 'audit' ? AUDIT_SOURCE : USAGE_SOURCE).join(source);
}

/** Name of the Athena named query of a report (named queries live in the stack's workgroup). */
export function namedQueryName(query: ReportQuery): string {
  return `switchyard-${query.name}`;
}
