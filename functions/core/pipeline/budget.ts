import { GatewayError, serviceUnavailable } from '../errors';
import type { Clock } from '../ports/clock';
import type { Budget, KeyStore } from '../ports/key-store';
import type { Logger } from '../ports/logger';
import { describeScope, keyScope, keyUserScope, tagScope, teamScope, teamUserScope, usdToMicro, type Reservation, type ReservationExpiry, type ScopeLimit, type SpendStore } from '../ports/spend-store';
import { budgetExceeded, rateLimitExceeded } from './limit-errors';

/** What the budget stage needs to know about the caller (a `Principal` fits) and its request. */
export interface BudgetPrincipal {
  keyId: string;
  team?: string | undefined;
  budget?: Budget | undefined;
  /** The key's budget for each distinct end user. */
  perUserBudget?: Budget | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
  /** The request's end user: the per-user budgets of the key and the team apply to it. */
  user?: string | null | undefined;
  /** The request's tags: each tag value with a budget is charged too. */
  tags?: Record<string, string> | undefined;
}

/**
 * Ports of the budget stage. `keyStore` should be the cached one (team budgets are read per
 * request). Without a spend store, a request that a limit applies to is refused with 503.
 */
export interface BudgetDeps {
  spendStore: SpendStore | undefined;
  keyStore: KeyStore;
  clock: Clock;
  logger: Logger;
  /** `budgets.waitMs`: how long a request may wait for in-flight reservations to settle. */
  waitMs: number;
  /** Jitter of the pauses between admission attempts. */
  random: () => number;
  /** Alert thresholds of a budget that names none (`budgets.alerts`). */
  alertPercents: readonly number[];
}

/**
 * First pause before a request refused by in-flight reservations reads its budget again; doubles
 * up to {@link MAX_RETRY_PAUSE_MS}. A burst can leave hundreds of requests waiting on one budget
 * counter: they read it (a consistent read, which does not contend with writes) and write again
 * only when it has room, and pauses up to a second keep even their reads from crowding out the
 * settlements they wait for.
 */
const FIRST_RETRY_PAUSE_MS = 20;
const MAX_RETRY_PAUSE_MS = 1_000;

/** What a finished request actually used, for settlement. */
export interface SettledUsage {
  costMicroUsd: number;
  /** All tokens of the request (input + output), counted against `tpm`. */
  tokens: number;
}

const SETTLE_ATTEMPTS = 3;

/**
 * A request admitted by {@link admitRequest}: holds its reservation until {@link BudgetHold.settle}
 * charges the actual cost and releases the rest. `settle` runs its work once, whatever the number
 * of calls, and never throws: the response has already been sent by then, so a store failure is
 * logged with everything needed to reconcile (the reservation stays held — the safe direction).
 */
export class BudgetHold {
  private settled: Promise<void> | undefined;

  constructor(
    private readonly deps: BudgetDeps,
    private readonly principal: BudgetPrincipal,
    readonly reservation: Reservation,
  ) {}

  settle(usage: SettledUsage): Promise<void> {
    this.settled ??= this.run(usage);
    return this.settled;
  }

  private async run(usage: SettledUsage): Promise<void> {
    const { reservation, principal } = this;
    if (reservation.counters.length === 0 && principal.tpm === undefined) return;
    if (usage.costMicroUsd > reservation.amountMicroUsd) {
      this.deps.logger.warn('cost above reservation', { requestId: reservation.requestId, keyId: principal.keyId, reserved: reservation.amountMicroUsd, cost: usage.costMicroUsd });
    }
    const settlement = {
      costMicroUsd: usage.costMicroUsd,
      at: this.deps.clock.now(),
      ...(principal.tpm !== undefined ? { tokens: { keyId: principal.keyId, count: usage.tokens } } : {}),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await (this.deps.spendStore as SpendStore).settle(reservation, settlement);
        return;
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS) {
          this.deps.logger.error('budget settlement failed', { reservation, settlement, error: String(error) });
          return;
        }
      }
    }
  }
}

/**
 * The budget and rate stage (DESIGN §4), before the upstream call: in one write to the spend
 * store, counts the request against `rpm`/`tpm` and reserves `upperBoundMicroUsd` on every budget
 * the request falls under ({@link budgetScopes}; team and tag budgets read from the cached key
 * store). A request refused only because of other requests' in-flight reservations — the
 * scope's settled spend plus this bound still fits — waits for them to settle, reading the budget
 * with growing pauses (jittered) and writing again once it has room, for up to `waitMs`; `signal`
 * (the request's deadline, the client going away) ends the wait early.
 * The reservation is recorded with `expiry`, for the sweeper should the request die unsettled.
 * Throws 429 `rate_limit_exceeded` / `budget_exceeded`, or 503 when a store is unavailable
 * (fail closed: never an uncounted request).
 */
export async function admitRequest(deps: BudgetDeps, principal: BudgetPrincipal, requestId: string, upperBoundMicroUsd: number, expiry: ReservationExpiry, signal?: AbortSignal): Promise<BudgetHold> {
  const scopes = await unavailableOnError(() => budgetScopes(deps.keyStore, principal, deps.alertPercents));
  const limited = principal.rpm !== undefined || principal.tpm !== undefined;
  if (!limited && scopes.length === 0) return new BudgetHold(deps, principal, { requestId, amountMicroUsd: 0, counters: [] });
  const spendStore = deps.spendStore;
  if (!spendStore) throw serviceUnavailable('This key has limits but the gateway has no spend store configured.');

  const rate = limited ? { keyId: principal.keyId, rpm: principal.rpm, tpm: principal.tpm } : undefined;
  const waitUntil = deps.clock.now() + deps.waitMs;
  let pause = FIRST_RETRY_PAUSE_MS;
  for (;;) {
    const outcome = await unavailableOnError(() => spendStore.admit({ requestId, ...(rate ? { rate } : {}), scopes, amountMicroUsd: upperBoundMicroUsd, at: deps.clock.now(), expiry }));
    if (outcome.ok) return new BudgetHold(deps, principal, outcome.reservation);
    if (outcome.limit !== 'budget') throw rateLimitExceeded(principal.keyId, outcome.limit, (outcome.limit === 'rpm' ? principal.rpm : principal.tpm) as number, outcome.retryAfterMs);
    const { blocked } = outcome;
    let { spentMicroUsd, remainingMicroUsd } = outcome;
    // Wait, reading the budget rather than writing to it (a burst of waiting requests would
    // otherwise be a storm of failing writes on one hot counter), until it has room for this
    // request — then try the write again — or can have none: its settled spend leaves no room.
    while (remainingMicroUsd < upperBoundMicroUsd) {
      const left = waitUntil - deps.clock.now();
      if (spentMicroUsd + upperBoundMicroUsd > blocked.limitMicroUsd || left <= 0 || signal?.aborted) {
        throw budgetExceeded(describeScope(blocked.scope), blocked.periodKey, remainingMicroUsd, blocked.limitMicroUsd, upperBoundMicroUsd);
      }
      // Jitter spreads the reads of a burst of waiting requests over the pause.
      await deps.clock.sleep(Math.min(left, pause / 2 + deps.random() * pause), signal).catch(() => undefined);
      pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS);
      const now = deps.clock.now();
      const spend = await unavailableOnError(() => spendStore.getSpend(blocked.scope, blocked.period, now));
      // A new period is a new counter: try the write at once.
      if (spend.periodKey !== blocked.periodKey) break;
      spentMicroUsd = spend.spentMicroUsd;
      remainingMicroUsd = Math.max(0, blocked.limitMicroUsd - spend.spentMicroUsd - spend.reservedMicroUsd);
    }
  }
}

/**
 * Every budget a request falls under (DESIGN §4): its key's; its team's; its end user's under the
 * key's and under the team's per-user budgets (when the request names an end user); and each of
 * its tag values that has a budget. Team and tag budgets come from `keyStore` (the cached one on
 * the request path). Each scope carries its alert thresholds (the budget's, else `alertPercents`).
 */
async function budgetScopes(keyStore: KeyStore, principal: BudgetPrincipal, alertPercents: readonly number[]): Promise<ScopeLimit[]> {
  const { user, team } = principal;
  const limit = (scope: string, budget: Budget): ScopeLimit => ({ scope, limitMicroUsd: usdToMicro(budget.usd), period: budget.period, alerts: budget.alerts ?? alertPercents });
  const tags = principal.tags ?? {};
  const tagNames = new Set(Object.entries(tags).map(([name, value]) => `${name}=${value}`));
  const [teamRecord, tagBudgets] = await Promise.all([team !== undefined ? keyStore.findTeam(team) : undefined, tagNames.size > 0 ? keyStore.listTagBudgets() : []]);
  const scopes: ScopeLimit[] = [];
  if (principal.budget) scopes.push(limit(keyScope(principal.keyId), principal.budget));
  if (user && principal.perUserBudget) scopes.push(limit(keyUserScope(principal.keyId, user), principal.perUserBudget));
  if (team !== undefined && teamRecord?.budget) scopes.push(limit(teamScope(team), teamRecord.budget));
  if (team !== undefined && user && teamRecord?.perUserBudget) scopes.push(limit(teamUserScope(team, user), teamRecord.perUserBudget));
  for (const record of tagBudgets) if (tagNames.has(record.tag)) scopes.push(limit(tagScope(record.tag), record.budget));
  return scopes;
}

async function unavailableOnError<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw serviceUnavailable('The budget store is unavailable; the request was not served.', error);
  }
}
