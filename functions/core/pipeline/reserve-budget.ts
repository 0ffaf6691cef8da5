import type { CanonicalRequest } from '../model/request';
import { priceFor } from '../pricing';
import type { RouteTarget } from '../routing/plan-route';
import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { admitRequest, type BudgetHold, type BudgetDeps } from './budget';
import { costBoundMicroUsd, inputTokenBound, outputTokenLimit } from './cost-bound';

/**
 * Admits a model call against its key's limits before any upstream call (DESIGN §4): the
 * reservation is the dearest of the route's targets (any of them may end up serving), each
 * bounded by the prompt's UTF-8 bytes as input tokens and its output limit × `n` as output tokens.
 */
export async function reserveCall(runtime: GatewayRuntime, record: RequestRecord, request: CanonicalRequest, bodyBytes: number, plan: RouteTarget[], signal: AbortSignal): Promise<void> {
  const principal = record.principal;
  if (!principal) return;
  const inputTokens = inputTokenBound(bodyBytes, request);
  const choices = Math.max(1, request.n ?? 1);
  let bound = 0;
  for (const target of plan) {
    const outputTokens = outputTokenLimit(request.maxOutputTokens, target, runtime.deps.providers[target.provider.type]) * choices;
    bound = Math.max(bound, costBoundMicroUsd(priceFor(target.model, target.price), inputTokens, outputTokens));
  }
  record.budgetHold = await admitRequest(budgetDeps(runtime), principal, record.requestId, bound, signal);
}

/** Admits an embeddings request: its input is bounded by the body bytes, and it has no output. */
export async function reserveEmbeddings(runtime: GatewayRuntime, record: RequestRecord, bodyBytes: number, plan: RouteTarget[], signal: AbortSignal): Promise<void> {
  const principal = record.principal;
  if (!principal) return;
  const bound = Math.max(0, ...plan.map((target) => costBoundMicroUsd(priceFor(target.model, target.price), bodyBytes, 0)));
  record.budgetHold = await admitRequest(budgetDeps(runtime), principal, record.requestId, bound, signal);
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
  return { spendStore: deps.spendStore, keyStore: deps.keyStore, clock: deps.clock, logger: deps.logger, waitMs: runtime.config.budgets.waitMs, random: deps.random };
}
