import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoKeyStore } from '../../../functions/adapters/aws/dynamo-key-store';
import { DynamoResponseStore } from '../../../functions/adapters/aws/dynamo-response-store';
import { DynamoSpendStore } from '../../../functions/adapters/aws/dynamo-spend-store';
import { keysTableSchema, responsesTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { DatabaseSync } from 'node:sqlite';
import { DATABASE_FILE, MIGRATIONS, openLocalDatabase } from '../../../functions/adapters/local/sqlite/database';
import { SqliteKeyStore } from '../../../functions/adapters/local/sqlite/key-store';
import { SqliteResponseStore } from '../../../functions/adapters/local/sqlite/response-store';
import { SqliteSpendStore } from '../../../functions/adapters/local/sqlite/spend-store';
import type { KeyAdminStore, KeyRecord } from '../../../functions/core/ports/key-store';
import type { ResponseStore, StoredResponse } from '../../../functions/core/ports/response-store';
import { keyScope, teamScope, type AdmissionOutcome, type RateLimits, type ReservationExpiry, type ScopeLimit, type SpendStore, type UnsettledRequest } from '../../../functions/core/ports/spend-store';
import { dynamoDbLocal, type DynamoDbLocal } from '../../helpers/dynamodb-local';

/** Builds fresh, empty stores of one adapter family for each test. */
interface StoreFactory {
  keys(): Promise<KeyAdminStore>;
  spend(): Promise<SpendStore>;
  /** A spend store whose backing storage is unusable. */
  brokenSpend(): Promise<SpendStore>;
  responses(): Promise<ResponseStore>;
}

let dynamo: DynamoDbLocal;
let dataRoot: string;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'switchyard-stores-'));
  dynamo = await dynamoDbLocal();
}, 90_000);

afterAll(async () => {
  await dynamo?.stop();
  await rm(dataRoot, { recursive: true, force: true });
});

let dirCounter = 0;
const freshDir = (): string => join(dataRoot, `case-${(dirCounter += 1)}`);

const factories: [string, StoreFactory][] = [
  [
    'DynamoDB',
    {
      keys: async () => new DynamoKeyStore(dynamo.documentClient, await dynamo.createTable(keysTableSchema, 'keys')),
      spend: async () => new DynamoSpendStore(dynamo.documentClient, await dynamo.createTable(spendTableSchema, 'spend')),
      brokenSpend: async () => new DynamoSpendStore(dynamo.documentClient, 'no-such-table'),
      // Its clock at the responses' creation, well inside their 30 days.
      responses: async () => new DynamoResponseStore(dynamo.documentClient, await dynamo.createTable(responsesTableSchema, 'responses'), () => NOV_24),
    },
  ],
  [
    'embedded (SQLite)',
    {
      keys: async () => new SqliteKeyStore(openLocalDatabase(freshDir())),
      spend: async () => new SqliteSpendStore(openLocalDatabase(freshDir())),
      brokenSpend: async () => {
        // After opening, the database goes away under the store: every statement fails.
        const db = openLocalDatabase(freshDir());
        const store = new SqliteSpendStore(db);
        db.close();
        return store;
      },
      responses: async () => new SqliteResponseStore(openLocalDatabase(freshDir())),
    },
  ],
];

const NOV_24 = Date.UTC(2026, 10, 24, 10, 30, 15);
const HOUR = 3_600_000;

/** A reservation's expiry: released at `releaseAt`, charged `chargeMicroUsd`. */
function expiryAt(releaseAt: number, chargeMicroUsd = 0, requestOverrides: Partial<UnsettledRequest> = {}): ReservationExpiry {
  return {
    releaseAt,
    chargeMicroUsd,
    request: { keyId: 'k1', keyName: 'key one', team: 'search', user: null, tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: true, startedAt: NOV_24, inputTokens: 10, outputTokens: 100, ...requestOverrides },
  };
}
const EXPIRY = expiryAt(NOV_24 + HOUR);

let requests = 0;
/** Admits one request against rate limits only (no budget), as the gateway does for a key with `rpm`/`tpm` and no budget. */
const countRequest = (store: SpendStore, rate: RateLimits, at: number): Promise<AdmissionOutcome> => store.admit({ requestId: `rate-${(requests += 1)}`, rate, scopes: [], amountMicroUsd: 0, at, expiry: EXPIRY });
const NOV_25 = Date.UTC(2026, 10, 25, 0, 0, 5);

function keyRecord(n: number, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: `key_${n}`,
    keyHash: n.toString(16).padStart(64, '0'),
    name: `key ${n}`,
    createdAt: new Date(NOV_24 + n * 1000).toISOString(),
    ...overrides,
  };
}

describe.each(factories)('%s key store', (_name, factory) => {
  it('finds a stored key by hash and by id, and nothing for unknown ones', async () => {
    const store = await factory.keys();
    const record = keyRecord(1, { team: 'search', models: ['fast'], budget: { usd: 5, period: 'month' }, rpm: 10 });
    await store.put(record);

    expect(await store.findByHash(record.keyHash)).toEqual(record);
    expect(await store.get('key_1')).toEqual(record);
    expect(await store.findByHash('f'.repeat(64))).toBeUndefined();
    expect(await store.get('key_404')).toBeUndefined();
  });

  it('refuses a second key with the same hash', async () => {
    const store = await factory.keys();
    await store.put(keyRecord(1));
    await expect(store.put(keyRecord(1, { keyId: 'key_other' }))).rejects.toThrow();
  });

  it('lists keys oldest first and never lists teams', async () => {
    const store = await factory.keys();
    await store.put(keyRecord(3));
    await store.put(keyRecord(1));
    await store.putTeam({ team: 'search', budget: { usd: 100, period: 'month' } });
    await store.put(keyRecord(2));

    expect((await store.list()).map((record) => record.keyId)).toEqual(['key_1', 'key_2', 'key_3']);
  });

  it('replaces a record in place (revocation) and under a new hash (rotation)', async () => {
    const store = await factory.keys();
    const original = keyRecord(1);
    await store.put(original);

    await store.replace({ ...original, revoked: true });
    expect((await store.findByHash(original.keyHash))?.revoked).toBe(true);

    const rotated = { ...original, revoked: false, keyHash: 'a'.repeat(64) };
    await store.replace(rotated);
    expect(await store.findByHash(original.keyHash)).toBeUndefined();
    expect(await store.findByHash(rotated.keyHash)).toEqual(rotated);
    expect(await store.get('key_1')).toEqual(rotated);
  });

  it('keeps a rotated key findable under its old hash until the grace period ends, as the current record', async () => {
    const store = await factory.keys();
    const original = keyRecord(1, { budget: { usd: 5, period: 'month' } });
    await store.put(original);
    const rotated = { ...original, keyHash: 'b'.repeat(64) };

    await store.replace(rotated, { graceUntil: '2026-11-25T10:30:15.000Z' });

    expect(await store.findByHash(rotated.keyHash)).toEqual(rotated);
    expect(await store.findByHash(original.keyHash)).toEqual({ ...rotated, expiresAt: '2026-11-25T10:30:15.000Z' });
    expect((await store.list()).map((record) => record.keyId)).toEqual(['key_1']);
    expect(await store.get('key_1')).toEqual(rotated);
    // A change to the key (here a revocation) shows through the old hash too.
    await store.replace({ ...rotated, revoked: true });
    expect(await store.findByHash(original.keyHash)).toMatchObject({ keyId: 'key_1', revoked: true });
  });

  it('stores team budgets', async () => {
    const store = await factory.keys();
    await store.putTeam({ team: 'search', budget: { usd: 100, period: 'month' } });
    await store.putTeam({ team: 'search', budget: { usd: 50, period: 'day' } });

    expect(await store.findTeam('search')).toEqual({ team: 'search', budget: { usd: 50, period: 'day' } });
    expect(await store.findTeam('ads')).toBeUndefined();
    await store.putTeam({ team: 'ads', budget: { usd: 7, period: 'week' } });
    await store.put(keyRecord(1));
    expect(await store.listTeams()).toEqual([
      { team: 'ads', budget: { usd: 7, period: 'week' } },
      { team: 'search', budget: { usd: 50, period: 'day' } },
    ]);
  });

  it('stores per-user budgets of keys and teams, and tag budgets', async () => {
    const store = await factory.keys();
    await store.put(keyRecord(1, { perUserBudget: { usd: 2, period: 'day' } }));
    await store.putTeam({ team: 'search', perUserBudget: { usd: 5, period: 'week' } });
    await store.putTagBudget({ tag: 'feature=autocomplete', budget: { usd: 100, period: 'month' } });
    await store.putTagBudget({ tag: 'feature=autocomplete', budget: { usd: 80, period: 'month' } });
    await store.putTagBudget({ tag: 'env=prod', budget: { usd: 1000, period: 'total' } });

    expect((await store.findByHash(keyRecord(1).keyHash))?.perUserBudget).toEqual({ usd: 2, period: 'day' });
    expect(await store.findTeam('search')).toEqual({ team: 'search', perUserBudget: { usd: 5, period: 'week' } });
    expect(await store.listTagBudgets()).toEqual([
      { tag: 'env=prod', budget: { usd: 1000, period: 'total' } },
      { tag: 'feature=autocomplete', budget: { usd: 80, period: 'month' } },
    ]);
    // Tag budgets are not teams, nor keys.
    expect(await store.listTeams()).toEqual([{ team: 'search', perUserBudget: { usd: 5, period: 'week' } }]);
    expect(await store.list()).toHaveLength(1);
  });
});

describe.each(factories)('%s spend store', (_name, factory) => {
  const keyLimit = (usd: number, period: ScopeLimit['period'] = 'month'): ScopeLimit => ({ scope: keyScope('k1'), limitMicroUsd: usd * 1e6, period });
  const teamLimit = (usd: number): ScopeLimit => ({ scope: teamScope('search'), limitMicroUsd: usd * 1e6, period: 'month' });

  it('reserves on key and team, settles the actual cost and releases the rest', async () => {
    const store = await factory.spend();
    const outcome = await store.admit({ requestId: 'r1', scopes: [keyLimit(1), teamLimit(10)], amountMicroUsd: 300_000, at: NOV_24, expiry: EXPIRY });
    if (!outcome.ok) throw new Error('reservation refused');
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 300_000 });

    await store.settle(outcome.reservation, { costMicroUsd: 120_001, at: NOV_24 });

    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_001, reservedMicroUsd: 0 });
    expect(await store.getSpend(teamScope('search'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_001, reservedMicroUsd: 0 });
  });

  it('refuses all scopes when one cannot take the amount, naming it and its remaining budget', async () => {
    const store = await factory.spend();
    const first = await store.admit({ requestId: 'r1', scopes: [teamLimit(1)], amountMicroUsd: 700_000, at: NOV_24, expiry: EXPIRY });
    expect(first.ok).toBe(true);

    const second = await store.admit({ requestId: 'r2', scopes: [keyLimit(5), teamLimit(1)], amountMicroUsd: 400_000, at: NOV_24, expiry: EXPIRY });

    expect(second).toEqual({ ok: false, limit: 'budget', blocked: { ...teamLimit(1), periodKey: '2026-11' }, remainingMicroUsd: 300_000, spentMicroUsd: 0 });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('refuses an amount larger than the whole budget of an unused scope', async () => {
    const store = await factory.spend();
    const outcome = await store.admit({ requestId: 'r1', scopes: [keyLimit(1)], amountMicroUsd: 1_000_001, at: NOV_24, expiry: EXPIRY });
    expect(outcome).toEqual({ ok: false, limit: 'budget', blocked: { ...keyLimit(1), periodKey: '2026-11' }, remainingMicroUsd: 1_000_000, spentMicroUsd: 0 });
  });

  it('grants exactly as many concurrent reservations as the budget holds', async () => {
    const store = await factory.spend();
    const attempts = Array.from({ length: 60 }, (_, i) =>
      store.admit({ requestId: `c${i}`, scopes: [keyLimit(2), teamLimit(1)], amountMicroUsd: 50_000, at: NOV_24, expiry: EXPIRY }),
    );
    const outcomes = await Promise.all(attempts);

    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(20);
    expect(await store.getSpend(teamScope('search'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 1_000_000 });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 1_000_000 });
  });

  it('starts a new counter in a new period instead of resetting the old one', async () => {
    const store = await factory.spend();
    const day1 = await store.admit({ requestId: 'd1', scopes: [keyLimit(1, 'day')], amountMicroUsd: 1_000_000, at: NOV_24, expiry: EXPIRY });
    if (!day1.ok) throw new Error('reservation refused');
    await store.settle(day1.reservation, { costMicroUsd: 900_000, at: NOV_25 });

    expect((await store.admit({ requestId: 'd1b', scopes: [keyLimit(1, 'day')], amountMicroUsd: 200_000, at: NOV_24, expiry: EXPIRY })).ok).toBe(false);
    expect((await store.admit({ requestId: 'd2', scopes: [keyLimit(1, 'day')], amountMicroUsd: 200_000, at: NOV_25, expiry: EXPIRY })).ok).toBe(true);
    expect(await store.getSpend(keyScope('k1'), 'day', NOV_24)).toEqual({ periodKey: '2026-11-24', spentMicroUsd: 900_000, reservedMicroUsd: 0 });
    expect(await store.getSpend(keyScope('k1'), 'day', NOV_25)).toEqual({ periodKey: '2026-11-25', spentMicroUsd: 0, reservedMicroUsd: 200_000 });
    expect((await store.getSpend(keyScope('k1'), 'total', NOV_25)).periodKey).toBe('total');
    // A week budget: Tuesday 24 and Wednesday 25 November share ISO week 48.
    expect((await store.admit({ requestId: 'w1', scopes: [keyLimit(1, 'week')], amountMicroUsd: 600_000, at: NOV_24, expiry: EXPIRY })).ok).toBe(true);
    expect(await store.admit({ requestId: 'w2', scopes: [keyLimit(1, 'week')], amountMicroUsd: 600_000, at: NOV_25, expiry: EXPIRY })).toMatchObject({ ok: false, blocked: { periodKey: '2026-W48' } });
  });

  it('admits exactly rpm concurrent requests per UTC minute', async () => {
    const store = await factory.spend();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => countRequest(store, { keyId: 'k1', rpm: 10 }, NOV_24)));

    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(10);
    expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, limit: 'rpm', retryAfterMs: 45_000 });
    expect(await countRequest(store, { keyId: 'k1', rpm: 10 }, NOV_24 + 45_000)).toMatchObject({ ok: true });
  });

  it('refuses requests once settled tokens of the minute reach tpm', async () => {
    const store = await factory.spend();
    expect(await countRequest(store, { keyId: 'k1', tpm: 100 }, NOV_24)).toMatchObject({ ok: true });
    await store.settle({ requestId: 't1', amountMicroUsd: 0, counters: [] }, { costMicroUsd: 0, tokens: { keyId: 'k1', count: 100 }, at: NOV_24 + 1_000 });

    expect(await countRequest(store, { keyId: 'k1', tpm: 100 }, NOV_24 + 2_000)).toEqual({ ok: false, limit: 'tpm', retryAfterMs: 43_000 });
    expect(await countRequest(store, { keyId: 'k2', tpm: 100 }, NOV_24 + 2_000)).toMatchObject({ ok: true });
    expect(await countRequest(store, { keyId: 'k1', tpm: 100 }, NOV_24 + 45_000)).toMatchObject({ ok: true });
  });

  it('admits the rate window and the budgets together or not at all', async () => {
    const store = await factory.spend();
    const overBudget = await store.admit({ requestId: 'a1', rate: { keyId: 'k1', rpm: 1 }, scopes: [keyLimit(1)], amountMicroUsd: 2_000_000, at: NOV_24, expiry: EXPIRY });
    expect(overBudget).toMatchObject({ ok: false, limit: 'budget' });
    // The refused request was not counted: the key's one request of the minute is still free.
    const admitted = await store.admit({ requestId: 'a2', rate: { keyId: 'k1', rpm: 1 }, scopes: [keyLimit(1)], amountMicroUsd: 100_000, at: NOV_24, expiry: EXPIRY });
    expect(admitted).toMatchObject({ ok: true, reservation: { amountMicroUsd: 100_000 } });

    const overRate = await store.admit({ requestId: 'a3', rate: { keyId: 'k1', rpm: 1 }, scopes: [keyLimit(1)], amountMicroUsd: 100_000, at: NOV_24, expiry: EXPIRY });
    expect(overRate).toEqual({ ok: false, limit: 'rpm', retryAfterMs: 45_000 });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 100_000 });
  });

  it('throws when its storage is unusable', async () => {
    const store = await factory.brokenSpend();
    await expect(store.admit({ requestId: 'x', scopes: [keyLimit(1)], amountMicroUsd: 1, at: NOV_24, expiry: EXPIRY })).rejects.toThrow();
    await expect(store.releaseExpired(NOV_24, 10)).rejects.toThrow();
  });

  it('releases a reservation its request never settled once it expires, charged at its estimate, and only once', async () => {
    const store = await factory.spend();
    const dying = expiryAt(NOV_24 + HOUR, 120_000, { user: 'alice', tags: { feature: 'chat' } });
    const died = await store.admit({ requestId: 'died', scopes: [keyLimit(1), teamLimit(10)], amountMicroUsd: 300_000, at: NOV_24, expiry: dying });
    const running = await store.admit({ requestId: 'running', scopes: [keyLimit(1)], amountMicroUsd: 200_000, at: NOV_24, expiry: expiryAt(NOV_24 + 2 * HOUR, 50_000) });
    if (!died.ok || !running.ok) throw new Error('reservation refused');

    expect(await store.releaseExpired(NOV_24 + HOUR - 1, 10)).toEqual([]);
    const released = await store.releaseExpired(NOV_24 + HOUR, 10);

    expect(released).toEqual([{ requestId: 'died', amountMicroUsd: 300_000, counters: died.reservation.counters, releaseAt: NOV_24 + HOUR, chargedMicroUsd: 120_000, request: dying.request }]);
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_000, reservedMicroUsd: 200_000 });
    expect(await store.getSpend(teamScope('search'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_000, reservedMicroUsd: 0 });
    // A second sweep finds nothing; a settlement arriving after the release changes nothing.
    expect(await store.releaseExpired(NOV_24 + HOUR, 10)).toEqual([]);
    await store.settle(died.reservation, { costMicroUsd: 90_000, at: NOV_24 + HOUR });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_000, reservedMicroUsd: 200_000 });
  });

  it('never releases a settled reservation, and charges no more than a reservation held', async () => {
    const store = await factory.spend();
    const settled = await store.admit({ requestId: 'settled', scopes: [keyLimit(1)], amountMicroUsd: 100_000, at: NOV_24, expiry: expiryAt(NOV_24 + HOUR, 100_000) });
    const overEstimated = await store.admit({ requestId: 'over', scopes: [keyLimit(1)], amountMicroUsd: 100_000, at: NOV_24, expiry: expiryAt(NOV_24 + HOUR, 250_000) });
    if (!settled.ok || !overEstimated.ok) throw new Error('reservation refused');
    await store.settle(settled.reservation, { costMicroUsd: 10_000, at: NOV_24 });

    const released = await store.releaseExpired(NOV_24 + 3 * HOUR, 10);

    expect(released.map((reservation) => [reservation.requestId, reservation.chargedMicroUsd])).toEqual([['over', 100_000]]);
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 110_000, reservedMicroUsd: 0 });
  });

  it('releases at most the limit per call, and each reservation once under concurrent sweeps', async () => {
    const store = await factory.spend();
    for (let i = 0; i < 6; i += 1) {
      const outcome = await store.admit({ requestId: `dead-${i}`, scopes: [keyLimit(10)], amountMicroUsd: 100_000, at: NOV_24, expiry: expiryAt(NOV_24 + HOUR + i * 1_000, 10_000) });
      if (!outcome.ok) throw new Error('reservation refused');
    }

    const first = await store.releaseExpired(NOV_24 + 2 * HOUR, 2);
    const concurrent = await Promise.all([store.releaseExpired(NOV_24 + 2 * HOUR, 10), store.releaseExpired(NOV_24 + 2 * HOUR, 10)]);

    expect(first).toHaveLength(2);
    const everyRelease = [...first, ...concurrent.flat()].map((reservation) => reservation.requestId).sort();
    expect(everyRelease).toEqual(['dead-0', 'dead-1', 'dead-2', 'dead-3', 'dead-4', 'dead-5']);
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 60_000, reservedMicroUsd: 0 });
  });
});

describe.each(factories)('%s response store', (_name, factory) => {
  const stored = (keyId: string, responseId: string): StoredResponse => ({ keyId, responseId, response: { id: responseId, object: 'response', output: [] }, input: [{ role: 'user', content: 'Hi' }], createdAt: NOV_24 });

  it('keeps a response for its key only, and deletes it once', async () => {
    const store = await factory.responses();
    await store.put(stored('key_a', 'resp_1'));

    expect(await store.get('key_a', 'resp_1')).toEqual(stored('key_a', 'resp_1'));
    expect(await store.get('key_b', 'resp_1')).toBeUndefined();
    expect(await store.delete('key_b', 'resp_1')).toBe(false);
    expect(await store.delete('key_a', 'resp_1')).toBe(true);
    expect(await store.delete('key_a', 'resp_1')).toBe(false);
    expect(await store.get('key_a', 'resp_1')).toBeUndefined();
  });

  it('takes concurrent writes of one id and keeps one of them whole', async () => {
    const store = await factory.responses();
    const versions = Array.from({ length: 20 }, (_, i) => ({ ...stored('key_a', 'resp_same'), input: [{ role: 'user', content: `try ${i}` }] }));
    await Promise.all(versions.map((version) => store.put(version)));
    expect(versions).toContainEqual(await store.get('key_a', 'resp_same'));
  });
});

describe('embedded (SQLite) stores', () => {
  it('keep keys, teams, spend and responses across a restart', async () => {
    const dir = freshDir();
    const db = openLocalDatabase(dir);
    await new SqliteKeyStore(db).put(keyRecord(1));
    await new SqliteKeyStore(db).putTeam({ team: 'search', budget: { usd: 1, period: 'month' } });
    const spend = new SqliteSpendStore(db);
    const outcome = await spend.admit({ requestId: 'r1', scopes: [{ scope: keyScope('k1'), limitMicroUsd: 1e6, period: 'month' }], amountMicroUsd: 500, at: NOV_24, expiry: EXPIRY });
    if (!outcome.ok) throw new Error('reservation refused');
    await spend.settle(outcome.reservation, { costMicroUsd: 400, at: NOV_24 });
    db.close();

    const again = openLocalDatabase(dir);

    expect(await new SqliteKeyStore(again).get('key_1')).toEqual(keyRecord(1));
    expect(await new SqliteKeyStore(again).findTeam('search')).toEqual({ team: 'search', budget: { usd: 1, period: 'month' } });
    expect(await new SqliteSpendStore(again).getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 400, reservedMicroUsd: 0 });
  });

  it('applies a retried reservation and a repeated settlement of one request once', async () => {
    const store = new SqliteSpendStore(openLocalDatabase(freshDir()));
    const keyLimit = (usd: number): ScopeLimit => ({ scope: keyScope('k1'), limitMicroUsd: usd * 1e6, period: 'month' });
    const first = await store.admit({ requestId: 'r1', scopes: [keyLimit(1)], amountMicroUsd: 300_000, at: NOV_24, expiry: EXPIRY });
    const retried = await store.admit({ requestId: 'r1', scopes: [keyLimit(1)], amountMicroUsd: 300_000, at: NOV_24, expiry: EXPIRY });
    if (!first.ok || !retried.ok) throw new Error('reservation refused');
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 300_000 });

    await store.settle(first.reservation, { costMicroUsd: 100_000, at: NOV_24 });
    await store.settle(retried.reservation, { costMicroUsd: 100_000, at: NOV_24 });

    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 100_000, reservedMicroUsd: 0 });
  });

  it('keep the database readable by its owner only, write-ahead log included', async () => {
    const dir = freshDir();
    const db = openLocalDatabase(dir);
    await new SqliteKeyStore(db).put(keyRecord(1));

    for (const file of ['switchyard.db', 'switchyard.db-wal']) expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
  });

  it('see keys written by another process (the CLI) while serving', async () => {
    const dir = freshDir();
    const server = new SqliteKeyStore(openLocalDatabase(dir));
    await server.put(keyRecord(1));
    const cli = new SqliteKeyStore(openLocalDatabase(dir));

    await cli.put(keyRecord(2));
    await cli.replace({ ...keyRecord(1), revoked: true });

    expect(await server.findByHash(keyRecord(2).keyHash)).toEqual(keyRecord(2));
    expect((await server.findByHash(keyRecord(1).keyHash))?.revoked).toBe(true);
  });

  it('lose no settled spend and no key when the process is killed right after its writes', async () => {
    const dir = freshDir();
    // A child process writes a key and settles 100 reservations, says so, and is killed at once (SIGKILL: no exit handlers run).
    const script = `
      const { openLocalDatabase } = require('./functions/adapters/local/sqlite/database');
      const { SqliteKeyStore } = require('./functions/adapters/local/sqlite/key-store');
      const { SqliteSpendStore } = require('./functions/adapters/local/sqlite/spend-store');
      (async () => {
        const db = openLocalDatabase(${JSON.stringify(dir)});
        await new SqliteKeyStore(db).put(${JSON.stringify(keyRecord(7))});
        const spend = new SqliteSpendStore(db);
        for (let i = 0; i < 100; i++) {
          const outcome = await spend.admit({ requestId: 'k' + i, scopes: [{ scope: 'key#k1', limitMicroUsd: 1e9, period: 'month' }], amountMicroUsd: 50, at: ${NOV_24}, expiry: ${JSON.stringify(EXPIRY)} });
          await spend.settle(outcome.reservation, { costMicroUsd: 10, at: ${NOV_24} });
        }
        process.stdout.write('settled\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const db = openLocalDatabase(dir);
    expect(await new SqliteKeyStore(db).get('key_7')).toEqual(keyRecord(7));
    expect(await new SqliteSpendStore(db).getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 1_000, reservedMicroUsd: 0 });
  }, 30_000);

  it('give a reservation held before expiries existed (schema 2) one: released an hour after it was made, charged in full', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    const old = new DatabaseSync(join(dir, DATABASE_FILE));
    old.exec(`${MIGRATIONS[0]}; ${MIGRATIONS[1]}; PRAGMA user_version = 2;`);
    old.exec(`INSERT INTO spend_counters VALUES ('key#k1', '2026-11', 300000, 0), ('team#search', '2026-11', 300000, 0)`);
    old.prepare('INSERT INTO reservations VALUES (?, ?, ?, ?)').run('held', 300_000, JSON.stringify([{ scope: 'key#k1', periodKey: '2026-11' }, { scope: 'team#search', periodKey: '2026-11' }]), NOV_24);
    old.close();

    const store = new SqliteSpendStore(openLocalDatabase(dir));

    expect(await store.releaseExpired(NOV_24 + HOUR - 1, 10)).toEqual([]);
    const [released] = await store.releaseExpired(NOV_24 + HOUR, 10);
    expect(released).toMatchObject({ requestId: 'held', chargedMicroUsd: 300_000, releaseAt: NOV_24 + HOUR, request: { keyId: 'k1', team: 'search', startedAt: NOV_24 } });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 300_000, reservedMicroUsd: 0 });
  });

  it('import the JSON files of an older data dir on first start, and set them aside', async () => {
    const dir = freshDir();
    await mkdir(join(dir, 'responses', 'key_1'), { recursive: true });
    await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: [keyRecord(1), keyRecord(2, { revoked: true })], teams: [{ team: 'search', budget: { usd: 5, period: 'day' } }] }));
    // 300 of the key's 1000 committed micro-USD were held by a reservation that will never settle.
    await writeFile(join(dir, 'spend.json'), JSON.stringify({ counters: { 'key#k1': { '2026-11': { committed: 1_000, spent: 700 } } }, windows: { k1: { minute: 'minute#2026-11-24T10:30', requests: 3, tokens: 40 } } }));
    const response: StoredResponse = { keyId: 'key_1', responseId: 'resp_old', response: { id: 'resp_old', object: 'response' }, input: [], createdAt: 1 };
    await writeFile(join(dir, 'responses', 'key_1', 'resp_old.json'), JSON.stringify(response));

    const db = openLocalDatabase(dir);

    expect(await new SqliteKeyStore(db).list()).toEqual([keyRecord(1), keyRecord(2, { revoked: true })]);
    expect(await new SqliteKeyStore(db).findTeam('search')).toEqual({ team: 'search', budget: { usd: 5, period: 'day' } });
    expect(await new SqliteSpendStore(db).getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 700, reservedMicroUsd: 0 });
    expect(await countRequest(new SqliteSpendStore(db), { keyId: 'k1', rpm: 3 }, NOV_24)).toMatchObject({ ok: false, limit: 'rpm' });
    expect(await new SqliteResponseStore(db).get('key_1', 'resp_old')).toEqual(response);
    expect([existsSync(join(dir, 'keys.json')), existsSync(join(dir, 'keys.json.imported')), existsSync(join(dir, 'responses.imported'))]).toEqual([false, true, true]);
    // A second start imports nothing again.
    db.close();
    expect(await new SqliteKeyStore(openLocalDatabase(dir)).list()).toHaveLength(2);
  });
});
