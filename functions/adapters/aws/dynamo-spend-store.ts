import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetPeriod } from '../../core/ports/key-store';
import {
  keyScope,
  minuteKey,
  msToNextMinute,
  periodKey,
  type AdmissionOutcome,
  type AdmissionRequest,
  type RateLimits,
  type ReleasedReservation,
  type Reservation,
  type ScopeLimit,
  type Settlement,
  type SpendSnapshot,
  type SpendStore,
} from '../../core/ports/spend-store';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
/** One conditional or unconditional update of the spend table. */
type Update = NonNullable<TransactItem['Update']>;
/** One write of a transaction: an update, a put (a new reservation) or a delete (its release). */
type Write = { Update: Update } | { Put: NonNullable<TransactItem['Put']> } | { Delete: NonNullable<TransactItem['Delete']> };

/**
 * Outcome of a write: applied, or the index of the first update whose condition failed, with that
 * item as it was (DynamoDB returns it: `ReturnValuesOnConditionCheckFailure`), so a refusal needs
 * no second read.
 */
type WriteResult = { applied: true } | { applied: false; failedIndex: number; item: Record<string, unknown> | undefined };

/** Request windows outlive their minute by an hour, then TTL removes them. */
const WINDOW_TTL_SECONDS = 3600;
/** Transactions on hot counters can conflict; retry with jitter a bounded number of times. */
const MAX_CONFLICT_ATTEMPTS = 25;
/**
 * Held reservations are spread over this many partitions (`reservation#0` … `#15`), each sorted
 * by expiry, so the sweeper finds the expired ones with one query per partition and no partition
 * takes every request's writes.
 */
const RESERVATION_PARTITIONS = 16;

/**
 * Spend store on the DynamoDB spend table (see `spendTableSchema`).
 *
 * Counter items hold `committed` (spent + reserved) and `spent`. DynamoDB condition expressions
 * cannot add, so the reservation condition compares `committed` with a headroom computed here:
 * `committed + amount <= limit` ⇔ `committed <= limit - amount`. A missing item has committed 0,
 * which fits exactly when `amount <= limit`; larger amounts are refused before writing.
 * An admission — the key's minute window, every budget scope and the reservation record — is
 * one write before the upstream call (`UpdateItem` when it touches one item, else one
 * `TransactWriteItems`, all or nothing), and a settlement one after it, each with a client request
 * token so that an SDK retry never applies it twice (DESIGN §8: one round trip before the first
 * byte, one after).
 *
 * A reservation record lives in a `reservation#<n>` partition under the sort key
 * `<releaseAt, 13 digits>#<requestId>`; its expiry attribute is `releaseAt`, not the table's TTL
 * attribute, because TTL would delete it without charging anything. Settling deletes it on
 * condition that it still exists, in the same transaction as the counters; so does releasing it,
 * so whichever comes first wins and the other changes nothing.
 */
export class DynamoSpendStore implements SpendStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    const { rate } = request;
    const counters = request.scopes.map((limit) => ({ ...limit, periodKey: periodKey(limit.period, request.at) }));
    const tooLarge = counters.find((counter) => request.amountMicroUsd > counter.limitMicroUsd);
    if (tooLarge) return this.refusedBy(tooLarge);
    const windowKey = rate ? { scope: keyScope(rate.keyId), period: minuteKey(request.at) } : undefined;
    const updates: Update[] = [];
    if (rate && windowKey) updates.push(this.windowUpdate(rate, windowKey, request.at));
    for (const counter of counters) {
      updates.push({
        TableName: this.tableName,
        Key: { scope: counter.scope, period: counter.periodKey },
        // The budget's limit and alert thresholds ride along for the alerts, which read the table's stream.
        UpdateExpression: 'SET committed = if_not_exists(committed, :zero) + :amount, spent = if_not_exists(spent, :zero), limitMicroUsd = :limit, alerts = :alerts',
        ConditionExpression: 'attribute_not_exists(committed) OR committed <= :headroom',
        ExpressionAttributeValues: { ':zero': 0, ':amount': request.amountMicroUsd, ':headroom': counter.limitMicroUsd - request.amountMicroUsd, ':limit': counter.limitMicroUsd, ':alerts': counter.alerts ?? [] },
      });
    }
    const reservation: Reservation = { requestId: request.requestId, amountMicroUsd: request.amountMicroUsd, counters: counters.map(({ scope, periodKey: period }) => ({ scope, periodKey: period })) };
    if (updates.length === 0) return { ok: true, reservation };
    const writes: Write[] = updates.map((update) => ({ Update: update }));
    if (counters.length > 0) {
      reservation.releaseAt = request.expiry.releaseAt;
      writes.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...reservationKey(request.requestId, request.expiry.releaseAt),
            requestId: request.requestId,
            releaseAt: request.expiry.releaseAt,
            amount: request.amountMicroUsd,
            charge: Math.min(request.expiry.chargeMicroUsd, request.amountMicroUsd),
            counters: reservation.counters,
            request: request.expiry.request,
          },
        },
      });
    }
    // One token per attempt (`at` differs): a request that waits for room retries its admission.
    const result = await this.write(`admit:${request.requestId}:${request.at}`, writes);
    if (result.applied) return { ok: true, reservation };
    if (rate && windowKey && result.failedIndex === 0) {
      return { ok: false, limit: rate.rpm !== undefined && num(result.item?.requests) >= rate.rpm ? 'rpm' : 'tpm', retryAfterMs: msToNextMinute(request.at) };
    }
    return refusal(counters[result.failedIndex - (rate ? 1 : 0)]!, result.item);
  }

  /** Counts one request in the key's minute item, on condition that `rpm` and `tpm` leave room. */
  private windowUpdate(rate: RateLimits, key: { scope: string; period: string }, at: number): Update {
    const conditions: string[] = [];
    const values: Record<string, number> = { ':one': 1, ':ttl': Math.floor(at / 60_000) * 60 + 60 + WINDOW_TTL_SECONDS };
    if (rate.rpm !== undefined) {
      conditions.push('(attribute_not_exists(requests) OR requests < :rpm)');
      values[':rpm'] = rate.rpm;
    }
    if (rate.tpm !== undefined) {
      conditions.push('(attribute_not_exists(tokens) OR tokens < :tpm)');
      values[':tpm'] = rate.tpm;
    }
    return {
      TableName: this.tableName,
      Key: key,
      UpdateExpression: 'ADD requests :one SET expiresAt = :ttl',
      ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeValues: values,
    };
  }

  /** The refusal by a budget counter too small for the amount however little it holds (read, as no write was tried). */
  private async refusedBy(blocked: ScopeLimit & { periodKey: string }): Promise<AdmissionOutcome> {
    return refusal(blocked, await this.read({ scope: blocked.scope, period: blocked.periodKey }));
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    const tokens: Write[] = [];
    if (settlement.tokens && settlement.tokens.count > 0) {
      tokens.push({
        Update: {
          TableName: this.tableName,
          Key: { scope: keyScope(settlement.tokens.keyId), period: minuteKey(settlement.at) },
          UpdateExpression: 'ADD tokens :tokens SET expiresAt = :ttl',
          ExpressionAttributeValues: { ':tokens': settlement.tokens.count, ':ttl': Math.floor(settlement.at / 60_000) * 60 + 60 + WINDOW_TTL_SECONDS },
        },
      });
    }
    if (reservation.counters.length > 0 && reservation.releaseAt !== undefined) {
      const result = await this.write(`settle:${reservation.requestId}`, [...this.chargeReservation(reservation, reservation.releaseAt, settlement.costMicroUsd), ...tokens]);
      // Released by the sweeper already (charged there): only the tokens remain to count.
      if (result.applied || tokens.length === 0) return;
    }
    if (tokens.length > 0) await this.write(`settle-tokens:${reservation.requestId}`, tokens);
  }

  async releaseExpired(now: number, limit: number): Promise<ReleasedReservation[]> {
    const released: ReleasedReservation[] = [];
    for (let partition = 0; partition < RESERVATION_PARTITIONS && released.length < limit; partition += 1) {
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#scope = :partition AND #period < :after',
          ExpressionAttributeNames: { '#scope': 'scope', '#period': 'period' },
          ExpressionAttributeValues: { ':partition': `reservation#${partition}`, ':after': sortablePrefix(now + 1) },
          Limit: limit - released.length,
          ConsistentRead: true,
        }),
      );
      for (const item of Items as StoredReservation[]) {
        // A token of this sweep's own: another sweep's release of the same record under the same
        // token would be taken by DynamoDB for a retry of it and answered as applied.
        const result = await this.write(`release:${item.requestId}:${randomUUID()}`, this.chargeReservation({ requestId: item.requestId, amountMicroUsd: item.amount, counters: item.counters }, item.releaseAt, item.charge));
        // Settled (or released by another sweep) since the query: nothing to do.
        if (!result.applied) continue;
        released.push({ requestId: item.requestId, amountMicroUsd: item.amount, counters: item.counters, releaseAt: item.releaseAt, chargedMicroUsd: item.charge, request: item.request });
      }
    }
    return released;
  }

  /**
   * Deletes a held reservation, on condition that it is still held, and charges `costMicroUsd` on
   * each of its counters, releasing the rest of its amount.
   */
  private chargeReservation(reservation: Pick<Reservation, 'requestId' | 'amountMicroUsd' | 'counters'>, releaseAt: number, costMicroUsd: number): Write[] {
    return [
      { Delete: { TableName: this.tableName, Key: reservationKey(reservation.requestId, releaseAt), ConditionExpression: 'attribute_exists(#scope)', ExpressionAttributeNames: { '#scope': 'scope' } } },
      ...reservation.counters.map((counter): Write => ({
        Update: {
          TableName: this.tableName,
          Key: { scope: counter.scope, period: counter.periodKey },
          UpdateExpression: 'ADD committed :delta, spent :cost',
          ExpressionAttributeValues: { ':delta': costMicroUsd - reservation.amountMicroUsd, ':cost': costMicroUsd },
        },
      })),
    ];
  }

  async getSpend(scope: string, period: BudgetPeriod, at: number): Promise<SpendSnapshot> {
    const key = periodKey(period, at);
    const item = await this.read({ scope, period: key });
    const spent = num(item?.spent);
    const alerted = item?.alerted instanceof Set ? [...(item.alerted as Set<number>)].map(Number).sort((a, b) => a - b) : [];
    return { periodKey: key, spentMicroUsd: spent, reservedMicroUsd: num(item?.committed) - spent, ...(alerted.length > 0 ? { alertedPercents: alerted } : {}) };
  }

  private async read(key: { scope: string; period: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** One update as `UpdateItem`; several writes as one transaction, retried on transaction conflicts. */
  private async write(token: string, writes: Write[]): Promise<WriteResult> {
    const single = writes.length === 1 && 'Update' in writes[0]! ? writes[0].Update : undefined;
    if (single) {
      try {
        await this.client.send(new UpdateCommand({ ...single, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
        return { applied: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { applied: false, failedIndex: 0, item: error.Item };
        throw error;
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: writes.map((write) => ('Update' in write ? { Update: { ...write.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } : write)),
            // Tokens are account-wide: the table name keeps two stacks (or two tables of a test) apart.
            ClientRequestToken: requestToken(`${this.tableName}:${token}`, attempt),
          }),
        );
        return { applied: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        const failedIndex = codes.indexOf('ConditionalCheckFailed');
        if (failedIndex >= 0) return { applied: false, failedIndex, item: error.CancellationReasons?.[failedIndex]?.Item };
        if (!codes.includes('TransactionConflict') || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * 10 * Math.min(attempt, 10));
      }
    }
  }
}

/** A reservation record as stored. */
interface StoredReservation {
  requestId: string;
  releaseAt: number;
  amount: number;
  charge: number;
  counters: Reservation['counters'];
  request: ReleasedReservation['request'];
}

/** The key of a reservation record: its partition, and its expiry then request id as sort key. */
function reservationKey(requestId: string, releaseAt: number): { scope: string; period: string } {
  return { scope: `reservation#${partitionOf(requestId)}`, period: `${sortablePrefix(releaseAt)}#${requestId}` };
}

/** An epoch-milliseconds instant as 13 digits, so that sort keys order by time. */
function sortablePrefix(at: number): string {
  return String(Math.max(0, Math.floor(at))).padStart(13, '0');
}

/** The reservation partition of a request id (FNV-1a of its characters). */
function partitionOf(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < requestId.length; index += 1) hash = Math.imul(hash ^ requestId.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % RESERVATION_PARTITIONS;
}

/**
 * A 36-character idempotency token per write attempt. The SDK's own retries of one attempt share
 * it (so a lost response never double-applies); a cancelled attempt applied nothing, so the next
 * attempt after a conflict gets a fresh one.
 */
function requestToken(token: string, attempt: number): string {
  return createHash('sha256').update(`${token}:${attempt}`).digest('hex').slice(0, 36);
}

/**
 * A number attribute, as the document client returns it (a number) or as a condition failure
 * returns the old item (the wire form `{ N: "123" }`: exceptions are not unmarshalled); 0 when
 * absent.
 */
function num(value: unknown): number {
  if (typeof value === 'number') return value;
  const wire = (value as { N?: unknown } | undefined)?.N;
  return typeof wire === 'string' ? Number(wire) : 0;
}

/** The refusal by a budget counter, from the counter item as it was (absent: nothing spent or held). */
function refusal(blocked: ScopeLimit & { periodKey: string }, item: Record<string, unknown> | undefined): AdmissionOutcome {
  return { ok: false, limit: 'budget', blocked, remainingMicroUsd: Math.max(0, blocked.limitMicroUsd - num(item?.committed)), spentMicroUsd: num(item?.spent) };
}
