import { auditRecordFrom } from '../audit/audit-record';
import type { AuditSink } from '../ports/audit-sink';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { Metrics } from '../ports/metrics';
import type { ReleasedReservation, SpendStore } from '../ports/spend-store';
import type { UsageSink } from '../ports/usage-sink';
import { PRICE_VERSION } from '../pricing';
import { RESERVATION_EXPIRED, type UsageEvent } from '../usage/usage-event';

/** Reservations released per store call; the sweep repeats until a call releases fewer. */
const SWEEP_BATCH = 100;

/** Ports of {@link sweepExpiredReservations}. */
export interface SweepDeps {
  spendStore: SpendStore;
  usageSink: UsageSink;
  /** Where the audit records of audited requests go (none: they are not written). */
  auditSink?: AuditSink;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
}

/**
 * Releases every reservation whose request died without settling it and whose expiry has passed
 * (DESIGN §4: the scheduled sweeper on AWS, start-up and periodic locally). Each is charged at its
 * estimate by the store, and the request gets the usage event it never wrote — estimated, with
 * `error_type` {@link RESERVATION_EXPIRED} — so that nothing is lost: one usage event per request,
 * spend settled, no reservation held forever. An audited request also gets its audit record, at
 * `metadata` (its payloads died with it). Safe to run concurrently and repeatedly (the store
 * releases each reservation once). Resolves with the number released.
 */
export async function sweepExpiredReservations(deps: SweepDeps): Promise<number> {
  let released = 0;
  for (;;) {
    const now = deps.clock.now();
    const batch = await deps.spendStore.releaseExpired(now, SWEEP_BATCH);
    for (const reservation of batch) {
      deps.logger.warn('reservation released: its request never settled it', {
        requestId: reservation.requestId,
        keyId: reservation.request.keyId,
        reservedMicroUsd: reservation.amountMicroUsd,
        chargedMicroUsd: reservation.chargedMicroUsd,
        releaseAt: new Date(reservation.releaseAt ?? now).toISOString(),
      });
      const event = releasedUsageEvent(reservation);
      deps.metrics.recordRequest(event);
      await deps.usageSink.write(event);
      // The request and the response died with the process that held them: metadata only.
      if (reservation.request.auditLevel && deps.auditSink) await deps.auditSink.write(auditRecordFrom(event, 'metadata', { method: 'POST', userAgent: null }));
    }
    released += batch.length;
    if (batch.length < SWEEP_BATCH) return released;
  }
}

/**
 * The usage event of a request whose reservation was released: what was known when it was
 * admitted, the estimated tokens and charge, status `error` with a 504 (it never finished).
 * How long it ran and which provider served it are unknown: latency 0, provider null.
 */
function releasedUsageEvent(reservation: ReleasedReservation): UsageEvent {
  const { request } = reservation;
  return {
    request_id: reservation.requestId,
    ts: new Date(request.startedAt).toISOString(),
    key_id: request.keyId || null,
    key_name: request.keyName,
    team: request.team,
    tags: request.tags,
    user: request.user,
    endpoint: request.endpoint,
    model_requested: request.modelRequested,
    provider: null,
    provider_model: null,
    stream: request.stream,
    status: 'error',
    http_status: 504,
    error_type: RESERVATION_EXPIRED,
    attempts: 0,
    fallbacks: 0,
    input_tokens: request.inputTokens,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: request.outputTokens,
    reasoning_tokens: 0,
    usage_estimated: true,
    cost_usd: reservation.chargedMicroUsd / 1_000_000,
    cost_micro_usd: reservation.chargedMicroUsd,
    price_version: PRICE_VERSION,
    latency_ms: 0,
    ttft_ms: null,
    overhead_ms: null,
  };
}
