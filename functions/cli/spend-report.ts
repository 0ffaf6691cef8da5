import type { BudgetPeriod, KeyRecord } from '../core/ports/key-store';
import { formatMicroUsd, keyScope, teamScope, usdToMicro, type SpendStore } from '../core/ports/spend-store';
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
}

/** The key's and its team's budgets with spend and remaining in the current period, as data and as text. */
export async function spendReport(stores: AdminStores, record: KeyRecord, now: number): Promise<{ entries: SpendEntry[]; text: string }> {
  const entries: SpendEntry[] = [];
  if (record.budget) entries.push(await entry(stores.spend, keyScope(record.keyId), record.budget.usd, record.budget.period, now));
  const team = record.team !== undefined ? await stores.keys.findTeam(record.team) : undefined;
  if (team?.budget) entries.push(await entry(stores.spend, teamScope(team.team), team.budget.usd, team.budget.period, now));
  const lines = [
    `${record.keyId}  ${record.name}${record.team ? `  team ${record.team}` : ''}  ${record.revoked ? 'revoked' : 'active'}`,
    `models: ${record.models?.join(',') ?? '*'}  rpm: ${record.rpm ?? '-'}  tpm: ${record.tpm ?? '-'}  expires: ${record.expiresAt ?? 'never'}`,
    ...(entries.length === 0
      ? ['budget: none']
      : entries.map(formatSpendEntry)),
  ];
  return { entries, text: lines.join('\n') };
}

/** One line of a spend entry: scope, period, spend, reservations and what remains of the limit. */
export function formatSpendEntry(e: SpendEntry): string {
  return (
    `${e.scope} ${e.period} ${e.periodKey}: spent ${formatMicroUsd(usdToMicro(e.spentUsd))}, reserved ${formatMicroUsd(usdToMicro(e.reservedUsd))}, ` +
    `remaining ${formatMicroUsd(usdToMicro(e.remainingUsd))} of ${formatMicroUsd(usdToMicro(e.limitUsd))}`
  );
}

/** Every budget of the stores — each key's and each team's — with its spend in the current period. */
export async function allBudgets(stores: AdminStores, now: number): Promise<SpendEntry[]> {
  const entries: SpendEntry[] = [];
  for (const record of await stores.keys.list()) {
    if (record.budget) entries.push(await entry(stores.spend, keyScope(record.keyId), record.budget.usd, record.budget.period, now));
  }
  for (const team of await stores.keys.listTeams()) {
    if (team.budget) entries.push(await entry(stores.spend, teamScope(team.team), team.budget.usd, team.budget.period, now));
  }
  return entries;
}

/** The budget of one team with its spend in the current period, or undefined when it has none. */
export async function teamBudget(stores: AdminStores, team: string, now: number): Promise<SpendEntry | undefined> {
  const record = await stores.keys.findTeam(team);
  return record?.budget ? entry(stores.spend, teamScope(team), record.budget.usd, record.budget.period, now) : undefined;
}

async function entry(spend: SpendStore, scope: string, limitUsd: number, period: BudgetPeriod, now: number): Promise<SpendEntry> {
  const snapshot = await spend.getSpend(scope, period, now);
  const limit = usdToMicro(limitUsd);
  return {
    scope,
    period,
    periodKey: snapshot.periodKey,
    limitUsd,
    spentUsd: snapshot.spentMicroUsd / 1e6,
    reservedUsd: snapshot.reservedMicroUsd / 1e6,
    remainingUsd: Math.max(0, limit - snapshot.spentMicroUsd - snapshot.reservedMicroUsd) / 1e6,
  };
}
