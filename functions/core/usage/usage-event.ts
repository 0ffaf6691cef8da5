/**
 * The `error_type` of the usage event of a request that died without settling its reservation
 * (process killed, Lambda timeout), written when the sweeper released it.
 */
export const RESERVATION_EXPIRED = 'reservation_expired';

/** Outcome of a request as recorded in its usage event. */
export type UsageStatus = 'ok' | 'error' | 'client_closed' | 'upstream_cut';

/**
 * One usage event per request (DESIGN §5). The same object is written locally as NDJSON and,
 * on AWS, to Firehose → S3 (Parquet). Field names are snake_case because they are the columns of
 * the Glue/Athena table and of the local DuckDB reports.
 */
export interface UsageEvent {
  request_id: string;
  /** ISO-8601 instant the request arrived. */
  ts: string;
  key_id: string | null;
  key_name: string | null;
  team: string | null;
  tags: Record<string, string>;
  user: string | null;
  endpoint: string;
  model_requested: string | null;
  provider: string | null;
  provider_model: string | null;
  stream: boolean;
  status: UsageStatus;
  http_status: number;
  error_type: string | null;
  attempts: number;
  fallbacks: number;
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  usage_estimated: boolean;
  cost_usd: number;
  cost_micro_usd: number;
  price_version: string;
  latency_ms: number;
  ttft_ms: number | null;
  /**
   * Time the gateway itself added before its first byte: from the request's arrival to the
   * upstream's answer (or first streamed event), less the time spent waiting for upstreams and
   * between retries; milliseconds with two decimals; null when no upstream answered.
   */
  overhead_ms: number | null;
}
