import type { AttemptOutcome } from './request-record';
import { RESERVATION_EXPIRED, type UsageEvent } from './usage-event';

/** CloudWatch namespace of every Switchyard metric. */
export const METRICS_NAMESPACE = 'Switchyard';

/**
 * Metric names (DESIGN §5). Exported so the alarms and the dashboard of the stack name exactly
 * what the gateway emits.
 */
export const MetricName = {
  Requests: 'Requests',
  Errors: 'Errors',
  Latency: 'Latency',
  TimeToFirstToken: 'TimeToFirstToken',
  GatewayOverhead: 'GatewayOverhead',
  InputTokens: 'InputTokens',
  OutputTokens: 'OutputTokens',
  CostUSD: 'CostUSD',
  Attempts: 'Attempts',
  Fallbacks: 'Fallbacks',
  BudgetRejections: 'BudgetRejections',
  RateLimitRejections: 'RateLimitRejections',
  UsageDeliveryFailures: 'UsageDeliveryFailures',
  /** Audit records that could not be delivered (each logged whole). */
  AuditDeliveryFailures: 'AuditDeliveryFailures',
  /** Requests that died without settling their reservation (process killed, Lambda timeout), released by the sweeper. */
  ReleasedReservations: 'ReleasedReservations',
  /** Attempts against one provider model (dimensions [Provider, Model]), retries and fallbacks included. */
  ProviderAttempts: 'ProviderAttempts',
  /** Of those, the attempts the provider failed, even when a retry or fallback saved the request. */
  ProviderAttemptFailures: 'ProviderAttemptFailures',
} as const;

/** One of {@link MetricName}. */
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** EMF units used here (a subset of CloudWatch units; cost has no currency unit, hence `None`). */
type MetricUnitName = 'Count' | 'Milliseconds' | 'None';

/** One value of one metric. */
export interface MetricDatum {
  name: MetricNameValue;
  unit: MetricUnitName;
  value: number;
}

/** Dimension names of the low-cardinality dimension sets. */
export const Dimension = { Provider: 'Provider', Model: 'Model', ModelAlias: 'ModelAlias', Team: 'Team' } as const;

/** The metrics of one request and the dimension sets they are published under. */
export interface RequestMetrics {
  data: MetricDatum[];
  /**
   * `{}` is the aggregate over all requests (what the alarms watch); then [Provider, Model],
   * [ModelAlias] and [Team] when the event has those values. A set whose value is unknown (a
   * request rejected before routing has no provider) is left out rather than filled with a
   * placeholder, so the per-dimension views only contain real values.
   */
  dimensionSets: Record<string, string>[];
}

/** `error_type` values the gateway records for its own 429 rejections. */
const BUDGET_EXCEEDED = 'budget_exceeded';
const RATE_LIMIT_EXCEEDED = 'rate_limit_exceeded';

/**
 * Whether the request failed on the server side: a 5xx answer or a stream cut by the upstream.
 * Client mistakes (4xx) and rejections have their own counters, so the error-rate alarms are not
 * tripped by a caller sending bad requests.
 */
function isServerError(event: UsageEvent): boolean {
  return event.http_status >= 500 || event.status === 'upstream_cut';
}

/**
 * Derives the metrics of one finished request from its usage event, so CloudWatch, the local
 * metrics file and the usage reports all count the same things.
 */
export function requestMetrics(event: UsageEvent): RequestMetrics {
  const count = (name: MetricNameValue, value: number): MetricDatum => ({ name, unit: 'Count', value });
  const data: MetricDatum[] = [
    count(MetricName.Requests, 1),
    count(MetricName.Errors, isServerError(event) ? 1 : 0),
    { name: MetricName.Latency, unit: 'Milliseconds', value: event.latency_ms },
    count(MetricName.InputTokens, event.input_tokens),
    count(MetricName.OutputTokens, event.output_tokens),
    { name: MetricName.CostUSD, unit: 'None', value: event.cost_usd },
    count(MetricName.Attempts, event.attempts),
    count(MetricName.Fallbacks, event.fallbacks),
    count(MetricName.BudgetRejections, event.error_type === BUDGET_EXCEEDED ? 1 : 0),
    count(MetricName.RateLimitRejections, event.error_type === RATE_LIMIT_EXCEEDED ? 1 : 0),
    count(MetricName.ReleasedReservations, event.error_type === RESERVATION_EXPIRED ? 1 : 0),
  ];
  if (event.ttft_ms !== null) data.push({ name: MetricName.TimeToFirstToken, unit: 'Milliseconds', value: event.ttft_ms });
  if (event.overhead_ms !== null) data.push({ name: MetricName.GatewayOverhead, unit: 'Milliseconds', value: event.overhead_ms });

  const dimensionSets: Record<string, string>[] = [{}];
  if (event.provider && event.provider_model) {
    dimensionSets.push({ [Dimension.Provider]: event.provider, [Dimension.Model]: event.provider_model });
  }
  if (event.model_requested) dimensionSets.push({ [Dimension.ModelAlias]: event.model_requested });
  if (event.team) dimensionSets.push({ [Dimension.Team]: event.team });
  return { data, dimensionSets };
}

/** The attempt counts of one provider model within one request. */
export interface ProviderAttemptCounts {
  /** `{ Provider, Model }`. */
  dimensions: Record<string, string>;
  attempts: number;
  failures: number;
}

/**
 * Attempts and provider failures per provider model of one request. The request's own metrics
 * carry only the target that answered, so a failing primary hidden by its fallback would never
 * show in them; these do. A stream the upstream cut counts as a failure of its last attempt.
 */
export function providerAttemptCounts(event: UsageEvent, attempts: readonly AttemptOutcome[]): ProviderAttemptCounts[] {
  const byModel = new Map<string, ProviderAttemptCounts>();
  attempts.forEach((attempt, index) => {
    const key = JSON.stringify([attempt.provider, attempt.model]);
    let counts = byModel.get(key);
    if (!counts) {
      counts = { dimensions: { [Dimension.Provider]: attempt.provider, [Dimension.Model]: attempt.model }, attempts: 0, failures: 0 };
      byModel.set(key, counts);
    }
    counts.attempts += 1;
    const cut = event.status === 'upstream_cut' && index === attempts.length - 1;
    if (attempt.failed || cut) counts.failures += 1;
  });
  return [...byModel.values()];
}
