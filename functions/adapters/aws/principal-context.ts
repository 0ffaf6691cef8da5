import { AUDIT_LEVELS, type AuditLevel } from '../../core/audit/audit-record';
import { BUDGET_PERIODS, type Budget, type BudgetPeriod } from '../../core/ports/key-store';
import type { Principal } from '../../core/pipeline/authenticate';

/**
 * The Lambda authorizer context that carries a principal to the gateway function. API Gateway
 * only passes flat string/number/boolean values (and hands them to the integration as strings),
 * so every field is a string and lists are JSON; absent fields are left out.
 */
export type PrincipalContext = Record<string, string>;

/** Flattens a principal into authorizer context. */
export function principalToContext(principal: Principal): PrincipalContext {
  const context: PrincipalContext = { keyId: principal.keyId, keyName: principal.keyName };
  if (principal.team !== undefined) context.team = principal.team;
  if (principal.models !== undefined) context.models = JSON.stringify(principal.models);
  if (principal.budget !== undefined) {
    context.budgetUsd = String(principal.budget.usd);
    context.budgetPeriod = principal.budget.period;
  }
  if (principal.perUserBudget !== undefined) {
    context.perUserUsd = String(principal.perUserBudget.usd);
    context.perUserPeriod = principal.perUserBudget.period;
  }
  if (principal.rpm !== undefined) context.rpm = String(principal.rpm);
  if (principal.tpm !== undefined) context.tpm = String(principal.tpm);
  if (principal.audit !== undefined) context.audit = principal.audit;
  return context;
}

/**
 * Rebuilds the principal from the authorizer context of a proxy event, or `undefined` when the
 * request did not pass the authorizer (`/health`), so the gateway then authenticates itself.
 */
export function principalFromContext(context: Record<string, unknown> | null | undefined): Principal | undefined {
  const keyId = text(context?.keyId);
  if (!context || keyId === undefined) return undefined;
  const models = text(context.models);
  return {
    keyId,
    keyName: text(context.keyName) ?? keyId,
    team: text(context.team),
    models: models === undefined ? undefined : (JSON.parse(models) as string[]),
    budget: budgetOf(context.budgetUsd, context.budgetPeriod),
    perUserBudget: budgetOf(context.perUserUsd, context.perUserPeriod),
    rpm: num(context.rpm),
    tpm: num(context.tpm),
    audit: auditLevelOf(context.audit),
  };
}

/** A budget from its two context fields, or undefined when either is missing or invalid. */
function budgetOf(usdField: unknown, periodField: unknown): Budget | undefined {
  const usd = num(usdField);
  const period = text(periodField) as BudgetPeriod | undefined;
  return usd !== undefined && period !== undefined && BUDGET_PERIODS.includes(period) ? { usd, period } : undefined;
}

function auditLevelOf(value: unknown): AuditLevel | undefined {
  const level = text(value) as AuditLevel | undefined;
  return level !== undefined && AUDIT_LEVELS.includes(level) ? level : undefined;
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function num(value: unknown): number | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
