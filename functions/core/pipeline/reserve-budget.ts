import type { CanonicalRequest } from '../model/request';
import { priceFor } from '../pricing';
import type { RouteTarget } from '../routing/plan-route';
import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { CHARS_PER_ESTIMATED_TOKEN } from '../usage/token-counts';
import type { ReservationExpiry } from '../ports/spend-store';
import type { Principal } from './authenticate';
import { admitRequest, type BudgetHold, type BudgetDeps } from './budget';
import { costBoundMicroUsd, inputTokenBound, outputTokenLimit } from './cost-bound';

/**
 * Admits a model call against its key's limits before any upstream call (DESIGN §4): the
 * reservation is the dearest of the route's targets (any of them may end up serving), each
 * bounded by the prompt's UTF-8 bytes as input tokens and its output limit × `n` as output tokens.
 * Should the request die unsettled, the reservation is released after its deadline charged at the
 * dearest target's estimate: the prompt at four bytes a token and the whole output limit (how much
 * was generated is unknown, and the output limit is what the upstream could have billed).
 */
export async function reserveCall(runtime: GatewayRuntime, record: RequestRecord, request: CanonicalRequest, bodyBytes: number, plan: RouteTarget[], signal: AbortSignal): Promise<void> {
  const principal = record.principal;
  if (!principal) return;
  const inputTokens = inputTokenBound(bodyBytes, request);
  const estimatedInputTokens = Math.ceil(inputTokens / CHARS_PER_ESTIMATED_TOKEN);
  const choices = Math.max(1, request.n ?? 1);
  let bound = 0;
  let estimate = { costMicroUsd: 0, outputTokens: 0 };
  for (const target of plan) {
    const outputTokens = outputTokenLimit(request.maxOutputTokens, target, runtime.deps.providers[target.provider.type]) * choices;
    const price = priceFor(target.model, target.price);
    bound = Math.max(bound, costBoundMicroUsd(price, inputTokens, outputTokens));
    const estimatedCost = costBoundMicroUsd(price, estimatedInputTokens, outputTokens);
    if (estimatedCost >= estimate.costMicroUsd) estimate = { costMicroUsd: estimatedCost, outputTokens };
  }
  const expiry = expiryOf(runtime, record, principal, estimate.costMicroUsd, estimatedInputTokens, estimate.outputTokens);
  record.budgetHold = await admitRequest(budgetDeps(runtime), { ...principal, user: record.user, tags: record.tags }, record.requestId, bound, expiry, signal);
}

/** Admits an embeddings request: its input is bounded by the body bytes, and it has no output. */
export async function reserveEmbeddings(runtime: GatewayRuntime, record: RequestRecord, bodyBytes: number, plan: RouteTarget[], signal: AbortSignal): Promise<void> {
  const principal = record.principal;
  if (!principal) return;
  const estimatedInputTokens = Math.ceil(bodyBytes / CHARS_PER_ESTIMATED_TOKEN);
  const bound = Math.max(0, ...plan.map((target) => costBoundMicroUsd(priceFor(target.model, target.price), bodyBytes, 0)));
  const estimate = Math.max(0, ...plan.map((target) => costBoundMicroUsd(priceFor(target.model, target.price), estimatedInputTokens, 0)));
  const expiry = expiryOf(runtime, record, principal, estimate, estimatedInputTokens, 0);
  record.budgetHold = await admitRequest(budgetDeps(runtime), { ...principal, user: record.user, tags: record.tags }, record.requestId, bound, expiry, signal);
}

/** The expiry of a request's reservation: its deadline (or its runtime's, if earlier) plus `budgets.releaseGraceMs`. */
function expiryOf(runtime: GatewayRuntime, record: RequestRecord, principal: Principal, chargeMicroUsd: number, inputTokens: number, outputTokens: number): ReservationExpiry {
  return {
    releaseAt: record.deadlineMs + runtime.config.budgets.releaseGraceMs,
    chargeMicroUsd,
    request: {
      keyId: principal.keyId,
      keyName: principal.keyName,
      team: principal.team ?? null,
      user: record.user,
      tags: record.tags,
      endpoint: record.endpoint,
      modelRequested: record.modelRequested,
      stream: record.stream,
      startedAt: record.startedAtMs,
      inputTokens,
      outputTokens,
      ...(record.auditLevel !== 'none' ? { auditLevel: record.auditLevel } : {}),
    },
  };
}

/**
 * Settles the request's reservation to its recorded cost and tokens (also after failures and
 * client disconnects, where the record holds an honest estimate). Never throws.
 */
export function settleRecord(record: RequestRecord): Promise<void> {
  const hold: BudgetHold | undefined = record.budgetHold;
  if (!hold) return Promise.resolve();
  return hold.settle({ costMicroUsd: record.costMicroUsd, tokens: record.tokens.input + record.tokens.output });
}

function budgetDeps(runtime: GatewayRuntime): BudgetDeps {
  const { deps } = runtime;
  const { budgets } = runtime.config;
  return { spendStore: deps.spendStore, keyStore: deps.keyStore, clock: deps.clock, logger: deps.logger, waitMs: budgets.waitMs, random: deps.random, alertPercents: budgets.alerts };
}
