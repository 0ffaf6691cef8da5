import { AUDIT_LEVELS, type AuditLevel } from '../core/audit/audit-record';
import { BUDGET_PERIODS, type Budget, type BudgetPeriod } from '../core/ports/key-store';
import { UsageError } from './cli-io';

/** A budget from `--budget`/`--usd USD` and `--period day|week|month|total` (default month). */
export function budgetOf(usd: string | undefined, period: string | undefined): Budget | undefined {
  if (usd === undefined) {
    if (period !== undefined) throw new UsageError('--period needs a budget amount.');
    return undefined;
  }
  const amount = Number(usd);
  if (!Number.isFinite(amount) || amount < 0) throw new UsageError(`Budget must be a non-negative USD amount, got '${usd}'.`);
  const chosen = (period ?? 'month') as BudgetPeriod;
  if (!BUDGET_PERIODS.includes(chosen)) throw new UsageError(`--period must be one of ${BUDGET_PERIODS.join(', ')}, got '${period}'.`);
  return { usd: amount, period: chosen };
}

/** A positive integer flag (`--rpm`, `--tpm`), or undefined when absent. */
export function positiveIntOf(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`--${flag} must be a positive integer, got '${value}'.`);
  return parsed;
}

/**
 * An ISO instant from `--expires` (a date `2026-12-31` means its start, UTC), or undefined. A
 * moment not after `nowMs` is refused: the key would be dead on arrival.
 */
export function expiryOf(value: string | undefined, nowMs: number): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new UsageError(`--expires must be a date or ISO instant, got '${value}'.`);
  if (ms <= nowMs) throw new UsageError(`--expires must be in the future, got '${value}' (${new Date(ms).toISOString()}).`);
  return new Date(ms).toISOString();
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--grace 24h` (also `90m`, `7d`, `30s`): the instant that long after `nowMs`, ISO-8601; undefined when absent. */
export function graceUntilOf(value: string | undefined, nowMs: number): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (!match) throw new UsageError(`--grace must be a duration such as 24h, 90m or 7d, got '${value}'.`);
  return new Date(nowMs + Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number)).toISOString();
}

/** `--audit none|metadata|full`, or undefined when absent. */
export function auditLevelOf(value: string | undefined): AuditLevel | undefined {
  if (value === undefined) return undefined;
  if (!AUDIT_LEVELS.includes(value as AuditLevel)) throw new UsageError(`--audit must be one of ${AUDIT_LEVELS.join(', ')}, got '${value}'.`);
  return value as AuditLevel;
}

/** `--alerts 50,80,100`: distinct positive percents (at most 10, each up to 1000), in increasing order. */
export function alertPercentsOf(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const percents = value.split(',').map((part) => Number(part.trim()));
  if (percents.length > 10 || percents.some((percent) => !Number.isFinite(percent) || percent <= 0 || percent > 1000)) {
    throw new UsageError(`--alerts must be up to 10 comma-separated percents of the budget (each above 0, at most 1000), got '${value}'.`);
  }
  return [...new Set(percents)].sort((a, b) => a - b);
}
