import type { GatewayError } from '../errors';
import { RouteFailedError, type AttemptRecord, type StartedCall } from '../routing/execute-route';
import type { Clock } from '../ports/clock';
import type { RequestRecord } from '../usage/request-record';

/** The header that tells the client the gateway's own overhead on its request (see `UsageEvent.overhead_ms`). */
const OVERHEAD_HEADER = 'x-switchyard-overhead-ms';

/**
 * Records attempts, fallbacks and the gateway's overhead of a started call (time since the
 * request arrived, less the time spent waiting on upstreams) and returns the routing response
 * headers.
 */
export function routingHeaders(record: RequestRecord, started: StartedCall<unknown>, clock: Clock): Record<string, string> {
  record.provider = started.target.providerName;
  record.providerModel = started.target.model;
  recordAttempts(record, started.attempts);
  record.overheadMs = Math.max(0, Math.round((clock.monotonicMs() - record.startedMonotonicMs - started.waitedMs) * 100) / 100);
  return {
    'x-switchyard-provider': started.target.providerName,
    'x-switchyard-model': started.target.model,
    'x-switchyard-attempts': String(started.attempts.length),
    [OVERHEAD_HEADER]: record.overheadMs.toFixed(2),
  };
}

/**
 * Attempts and fallbacks (distinct targets tried beyond the first) on the usage record; on a
 * failed route, the provider and model of the last attempt, so the event names who failed.
 */
export function recordAttempts(record: RequestRecord, attempts: readonly AttemptRecord[]): void {
  record.attempts = attempts.length;
  record.attemptOutcomes = attempts.map((attempt) => ({ provider: attempt.provider, model: attempt.model, failed: attempt.providerFailed }));
  record.fallbacks = Math.max(0, new Set(attempts.map((attempt) => attempt.targetId)).size - 1);
  const last = attempts[attempts.length - 1];
  if (record.provider === null && last) {
    record.provider = last.provider;
    record.providerModel = last.model;
  }
}

/**
 * The routing headers of an error response: after a failed route, the last target tried and the
 * number of attempts; none when the request never reached routing (bad key, bad body).
 */
export function failureRoutingHeaders(error: GatewayError): Record<string, string> {
  if (!(error instanceof RouteFailedError)) return {};
  const last = error.attempts[error.attempts.length - 1];
  const headers: Record<string, string> = { 'x-switchyard-attempts': String(error.attempts.length) };
  if (last) {
    headers['x-switchyard-provider'] = last.provider;
    headers['x-switchyard-model'] = last.model;
  }
  return headers;
}

/** The response header with a non-streamed request's cost (DESIGN §2). */
export const COST_HEADER = 'x-switchyard-cost-usd';

/** A cost in micro-USD as the header shows it: USD with six decimals. */
export function formatCostHeader(costMicroUsd: number): string {
  return (costMicroUsd / 1_000_000).toFixed(6);
}
