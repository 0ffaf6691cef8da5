import type { AuditLevel } from '../audit/audit-record';
import type { StreamTranscript } from '../audit/stream-transcript';
import type { Principal } from '../pipeline/authenticate';
import type { BudgetHold } from '../pipeline/budget';
import { PRICE_VERSION } from '../pricing';
import type { UsageEvent, UsageStatus } from './usage-event';

/** Token counts of a finished request, normalised (input includes cached and cache-write tokens). */
export interface TokenCounts {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  estimated: boolean;
}

/** One attempt against a provider model and whether that provider failed it. */
export interface AttemptOutcome {
  provider: string;
  model: string;
  failed: boolean;
}

const NO_TOKENS: TokenCounts = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, estimated: false };

/**
 * Collects what the gateway learns about one request while it runs, and renders the single
 * usage event for it (DESIGN §5).
 */
export class RequestRecord {
  principal: Principal | undefined;
  tags: Record<string, string> = {};
  user: string | null = null;
  modelRequested: string | null = null;
  provider: string | null = null;
  providerModel: string | null = null;
  stream = false;
  attempts = 0;
  fallbacks = 0;
  /** Each attempt's provider model and whether the provider failed it, for per-provider metrics. */
  attemptOutcomes: readonly AttemptOutcome[] = [];
  tokens: TokenCounts = NO_TOKENS;
  costMicroUsd = 0;
  ttftMs: number | null = null;
  /** See `UsageEvent.overhead_ms`. */
  overheadMs: number | null = null;
  /** The budget reservation held for this request, settled once it has finished. */
  budgetHold: BudgetHold | undefined;
  /** Epoch milliseconds by which the request has ended, settled or not (its own deadline, or its runtime's if earlier). */
  deadlineMs = Number.POSITIVE_INFINITY;
  /** How much of this request the audit trail keeps (resolved once the caller is known). */
  auditLevel: AuditLevel = 'none';
  /** The request body for a `full` audit record. */
  auditRequest: unknown;
  /** The response body sent, for a `full` audit record. */
  auditResponse: unknown;
  /** The streamed response as sent so far, for a `full` audit record. */
  auditTranscript: StreamTranscript | undefined;

  constructor(
    readonly requestId: string,
    readonly startedAtMs: number,
    readonly endpoint: string,
    /** The clock's monotonic reading when the request arrived (see `Clock.monotonicMs`). */
    readonly startedMonotonicMs: number,
  ) {}

  /** The usage event of this request. */
  toEvent(status: UsageStatus, httpStatus: number, errorType: string | null, nowMs: number): UsageEvent {
    return {
      request_id: this.requestId,
      ts: new Date(this.startedAtMs).toISOString(),
      key_id: this.principal?.keyId ?? null,
      key_name: this.principal?.keyName ?? null,
      team: this.principal?.team ?? null,
      tags: this.tags,
      user: this.user,
      endpoint: this.endpoint,
      model_requested: this.modelRequested,
      provider: this.provider,
      provider_model: this.providerModel,
      stream: this.stream,
      status,
      http_status: httpStatus,
      error_type: errorType,
      attempts: this.attempts,
      fallbacks: this.fallbacks,
      input_tokens: this.tokens.input,
      cached_input_tokens: this.tokens.cachedInput,
      cache_write_tokens: this.tokens.cacheWrite,
      output_tokens: this.tokens.output,
      reasoning_tokens: this.tokens.reasoning,
      usage_estimated: this.tokens.estimated,
      cost_usd: this.costMicroUsd / 1_000_000,
      cost_micro_usd: this.costMicroUsd,
      price_version: PRICE_VERSION,
      latency_ms: Math.max(0, nowMs - this.startedAtMs),
      ttft_ms: this.ttftMs,
      overhead_ms: this.overheadMs,
    };
  }
}
