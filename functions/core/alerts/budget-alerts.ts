import { describeScope, formatMicroUsd } from '../ports/spend-store';

/** Alert thresholds of a budget when neither it nor the config names any: percent of its limit. */
export const DEFAULT_ALERT_PERCENTS: readonly number[] = [50, 80, 100];

/**
 * A budget's settled spend crossed one of its alert thresholds (DESIGN §4). Emitted exactly once
 * per threshold per period: as an EventBridge event and an SNS message on AWS, as a log line and
 * an optional webhook call locally. The same object is the event's `detail` and the webhook body.
 */
export interface BudgetAlert {
  /** The budget's scope (`key#…`, `team#…`, `keyuser#…#…`, `teamuser#…#…`, `tag#…`). */
  scope: string;
  /** Who the budget belongs to, in words (`user alice of team search`). */
  owner: string;
  /** The period's counter key (`2026-12`, `2026-W49`, `2026-12-02`, `total`). */
  periodKey: string;
  /** The threshold crossed, percent of the limit. */
  thresholdPercent: number;
  limitUsd: number;
  /** Settled spend of the period right after the crossing. */
  spentUsd: number;
  /** ISO-8601 instant of the settlement that crossed it. */
  at: string;
}

/** Where budget alerts go. */
export interface AlertSink {
  /** Delivers one alert; rejects when it could not, so that a caller that can retry does (the local sink logs instead). */
  send(alert: BudgetAlert): Promise<void>;
}

/**
 * The thresholds (percent of `limitMicroUsd`) that settled spend crosses going from `before` to
 * `after`: those with before < threshold ≤ after, in increasing order. A limit of 0 is crossed by
 * any spend.
 */
export function crossedThresholds(beforeMicroUsd: number, afterMicroUsd: number, limitMicroUsd: number, percents: readonly number[]): number[] {
  if (afterMicroUsd <= beforeMicroUsd) return [];
  return [...percents]
    .sort((a, b) => a - b)
    .filter((percent) => {
      const threshold = (limitMicroUsd * percent) / 100;
      return beforeMicroUsd < threshold && threshold <= afterMicroUsd;
    });
}

/** The alert of one crossing. */
export function budgetAlert(crossing: { scope: string; periodKey: string; thresholdPercent: number; limitMicroUsd: number; spentMicroUsd: number; at: number }): BudgetAlert {
  return {
    scope: crossing.scope,
    owner: describeScope(crossing.scope),
    periodKey: crossing.periodKey,
    thresholdPercent: crossing.thresholdPercent,
    limitUsd: crossing.limitMicroUsd / 1e6,
    spentUsd: crossing.spentMicroUsd / 1e6,
    at: new Date(crossing.at).toISOString(),
  };
}

/** One line describing an alert, for logs and the SNS subject/message. */
export function describeAlert(alert: BudgetAlert): string {
  return `Budget of ${alert.owner} reached ${alert.thresholdPercent}% in ${alert.periodKey}: spent ${formatMicroUsd(Math.round(alert.spentUsd * 1e6))} of ${formatMicroUsd(Math.round(alert.limitUsd * 1e6))}.`;
}
