import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoKeyStore } from '../../../functions/adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../../../functions/adapters/aws/dynamo-spend-store';
import { keysTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { FileKeyStore } from '../../../functions/adapters/local/file-key-store';
import { FileSpendStore } from '../../../functions/adapters/local/file-spend-store';
import type { KeyAdminStore, KeyRecord } from '../../../functions/core/ports/key-store';
import { keyScope, teamScope, type ScopeLimit, type SpendStore } from '../../../functions/core/ports/spend-store';
import { dynamoDbLocal, type DynamoDbLocal } from '../../helpers/dynamodb-local';

/** Builds fresh, empty stores of one adapter family for each test. */
interface StoreFactory {
  keys(): Promise<KeyAdminStore>;
  spend(): Promise<SpendStore>;
  /** A spend store whose backing storage is unusable. */
  brokenSpend(): Promise<SpendStore>;
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
    },
  ],
  [
    'local file',
    {
      keys: async () => new FileKeyStore(join(freshDir(), 'keys.json')),
      spend: async () => new FileSpendStore(join(freshDir(), 'spend.json')),
      brokenSpend: async () => {
        // After opening, a regular file takes the place of the data directory: every write fails.
        const dir = freshDir();
        const store = new FileSpendStore(join(dir, 'spend.json'));
        await writeFile(dir, 'not a directory');
        return store;
      },
    },
  ],
];

const NOV_24 = Date.UTC(2026, 10, 24, 10, 30, 15);
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

  it('stores team budgets', async () => {
    const store = await factory.keys();
    await store.putTeam({ team: 'search', budget: { usd: 100, period: 'month' } });
    await store.putTeam({ team: 'search', budget: { usd: 50, period: 'day' } });

    expect(await store.findTeam('search')).toEqual({ team: 'search', budget: { usd: 50, period: 'day' } });
    expect(await store.findTeam('ads')).toBeUndefined();
  });
});

describe.each(factories)('%s spend store', (_name, factory) => {
  const keyLimit = (usd: number, period: ScopeLimit['period'] = 'month'): ScopeLimit => ({ scope: keyScope('k1'), limitMicroUsd: usd * 1e6, period });
  const teamLimit = (usd: number): ScopeLimit => ({ scope: teamScope('search'), limitMicroUsd: usd * 1e6, period: 'month' });

  it('reserves on key and team, settles the actual cost and releases the rest', async () => {
    const store = await factory.spend();
    const outcome = await store.reserve({ requestId: 'r1', scopes: [keyLimit(1), teamLimit(10)], amountMicroUsd: 300_000, at: NOV_24 });
    if (!outcome.ok) throw new Error('reservation refused');
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 300_000 });

    await store.settle(outcome.reservation, { costMicroUsd: 120_001, at: NOV_24 });

    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_001, reservedMicroUsd: 0 });
    expect(await store.getSpend(teamScope('search'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 120_001, reservedMicroUsd: 0 });
  });

  it('refuses all scopes when one cannot take the amount, naming it and its remaining budget', async () => {
    const store = await factory.spend();
    const first = await store.reserve({ requestId: 'r1', scopes: [teamLimit(1)], amountMicroUsd: 700_000, at: NOV_24 });
    expect(first.ok).toBe(true);

    const second = await store.reserve({ requestId: 'r2', scopes: [keyLimit(5), teamLimit(1)], amountMicroUsd: 400_000, at: NOV_24 });

    expect(second).toEqual({ ok: false, blocked: { ...teamLimit(1), periodKey: '2026-11' }, remainingMicroUsd: 300_000 });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('refuses an amount larger than the whole budget of an unused scope', async () => {
    const store = await factory.spend();
    const outcome = await store.reserve({ requestId: 'r1', scopes: [keyLimit(1)], amountMicroUsd: 1_000_001, at: NOV_24 });
    expect(outcome).toEqual({ ok: false, blocked: { ...keyLimit(1), periodKey: '2026-11' }, remainingMicroUsd: 1_000_000 });
  });

  it('grants exactly as many concurrent reservations as the budget holds', async () => {
    const store = await factory.spend();
    const attempts = Array.from({ length: 60 }, (_, i) =>
      store.reserve({ requestId: `c${i}`, scopes: [keyLimit(2), teamLimit(1)], amountMicroUsd: 50_000, at: NOV_24 }),
    );
    const outcomes = await Promise.all(attempts);

    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(20);
    expect(await store.getSpend(teamScope('search'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 1_000_000 });
    expect(await store.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 0, reservedMicroUsd: 1_000_000 });
  });

  it('starts a new counter in a new period instead of resetting the old one', async () => {
    const store = await factory.spend();
    const day1 = await store.reserve({ requestId: 'd1', scopes: [keyLimit(1, 'day')], amountMicroUsd: 1_000_000, at: NOV_24 });
    if (!day1.ok) throw new Error('reservation refused');
    await store.settle(day1.reservation, { costMicroUsd: 900_000, at: NOV_25 });

    expect((await store.reserve({ requestId: 'd1b', scopes: [keyLimit(1, 'day')], amountMicroUsd: 200_000, at: NOV_24 })).ok).toBe(false);
    expect((await store.reserve({ requestId: 'd2', scopes: [keyLimit(1, 'day')], amountMicroUsd: 200_000, at: NOV_25 })).ok).toBe(true);
    expect(await store.getSpend(keyScope('k1'), 'day', NOV_24)).toEqual({ periodKey: '2026-11-24', spentMicroUsd: 900_000, reservedMicroUsd: 0 });
    expect(await store.getSpend(keyScope('k1'), 'day', NOV_25)).toEqual({ periodKey: '2026-11-25', spentMicroUsd: 0, reservedMicroUsd: 200_000 });
    expect((await store.getSpend(keyScope('k1'), 'total', NOV_25)).periodKey).toBe('total');
  });

  it('admits exactly rpm concurrent requests per UTC minute', async () => {
    const store = await factory.spend();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => store.admitRequest({ keyId: 'k1', rpm: 10, at: NOV_24 })));

    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(10);
    expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, limit: 'rpm', retryAfterMs: 45_000 });
    expect(await store.admitRequest({ keyId: 'k1', rpm: 10, at: NOV_24 + 45_000 })).toEqual({ ok: true });
  });

  it('refuses requests once settled tokens of the minute reach tpm', async () => {
    const store = await factory.spend();
    expect(await store.admitRequest({ keyId: 'k1', tpm: 100, at: NOV_24 })).toEqual({ ok: true });
    await store.settle({ requestId: 't1', amountMicroUsd: 0, counters: [] }, { costMicroUsd: 0, tokens: { keyId: 'k1', count: 100 }, at: NOV_24 + 1_000 });

    expect(await store.admitRequest({ keyId: 'k1', tpm: 100, at: NOV_24 + 2_000 })).toEqual({ ok: false, limit: 'tpm', retryAfterMs: 43_000 });
    expect(await store.admitRequest({ keyId: 'k2', tpm: 100, at: NOV_24 + 2_000 })).toEqual({ ok: true });
    expect(await store.admitRequest({ keyId: 'k1', tpm: 100, at: NOV_24 + 45_000 })).toEqual({ ok: true });
  });

  it('throws when its storage is unusable', async () => {
    const store = await factory.brokenSpend();
    await expect(store.reserve({ requestId: 'x', scopes: [keyLimit(1)], amountMicroUsd: 1, at: NOV_24 })).rejects.toThrow();
  });
});

describe('local file stores', () => {
  it('keep keys, teams and spend across a restart', async () => {
    const dir = freshDir();
    const keys = new FileKeyStore(join(dir, 'keys.json'));
    const spend = new FileSpendStore(join(dir, 'spend.json'));
    await keys.put(keyRecord(1));
    await keys.putTeam({ team: 'search', budget: { usd: 1, period: 'month' } });
    const outcome = await spend.reserve({ requestId: 'r1', scopes: [{ scope: keyScope('k1'), limitMicroUsd: 1e6, period: 'month' }], amountMicroUsd: 500, at: NOV_24 });
    if (!outcome.ok) throw new Error('reservation refused');
    await spend.settle(outcome.reservation, { costMicroUsd: 400, at: NOV_24 });

    const keysAgain = new FileKeyStore(join(dir, 'keys.json'));
    const spendAgain = new FileSpendStore(join(dir, 'spend.json'));

    expect(await keysAgain.get('key_1')).toEqual(keyRecord(1));
    expect(await keysAgain.findTeam('search')).toEqual({ team: 'search', budget: { usd: 1, period: 'month' } });
    expect(await spendAgain.getSpend(keyScope('k1'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: 400, reservedMicroUsd: 0 });
  });

  it('see keys written by another process (the CLI) while serving', async () => {
    const path = join(freshDir(), 'keys.json');
    const server = new FileKeyStore(path);
    await server.put(keyRecord(1));
    const cli = new FileKeyStore(path);

    await cli.put(keyRecord(2));
    await cli.replace({ ...keyRecord(1), revoked: true });

    expect(await server.findByHash(keyRecord(2).keyHash)).toEqual(keyRecord(2));
    expect((await server.findByHash(keyRecord(1).keyHash))?.revoked).toBe(true);
  });
});
