import type { BudgetPeriod } from '../../core/ports/key-store';
import {
  minuteKey,
  msToNextMinute,
  periodKey,
  type RateOutcome,
  type RateRequest,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
  type Settlement,
  type SpendSnapshot,
  type SpendStore,
} from '../../core/ports/spend-store';
import { DurableJsonFile } from './durable-json-file';

/** One budget counter: `committed` = spent + reserved, as in the DynamoDB adapter. */
interface Counter {
  committed: number;
  spent: number;
}

/** A key's request window of one UTC minute. */
interface Window {
  minute: string;
  requests: number;
  tokens: number;
}

/** The spend file as stored. */
interface SpendDocument {
  counters: Record<string, Record<string, Counter>>;
  windows: Record<string, Window>;
}

/**
 * Spend store in one JSON file (`<data-dir>/spend.json`) for `switchyard serve`. Every check and
 * update runs synchronously on the in-memory document, so it is atomic within the process; each
 * method resolves only after the change is on disk (group-committed atomic file write, which
 * survives a crash of the process; see the constructor). The
 * server process is the only writer; the CLI opens the file to read spend.
 */
export class FileSpendStore implements SpendStore {
  private readonly file: DurableJsonFile<SpendDocument>;
  private document: SpendDocument = { counters: {}, windows: {} };
  private loaded: Promise<void> | undefined;

  /** A store on the spend file at `path` (created on first write); read on first use. */
  constructor(path: string) {
    // The server is the file's only writer (the CLI only reads it), so no change detection.
    // No fsync per write: the reservation is on the request path (two writes per request), and
    // surviving a crash of the gateway process — what a local development server needs — only
    // takes the atomic rename. Deployed gateways keep spend in DynamoDB.
    this.file = new DurableJsonFile(path, () => this.document, { watchOtherWriters: false, fsync: false });
  }

  async admitRequest(request: RateRequest): Promise<RateOutcome> {
    await this.load();
    const window = this.window(request.keyId, request.at);
    const limit =
      request.rpm !== undefined && window.requests >= request.rpm ? 'rpm' : request.tpm !== undefined && window.tokens >= request.tpm ? 'tpm' : undefined;
    if (limit) return { ok: false, limit, retryAfterMs: msToNextMinute(request.at) };
    window.requests += 1;
    await this.file.save();
    return { ok: true };
  }

  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    await this.load();
    const counters = request.scopes.map((limit) => ({ ...limit, periodKey: periodKey(limit.period, request.at) }));
    for (const counter of counters) {
      const committed = this.counter(counter.scope, counter.periodKey)?.committed ?? 0;
      if (committed + request.amountMicroUsd > counter.limitMicroUsd) {
        return { ok: false, blocked: counter, remainingMicroUsd: Math.max(0, counter.limitMicroUsd - committed) };
      }
    }
    for (const counter of counters) this.ensureCounter(counter.scope, counter.periodKey).committed += request.amountMicroUsd;
    await this.file.save();
    return {
      ok: true,
      reservation: {
        requestId: request.requestId,
        amountMicroUsd: request.amountMicroUsd,
        counters: counters.map(({ scope, periodKey: period }) => ({ scope, periodKey: period })),
      },
    };
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    await this.load();
    for (const { scope, periodKey: period } of reservation.counters) {
      const counter = this.ensureCounter(scope, period);
      counter.committed += settlement.costMicroUsd - reservation.amountMicroUsd;
      counter.spent += settlement.costMicroUsd;
    }
    if (settlement.tokens && settlement.tokens.count > 0) this.window(settlement.tokens.keyId, settlement.at).tokens += settlement.tokens.count;
    await this.file.save();
  }

  async getSpend(scope: string, period: BudgetPeriod, at: number): Promise<SpendSnapshot> {
    await this.load();
    const key = periodKey(period, at);
    const counter = this.counter(scope, key);
    return { periodKey: key, spentMicroUsd: counter?.spent ?? 0, reservedMicroUsd: (counter?.committed ?? 0) - (counter?.spent ?? 0) };
  }

  /** Reads the file once; every check-and-update after it runs without awaiting, hence atomically. */
  private load(): Promise<void> {
    this.loaded ??= this.file.load().then((document) => {
      if (document) this.document = document;
    });
    return this.loaded;
  }

  private counter(scope: string, period: string): Counter | undefined {
    return this.document.counters[scope]?.[period];
  }

  private ensureCounter(scope: string, period: string): Counter {
    const periods = (this.document.counters[scope] ??= {});
    return (periods[period] ??= { committed: 0, spent: 0 });
  }

  /**
   * The key's window of the minute of `at`. Only the latest minute is kept: a window of an
   * earlier minute is replaced, and a late write for an already superseded minute goes nowhere.
   */
  private window(keyId: string, at: number): Window {
    const minute = minuteKey(at);
    const current = this.document.windows[keyId];
    if (current?.minute === minute) return current;
    const fresh = { minute, requests: 0, tokens: 0 };
    if (!current || current.minute < minute) this.document.windows[keyId] = fresh;
    return fresh;
  }
}
