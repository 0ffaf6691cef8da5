import type { StartedCall } from '../routing/execute-route';
import type { RequestRecord } from '../usage/request-record';

/** Records attempts/fallbacks of a started call and returns the routing response headers. */
export function routingHeaders(record: RequestRecord, started: StartedCall<unknown>): Record<string, string> {
  record.provider = started.target.providerName;
  record.providerModel = started.target.model;
  recordAttempts(record, started.attempts);
  return {
    'x-switchyard-provider': started.target.providerName,
    'x-switchyard-model': started.target.model,
    'x-switchyard-attempts': String(started.attempts.length),
  };
}

/** Attempts and fallbacks (distinct targets tried beyond the first) on the usage record. */
export function recordAttempts(record: RequestRecord, attempts: ReadonlyArray<{ targetId: string }>): void {
  record.attempts = attempts.length;
  record.fallbacks = Math.max(0, new Set(attempts.map((attempt) => attempt.targetId)).size - 1);
}
