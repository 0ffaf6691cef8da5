import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BudgetPeriod } from '../../../core/ports/key-store';
import {
  minuteKey,
  msToNextMinute,
  periodKey,
  type AdmissionOutcome,
  type AdmissionRequest,
  type ReleasedReservation,
  type Reservation,
  type Settlement,
  type SpendSnapshot,
  type SpendStore,
} from '../../../core/ports/spend-store';
import { budgetAlert, crossedThresholds, type BudgetAlert } from '../../../core/alerts/budget-alerts';
import { GroupCommitter } from './database';

/**
 * Spend counters, held reservations and request windows in the embedded database. Counters hold
 * `committed` (spent + reserved) and `spent`, as in the DynamoDB adapter. Every check-and-update
 * runs whole inside a write transaction, so it is exact under any concurrency, in this process and
 * across processes; the admissions and settlements of one turn of the event loop share one
 * transaction (group commit), and each resolves only once it is committed. A
 * reservation is recorded, with its expiry, until it is settled or released: a retried admission
 * of the same request returns the reservation already held, and a second settlement of it, or a
 * settlement after its release, changes nothing.
 *
 * Budget alerts: every admission writes its budget's limit and alert thresholds onto the period's
 * counter; a settlement or release that takes settled spend across a threshold records the alert
 * in `budget_alerts` in its own transaction — once per scope, period and threshold, however many
 * settle at once — and, once committed, hands it to `onAlert`.
 */
export class SqliteSpendStore implements SpendStore {
  private readonly counter: StatementSync;
  private readonly addCommitted: StatementSync;
  private readonly settleCounter: StatementSync;
  private readonly held: StatementSync;
  private readonly hold: StatementSync;
  private readonly release: StatementSync;
  private readonly expired: StatementSync;
  private readonly window: StatementSync;
  private readonly putWindow: StatementSync;
  private readonly alertable: StatementSync;
  private readonly recordAlert: StatementSync;
  private readonly alerted: StatementSync;

  private readonly commits: GroupCommitter;

  constructor(
    db: DatabaseSync,
    private readonly onAlert: (alert: BudgetAlert) => void = () => undefined,
  ) {
    this.commits = GroupCommitter.of(db);
    this.counter = db.prepare('SELECT committed, spent FROM spend_counters WHERE scope = ? AND period_key = ?');
    this.addCommitted = db.prepare(
      'INSERT INTO spend_counters (scope, period_key, committed, spent, limit_micro, alerts) VALUES (?1, ?2, ?3, 0, ?4, ?5) ON CONFLICT (scope, period_key) DO UPDATE SET committed = committed + ?3, limit_micro = ?4, alerts = ?5',
    );
    this.alertable = db.prepare('SELECT spent, limit_micro, alerts FROM spend_counters WHERE scope = ? AND period_key = ?');
    this.recordAlert = db.prepare('INSERT OR IGNORE INTO budget_alerts (scope, period_key, threshold, spent, sent_at) VALUES (?, ?, ?, ?, ?)');
    this.alerted = db.prepare('SELECT threshold FROM budget_alerts WHERE scope = ? AND period_key = ? ORDER BY threshold');
    this.settleCounter = db.prepare(
      'INSERT INTO spend_counters (scope, period_key, committed, spent) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (scope, period_key) DO UPDATE SET committed = committed + ?3, spent = spent + ?4',
    );
    this.held = db.prepare('SELECT amount, counters, release_at FROM reservations WHERE request_id = ?');
    this.hold = db.prepare('INSERT INTO reservations (request_id, amount, counters, created_at, release_at, charge, request) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.release = db.prepare('DELETE FROM reservations WHERE request_id = ?');
    this.expired = db.prepare('SELECT request_id, amount, counters, release_at, charge, request FROM reservations WHERE release_at <= ? ORDER BY release_at LIMIT ?');
    this.window = db.prepare('SELECT minute, requests, tokens FROM rate_windows WHERE key_id = ?');
    this.putWindow = db.prepare(
      'INSERT INTO rate_windows (key_id, minute, requests, tokens) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key_id) DO UPDATE SET minute = ?2, requests = ?3, tokens = ?4',
    );
  }

  async admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    return this.commits.submit((): AdmissionOutcome => {
      const again = this.held.get(request.requestId) as { amount: number; counters: string; release_at: number } | undefined;
      if (again) return { ok: true, reservation: { requestId: request.requestId, amountMicroUsd: again.amount, counters: JSON.parse(again.counters) as Reservation['counters'], releaseAt: again.release_at } };
      const { rate } = request;
      const window = rate ? this.currentWindow(rate.keyId, request.at) : undefined;
      if (rate && window) {
        const limit = rate.rpm !== undefined && window.requests >= rate.rpm ? 'rpm' : rate.tpm !== undefined && window.tokens >= rate.tpm ? 'tpm' : undefined;
        if (limit) return { ok: false, limit, retryAfterMs: msToNextMinute(request.at) };
      }
      const counters = request.scopes.map((limit) => ({ ...limit, periodKey: periodKey(limit.period, request.at) }));
      for (const counter of counters) {
        const stored = this.counter.get(counter.scope, counter.periodKey) as { committed: number; spent: number } | undefined;
        const committed = stored?.committed ?? 0;
        if (committed + request.amountMicroUsd > counter.limitMicroUsd) {
          return { ok: false, limit: 'budget', blocked: counter, remainingMicroUsd: Math.max(0, counter.limitMicroUsd - committed), spentMicroUsd: stored?.spent ?? 0 };
        }
      }
      if (rate && window && !window.superseded) this.putWindow.run(rate.keyId, window.minute, window.requests + 1, window.tokens);
      for (const counter of counters) this.addCommitted.run(counter.scope, counter.periodKey, request.amountMicroUsd, counter.limitMicroUsd, JSON.stringify(counter.alerts ?? []));
      const reservation: Reservation = { requestId: request.requestId, amountMicroUsd: request.amountMicroUsd, counters: counters.map(({ scope, periodKey: period }) => ({ scope, periodKey: period })) };
      if (counters.length === 0) return { ok: true, reservation };
      const { expiry } = request;
      this.hold.run(request.requestId, request.amountMicroUsd, JSON.stringify(reservation.counters), request.at, expiry.releaseAt, Math.min(expiry.chargeMicroUsd, request.amountMicroUsd), JSON.stringify(expiry.request));
      return { ok: true, reservation: { ...reservation, releaseAt: expiry.releaseAt } };
    });
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    const alerts = await this.commits.submit(() => {
      const crossed: BudgetAlert[] = [];
      // Only a reservation still held is charged: settling twice charges once.
      if (reservation.counters.length > 0 && this.release.run(reservation.requestId).changes === 1) {
        for (const { scope, periodKey: period } of reservation.counters) {
          crossed.push(...this.charge(scope, period, settlement.costMicroUsd - reservation.amountMicroUsd, settlement.costMicroUsd, settlement.at));
        }
      }
      if (settlement.tokens && settlement.tokens.count > 0) {
        const window = this.currentWindow(settlement.tokens.keyId, settlement.at);
        if (!window.superseded) this.putWindow.run(settlement.tokens.keyId, window.minute, window.requests, window.tokens + settlement.tokens.count);
      }
      return crossed;
    });
    for (const alert of alerts) this.onAlert(alert);
  }

  /**
   * Charges `cost` to one counter (`committedDelta` to its committed amount) and records the alerts
   * of the thresholds its settled spend crosses that were not sent yet in the period.
   */
  private charge(scope: string, period: string, committedDelta: number, cost: number, at: number): BudgetAlert[] {
    const before = this.alertable.get(scope, period) as { spent: number; limit_micro: number | null; alerts: string | null } | undefined;
    this.settleCounter.run(scope, period, committedDelta, cost);
    if (!before || before.limit_micro === null || before.alerts === null) return [];
    const after = before.spent + cost;
    const alerts: BudgetAlert[] = [];
    for (const percent of crossedThresholds(before.spent, after, before.limit_micro, JSON.parse(before.alerts) as number[])) {
      if (this.recordAlert.run(scope, period, percent, after, at).changes === 1) {
        alerts.push(budgetAlert({ scope, periodKey: period, thresholdPercent: percent, limitMicroUsd: before.limit_micro, spentMicroUsd: after, at }));
      }
    }
    return alerts;
  }

  async releaseExpired(now: number, limit: number): Promise<ReleasedReservation[]> {
    const { released, alerts } = await this.commits.submit(() => {
      const rows = this.expired.all(now, limit) as { request_id: string; amount: number; counters: string; release_at: number; charge: number; request: string }[];
      const crossed: BudgetAlert[] = [];
      const releases = rows.map((row): ReleasedReservation => {
        const counters = JSON.parse(row.counters) as Reservation['counters'];
        this.release.run(row.request_id);
        for (const { scope, periodKey: period } of counters) crossed.push(...this.charge(scope, period, row.charge - row.amount, row.charge, now));
        return { requestId: row.request_id, amountMicroUsd: row.amount, counters, releaseAt: row.release_at, chargedMicroUsd: row.charge, request: JSON.parse(row.request) as ReleasedReservation['request'] };
      });
      return { released: releases, alerts: crossed };
    });
    for (const alert of alerts) this.onAlert(alert);
    return released;
  }

  async getSpend(scope: string, period: BudgetPeriod, at: number): Promise<SpendSnapshot> {
    const key = periodKey(period, at);
    const counter = this.counter.get(scope, key) as { committed: number; spent: number } | undefined;
    const alerted = (this.alerted.all(scope, key) as { threshold: number }[]).map((row) => row.threshold);
    return { periodKey: key, spentMicroUsd: counter?.spent ?? 0, reservedMicroUsd: (counter?.committed ?? 0) - (counter?.spent ?? 0), ...(alerted.length > 0 ? { alertedPercents: alerted } : {}) };
  }

  /**
   * The key's window of the minute of `at`. Only the latest minute is kept: a window of an earlier
   * minute reads as empty (and is replaced on the next write); when a later minute is stored, the
   * minute of `at` is `superseded` and a write for it goes nowhere.
   */
  private currentWindow(keyId: string, at: number): { minute: string; requests: number; tokens: number; superseded: boolean } {
    const minute = minuteKey(at);
    const stored = this.window.get(keyId) as { minute: string; requests: number; tokens: number } | undefined;
    if (stored?.minute === minute) return { ...stored, superseded: false };
    return { minute, requests: 0, tokens: 0, superseded: stored !== undefined && stored.minute > minute };
  }
}
