import type { Budget, BudgetPeriod, KeyRecord, TeamRecord } from '../core/ports/key-store';
import { formatMicroUsd, keyScope, keyUserScope, tagScope, teamScope, teamUserScope, usdToMicro, type SpendStore } from '../core/ports/spend-store';
import type { AdminStores } from './admin-stores';

/** Spend of one budget in its current period. */
export interface SpendEntry {
  scope: string;
  period: BudgetPeriod;
  periodKey: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
  /** The budget's own alert thresholds (percent), when it names any (else the config's apply). */
  alerts?: number[];
  /** The thresholds (percent) crossed and alerted in this period. */
  alertedPercents: number[];
}

/**
 * A per-user budget of a key or a team: it applies to each end user separately, so it has no
 * spend of its own; one user's is shown with `budget show --user`. `scope` names the scopes it
 * creates, with `*` for the user (`keyuser#key_1#*`).
 */
interface PerUserBudgetEntry {
  scope: string;
  period: BudgetPeriod;
  limitUsd: number;
  perUser: true;
  /** The budget's own alert thresholds (percent), when it names any. */
  alerts?: number[];
}

/** One line of `budget list` / `budget show`. */
export type BudgetEntry = SpendEntry | PerUserBudgetEntry;

/**
 * The key's and its team's budgets, as data and as text: each budget with spend and remaining in
 * the current period, and the per-user budgets — for `user`'s own scopes when a user is given.
 */
export async function spendReport(stores: AdminStores, record: KeyRecord, now: number, user?: string): Promise<{ entries: BudgetEntry[]; text: string }> {
  const team = record.team !== undefined ? await stores.keys.findTeam(record.team) : undefined;
  const entries = [...(await keyBudgets(stores, record, now, user)), ...(team ? await teamBudgets(stores, team, now, user) : [])];
  const lines = [
    `${record.keyId}  ${record.name}${record.team ? `  team ${record.team}` : ''}  ${record.revoked ? 'revoked' : 'active'}`,
    `models: ${record.models?.join(',') ?? '*'}  rpm: ${record.rpm ?? '-'}  tpm: ${record.tpm ?? '-'}  expires: ${record.expiresAt ?? 'never'}`,
    ...(entries.length === 0 ? ['budget: none'] : entries.map(formatBudgetEntry)),
  ];
  return { entries, text: lines.join('\n') };
}

/** One line of a budget entry: scope, period, spend, reservations and what remains of the limit. */
export function formatBudgetEntry(e: BudgetEntry): string {
  if ('perUser' in e) return `${e.scope} ${e.period}: ${formatMicroUsd(usdToMicro(e.limitUsd))} for each end user${e.alerts ? `, alerts at ${percents(e.alerts)}` : ''}`;
  return (
    `${e.scope} ${e.period} ${e.periodKey}: spent ${formatMicroUsd(usdToMicro(e.spentUsd))}, reserved ${formatMicroUsd(usdToMicro(e.reservedUsd))}, ` +
    `remaining ${formatMicroUsd(usdToMicro(e.remainingUsd))} of ${formatMicroUsd(usdToMicro(e.limitUsd))}` +
    (e.alerts ? `; alerts at ${percents(e.alerts)}` : '') +
    (e.alertedPercents.length > 0 ? `; crossed ${percents(e.alertedPercents)}` : '')
  );
}

function percents(values: readonly number[]): string {
  return values.map((value) => `${value}%`).join(', ');
}

/** Every budget of the stores — each key's, each team's (per-user ones included) and each tag's — with its spend in the current period. */
export async function allBudgets(stores: AdminStores, now: number): Promise<BudgetEntry[]> {
  const entries: BudgetEntry[] = [];
  for (const record of await stores.keys.list()) entries.push(...(await keyBudgets(stores, record, now)));
  for (const team of await stores.keys.listTeams()) entries.push(...(await teamBudgets(stores, team, now)));
  for (const tag of await stores.keys.listTagBudgets()) entries.push(await entry(stores.spend, tagScope(tag.tag), tag.budget, now));
  return entries;
}

/** The budgets of one team (for `user`'s own scope when given); empty when it has none. */
export async function teamBudget(stores: AdminStores, team: string, now: number, user?: string): Promise<BudgetEntry[]> {
  const record = await stores.keys.findTeam(team);
  return record ? teamBudgets(stores, record, now, user) : [];
}

/** The budget of one tag value (`NAME=VALUE`) with its spend, or undefined when it has none. */
export async function tagBudget(stores: AdminStores, tag: string, now: number): Promise<SpendEntry | undefined> {
  const record = (await stores.keys.listTagBudgets()).find((budget) => budget.tag === tag);
  return record ? entry(stores.spend, tagScope(record.tag), record.budget, now) : undefined;
}

function keyBudgets(stores: AdminStores, record: KeyRecord, now: number, user?: string): Promise<BudgetEntry[]> {
  return ownerBudgets(stores.spend, now, { scope: keyScope(record.keyId), budget: record.budget }, { scopeOf: (u) => keyUserScope(record.keyId, u), budget: record.perUserBudget }, user);
}

function teamBudgets(stores: AdminStores, record: TeamRecord, now: number, user?: string): Promise<BudgetEntry[]> {
  return ownerBudgets(stores.spend, now, { scope: teamScope(record.team), budget: record.budget }, { scopeOf: (u) => teamUserScope(record.team, u), budget: record.perUserBudget }, user);
}

/** A key's or a team's own budget and its per-user budget (one user's scope when `user` is given). */
async function ownerBudgets(spend: SpendStore, now: number, own: { scope: string; budget: Budget | undefined }, perUser: { scopeOf: (user: string) => string; budget: Budget | undefined }, user?: string): Promise<BudgetEntry[]> {
  const entries: BudgetEntry[] = [];
  if (own.budget) entries.push(await entry(spend, own.scope, own.budget, now));
  if (perUser.budget) {
    const { usd, period, alerts } = perUser.budget;
    entries.push(user !== undefined ? await entry(spend, perUser.scopeOf(user), perUser.budget, now) : { scope: perUser.scopeOf('*'), period, limitUsd: usd, perUser: true, ...(alerts ? { alerts } : {}) });
  }
  return entries;
}

async function entry(spend: SpendStore, scope: string, budget: Budget, now: number): Promise<SpendEntry> {
  const snapshot = await spend.getSpend(scope, budget.period, now);
  const limit = usdToMicro(budget.usd);
  return {
    scope,
    period: budget.period,
    periodKey: snapshot.periodKey,
    limitUsd: budget.usd,
    spentUsd: snapshot.spentMicroUsd / 1e6,
    reservedUsd: snapshot.reservedMicroUsd / 1e6,
    remainingUsd: Math.max(0, limit - snapshot.spentMicroUsd - snapshot.reservedMicroUsd) / 1e6,
    ...(budget.alerts ? { alerts: budget.alerts } : {}),
    alertedPercents: snapshot.alertedPercents ?? [],
  };
}
