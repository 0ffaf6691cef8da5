import type { AuditLevel } from '../audit/audit-record';
import type { BudgetPeriod } from './key-store';

/**
 * Spend counters and request-rate windows (DESIGN §4). All money is integer micro-USD.
 *
 * A scope is what a budget belongs to: `key#<keyId>`, `team#<name>`, one end user of a key or a
 * team (`keyuser#<keyId>#<user>`, `teamuser#<team>#<user>`) or a tag value
 * (`tag#<name>=<value>`). Each scope has one counter
 * per period key (`2026-11-24` for a day budget, `2026-11` for a month, `total`), so a new period
 * starts a new counter and nothing is ever reset.
 *
 * The gateway calls only {@link SpendStore.admit} (before the upstream call) and
 * {@link SpendStore.settle} (after it): one write each (DESIGN §8). A reservation is recorded
 * until it is settled; one whose request died unsettled (process killed, Lambda timeout) is
 * released after its expiry by {@link SpendStore.releaseExpired}, which the sweeper calls (DESIGN
 * §4). Every method throws when the store is unreachable: the gateway then fails closed with 503
 * and never serves an uncounted request.
 */
export interface SpendStore {
  /**
   * Admits a request in one atomic write, or changes nothing: counts it in the key's current UTC
   * minute (`rate`: refused when that would exceed `rpm`, or when the tokens already settled in the
   * minute have reached `tpm`) and reserves `amountMicroUsd` on every scope (refused unless, for
   * each, spent + reserved + amount stays within its limit). Exact under concurrency.
   */
  admit(request: AdmissionRequest): Promise<AdmissionOutcome>;
  /**
   * Settles a reservation: charges `costMicroUsd` to every scope and releases the rest of the
   * reservation. When `tokens` is given, adds them to the key's minute window for `tpm`.
   * Called exactly once per successful reservation.
   */
  settle(reservation: Reservation, settlement: Settlement): Promise<void>;
  /**
   * Releases up to `limit` reservations whose `releaseAt` is at or before `now` and that were
   * never settled: charges each its {@link ReservationExpiry.chargeMicroUsd} on every scope,
   * releases the rest, and returns them. Each release is atomic and idempotent: a reservation
   * settled or released meanwhile (by a concurrent sweep) is skipped, and a settlement that
   * arrives after the release changes nothing but `tpm` tokens.
   */
  releaseExpired(now: number, limit: number): Promise<ReleasedReservation[]>;
  /** Spend of a scope in the period containing `at` (for `keys show`); zeros when none. */
  getSpend(scope: string, period: BudgetPeriod, at: number): Promise<SpendSnapshot>;
}

/** A budget applied to one scope. */
export interface ScopeLimit {
  /** The scope's name (see {@link keyScope}, {@link teamScope}, {@link keyUserScope}, {@link teamUserScope}, {@link tagScope}). */
  scope: string;
  limitMicroUsd: number;
  period: BudgetPeriod;
  /** Alert thresholds, percent of the limit; stored with the period's counter for the store's alerting. */
  alerts?: readonly number[];
}

/** Input of {@link SpendStore.admit}. */
export interface AdmissionRequest {
  /** Unique per request; makes a retried admission idempotent where the store supports it. */
  requestId: string;
  /** The key's request-rate limits; absent when it has none (the request is not counted). */
  rate?: RateLimits;
  /** The budgets to reserve on; may be empty. */
  scopes: ScopeLimit[];
  amountMicroUsd: number;
  /** Epoch milliseconds; selects the minute window and the period counters. */
  at: number;
  /** What becomes of the reservation if its request never settles it. */
  expiry: ReservationExpiry;
}

/**
 * The fate of a reservation whose request dies without settling it: after `releaseAt` (the
 * request's deadline plus a grace period) it is charged `chargeMicroUsd` — the estimated cost of
 * a request that reached its upstream, since the store cannot tell whether it did — and the rest
 * is released; the sweeper then writes the request's usage event from `request`.
 */
export interface ReservationExpiry {
  /** Epoch milliseconds after which the reservation may be released. */
  releaseAt: number;
  /** What the request is charged when released; at most the reservation's amount. */
  chargeMicroUsd: number;
  request: UnsettledRequest;
}

/** What the usage event of a request that never settled says about it. */
export interface UnsettledRequest {
  keyId: string;
  keyName: string | null;
  team: string | null;
  user: string | null;
  tags: Record<string, string>;
  endpoint: string;
  modelRequested: string | null;
  stream: boolean;
  /** Epoch milliseconds the request arrived. */
  startedAt: number;
  /** The estimated tokens {@link ReservationExpiry.chargeMicroUsd} pays for. */
  inputTokens: number;
  outputTokens: number;
  /** The request's audit level, when it was audited: the sweeper then writes its `metadata` record. */
  auditLevel?: Exclude<AuditLevel, 'none'>;
}

/**
 * A held reservation: which counters it touched and how much. A request without any budget
 * settles an empty reservation (no counters) so its tokens still count for `tpm`.
 */
export interface Reservation {
  requestId: string;
  amountMicroUsd: number;
  counters: { scope: string; periodKey: string }[];
  /** The expiry it was recorded with (absent when no counter was touched: nothing was recorded). */
  releaseAt?: number;
}

/** A reservation released by {@link SpendStore.releaseExpired}, with what it was charged. */
export interface ReleasedReservation extends Reservation {
  chargedMicroUsd: number;
  request: UnsettledRequest;
}

/** Result of {@link SpendStore.admit}: the reservation held, or the limit that refused the request. */
export type AdmissionOutcome =
  | { ok: true; reservation: Reservation }
  | { ok: false; limit: 'rpm' | 'tpm'; retryAfterMs: number }
  | {
      ok: false;
      limit: 'budget';
      /** The scope whose budget could not take the reservation. */
      blocked: ScopeLimit & { periodKey: string };
      /** limit − spent − reserved of that scope, never negative. */
      remainingMicroUsd: number;
      /** The settled spend of that scope: when it plus the amount fits, in-flight reservations are what refused it. */
      spentMicroUsd: number;
    };

/** Input of {@link SpendStore.settle}. */
export interface Settlement {
  /** Actual (or honestly estimated) cost, rounded up to integer micro-USD. */
  costMicroUsd: number;
  /** Settled tokens to add to the key's current minute for `tpm`. */
  tokens?: { keyId: string; count: number };
  /** Epoch milliseconds of settlement; selects the `tpm` minute. */
  at: number;
}

/** A key's request-rate limits, for {@link AdmissionRequest.rate}. */
export interface RateLimits {
  keyId: string;
  rpm?: number | undefined;
  tpm?: number | undefined;
}

/** Spend of one scope in one period. */
export interface SpendSnapshot {
  periodKey: string;
  spentMicroUsd: number;
  reservedMicroUsd: number;
  /** The alert thresholds (percent) already crossed and alerted in the period; absent when none. */
  alertedPercents?: number[];
}

/** Scope name of a key's budget. */
export function keyScope(keyId: string): string {
  return `key#${keyId}`;
}

/** Scope name of a team's budget. */
export function teamScope(team: string): string {
  return `team#${team}`;
}

/** Scope name of one end user's budget under a key's per-user budget. */
export function keyUserScope(keyId: string, user: string): string {
  return `keyuser#${keyId}#${user}`;
}

/** Scope name of one end user's budget under a team's per-user budget. */
export function teamUserScope(team: string, user: string): string {
  return `teamuser#${team}#${user}`;
}

/** Scope name of a tag value's budget (`tag#feature=autocomplete`). */
export function tagScope(tag: string): string {
  return `tag#${tag}`;
}

/** Who a scope belongs to, in words (`key key_1`, `user alice of team search`, `tag feature=chat`), for messages. */
export function describeScope(scope: string): string {
  const [kind, ...rest] = scope.split('#');
  const name = rest.join('#');
  if (kind === 'keyuser' || kind === 'teamuser') {
    const [owner, ...user] = rest;
    return `user ${user.join('#')} of ${kind === 'keyuser' ? 'key' : 'team'} ${owner}`;
  }
  return `${kind} ${name}`;
}

/**
 * The counter key of the UTC calendar period containing `at`; a week is the ISO 8601 week
 * (Monday to Sunday) named by the year it belongs to, which differs from the calendar year for
 * a few days around New Year.
 *
 * @example periodKey('month', Date.UTC(2026, 10, 24)) // '2026-11'
 * @example periodKey('week', Date.UTC(2027, 0, 1)) // '2026-W53' (a Friday of 2026's last week)
 */
export function periodKey(period: BudgetPeriod, at: number): string {
  if (period === 'total') return 'total';
  if (period === 'week') return isoWeek(at);
  const iso = new Date(at).toISOString();
  return period === 'month' ? iso.slice(0, 7) : iso.slice(0, 10);
}

/** `YYYY-Www` of the ISO week containing `at` (UTC): the week's Thursday decides its year. */
function isoWeek(at: number): string {
  const day = new Date(at);
  const dayOfWeek = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() - dayOfWeek + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The window key of the UTC minute containing `at` (`minute#2026-11-24T10:31`). */
export function minuteKey(at: number): string {
  return `minute#${new Date(at).toISOString().slice(0, 16)}`;
}

/** Milliseconds from `at` to the start of the next UTC minute (the `retry-after` of rate limits). */
export function msToNextMinute(at: number): number {
  return 60_000 - (at % 60_000);
}

/** Converts a USD amount (a configured budget) to integer micro-USD. */
export function usdToMicro(usd: number): number {
  return Math.round(usd * 1e6);
}

/** Formats micro-USD as a USD string with six decimals, for messages and listings. */
export function formatMicroUsd(micro: number): string {
  return `$${(micro / 1e6).toFixed(6)}`;
}
