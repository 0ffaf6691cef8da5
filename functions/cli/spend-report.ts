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
      : entries.map(
          (e) =>
            `${e.scope} ${e.period} ${e.periodKey}: spent ${formatMicroUsd(usdToMicro(e.spentUsd))}, reserved ${formatMicroUsd(usdToMicro(e.reservedUsd))}, ` +
            `remaining ${formatMicroUsd(usdToMicro(e.remainingUsd))} of ${formatMicroUsd(usdToMicro(e.limitUsd))}`,
        )),
  ];
  return { entries, text: lines.join('\n') };
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
