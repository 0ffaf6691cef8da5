import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../../../../functions/adapters/local/sqlite/database';
import { SqliteKeyStore } from '../../../../functions/adapters/local/sqlite/key-store';
import { SqliteSpendStore } from '../../../../functions/adapters/local/sqlite/spend-store';
import { GatewayError } from '../../../../functions/core/errors';
import { admitRequest, type BudgetDeps, type BudgetPrincipal } from '../../../../functions/core/pipeline/budget';
import { CachedKeyStore } from '../../../../functions/core/pipeline/key-cache';
import { TestClock } from '../../../helpers/test-clock';
import { silentLogger } from '../../../../functions/core/ports/logger';
import { keyScope, teamScope, type ReservationExpiry, type SpendStore } from '../../../../functions/core/ports/spend-store';


let dir: string;
let counter = 0;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'switchyard-budget-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function setup(start: number): Promise<{ deps: BudgetDeps; clock: TestClock; keys: SqliteKeyStore; spend: SqliteSpendStore }> {
  counter += 1;
  const clock = new TestClock(start);
  const db = openLocalDatabase(join(dir, `${counter}`));
  const keys = new SqliteKeyStore(db);
  const spend = new SqliteSpendStore(db);
  // `budgets.waitMs` as configured by default; the test clock makes the waits instant.
  return { deps: { spendStore: spend, keyStore: new CachedKeyStore(keys, clock), clock, logger: silentLogger, waitMs: 10_000, random: () => 0.5, alertPercents: [50, 80, 100] }, clock, keys, spend };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const DAY_END = Date.UTC(2026, 10, 24, 23, 59, 30);
/** The expiry every reservation here is recorded with (the sweeper is tested with the stores). */
const EXPIRY: ReservationExpiry = {
  releaseAt: DAY_END + 3_600_000,
  chargeMicroUsd: 1_000,
  request: { keyId: 'key_a', keyName: 'a', team: null, user: null, tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: false, startedAt: DAY_END, inputTokens: 1, outputTokens: 1 },
};

describe('budget stage', () => {
  it('refuses with 429 budget_exceeded stating the remaining budget, then serves again in the next period', async () => {
    const { deps, clock, spend } = await setup(DAY_END);
    const key: BudgetPrincipal = { keyId: 'key_a', budget: { usd: 0.01, period: 'day' } };
    const first = await admitRequest(deps, key, 'r1', 6_000, EXPIRY);
    await first.settle({ costMicroUsd: 4_500, tokens: 0 });

    const error = await rejection(admitRequest(deps, key, 'r2', 6_000, EXPIRY));
    expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(error.message).toContain('remaining budget $0.005500 of $0.010000');

    clock.set(DAY_END + 60_000);
    const nextDay = await admitRequest(deps, key, 'r3', 6_000, EXPIRY);
    await nextDay.settle({ costMicroUsd: 100, tokens: 0 });
    expect(await spend.getSpend(keyScope('key_a'), 'day', DAY_END)).toMatchObject({ periodKey: '2026-11-24', spentMicroUsd: 4_500 });
    expect(await spend.getSpend(keyScope('key_a'), 'day', clock.now())).toMatchObject({ periodKey: '2026-11-25', spentMicroUsd: 100 });
  });

  it('waits for an in-flight reservation to settle rather than refuse a request the settled spend still pays for', async () => {
    const { deps, clock, spend } = await setup(DAY_END);
    const key: BudgetPrincipal = { keyId: 'key_w', budget: { usd: 0.01, period: 'day' } };
    const first = await admitRequest(deps, key, 'r1', 6_000, EXPIRY);
    let refused: () => void = () => undefined;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const watched: SpendStore = {
      admit: async (request) => {
        const outcome = await spend.admit(request);
        if (!outcome.ok) refused();
        return outcome;
      },
      settle: (reservation, settlement) => spend.settle(reservation, settlement),
      // A read takes a turn of the event loop, as a store's I/O does (the test clock's sleeps take none).
      getSpend: async (scope, period, at) => {
        await new Promise((resolve) => setImmediate(resolve));
        return spend.getSpend(scope, period, at);
      },
      releaseExpired: (now, limit) => spend.releaseExpired(now, limit),
    };

    // 6,000 held and 6,000 asked of 10,000: refused now, paid for once the first settles at its real cost.
    const second = admitRequest({ ...deps, spendStore: watched }, key, 'r2', 6_000, EXPIRY);
    await firstRefusal;
    await first.settle({ costMicroUsd: 1_500, tokens: 0 });
    const admitted = await second;

    expect(admitted.reservation).toMatchObject({ requestId: 'r2', amountMicroUsd: 6_000 });
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(await spend.getSpend(keyScope('key_w'), 'day', DAY_END)).toEqual({ periodKey: '2026-11-24', spentMicroUsd: 1_500, reservedMicroUsd: 6_000 });
  });

  it('refuses at once, without waiting, when settled spend alone leaves no room', async () => {
    const { deps, clock } = await setup(DAY_END);
    const key: BudgetPrincipal = { keyId: 'key_n', budget: { usd: 0.01, period: 'day' } };
    await (await admitRequest(deps, key, 'r1', 6_000, EXPIRY)).settle({ costMicroUsd: 6_000, tokens: 0 });

    const error = await rejection(admitRequest(deps, key, 'r2', 6_000, EXPIRY));

    expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(clock.sleeps).toEqual([]);
  });

  it('waits no longer than budgets.waitMs for reservations that do not settle, nor once the request is aborted', async () => {
    const { deps, clock } = await setup(DAY_END);
    const key: BudgetPrincipal = { keyId: 'key_l', budget: { usd: 0.01, period: 'day' } };
    await admitRequest(deps, key, 'r1', 6_000, EXPIRY);

    const error = await rejection(admitRequest(deps, key, 'r2', 6_000, EXPIRY));
    expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
    const waited = clock.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeGreaterThanOrEqual(10_000);
    expect(waited).toBeLessThan(10_000 + 1_000);

    const aborted = new AbortController();
    aborted.abort(new Error('client went away'));
    const sleepsBefore = clock.sleeps.length;
    await expect(admitRequest(deps, key, 'r3', 6_000, EXPIRY, aborted.signal)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(clock.sleeps.length).toBe(sleepsBefore);
  });

  it('shares a team budget between two keys of the team', async () => {
    const { deps, keys, spend } = await setup(DAY_END);
    await keys.putTeam({ team: 'search', budget: { usd: 0.01, period: 'month' } });
    const alice: BudgetPrincipal = { keyId: 'key_alice', team: 'search' };
    const bob: BudgetPrincipal = { keyId: 'key_bob', team: 'search', budget: { usd: 5, period: 'month' } };

    await (await admitRequest(deps, alice, 'r1', 6_000, EXPIRY)).settle({ costMicroUsd: 6_000, tokens: 0 });
    const error = await rejection(admitRequest(deps, bob, 'r2', 6_000, EXPIRY));

    expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(error.message).toContain('team search');
    expect(error.message).toContain('remaining budget $0.004000');
    expect(await spend.getSpend(teamScope('search'), 'month', DAY_END)).toMatchObject({ spentMicroUsd: 6_000, reservedMicroUsd: 0 });
    expect(await spend.getSpend(keyScope('key_bob'), 'month', DAY_END)).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('limits requests per minute exactly and answers retry-after to the next minute', async () => {
    const { deps, clock } = await setup(Date.UTC(2026, 10, 24, 10, 0, 20));
    const key: BudgetPrincipal = { keyId: 'key_r', rpm: 2 };
    await admitRequest(deps, key, 'r1', 0, EXPIRY);
    await admitRequest(deps, key, 'r2', 0, EXPIRY);

    const error = await rejection(admitRequest(deps, key, 'r3', 0, EXPIRY));
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfterMs: 40_000 });
    expect(error.toResponse({}).headers.get('retry-after')).toBe('40');

    clock.set(Date.UTC(2026, 10, 24, 10, 1, 0));
    await expect(admitRequest(deps, key, 'r4', 0, EXPIRY)).resolves.toBeDefined();
  });

  it('limits tokens per minute by the tokens settled in the minute', async () => {
    const { deps } = await setup(Date.UTC(2026, 10, 24, 10, 0, 20));
    const key: BudgetPrincipal = { keyId: 'key_t', tpm: 1_000 };
    const first = await admitRequest(deps, key, 'r1', 0, EXPIRY);
    const concurrent = await admitRequest(deps, key, 'r2', 0, EXPIRY);
    await first.settle({ costMicroUsd: 0, tokens: 1_200 });

    await expect(rejection(admitRequest(deps, key, 'r3', 0, EXPIRY))).resolves.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    await concurrent.settle({ costMicroUsd: 0, tokens: 10 });
  });

  it('settles once however often settle is called', async () => {
    const { deps, spend } = await setup(DAY_END);
    const hold = await admitRequest(deps, { keyId: 'key_o', budget: { usd: 1, period: 'total' } }, 'r1', 5_000, EXPIRY);

    await Promise.all([hold.settle({ costMicroUsd: 1_000, tokens: 0 }), hold.settle({ costMicroUsd: 1_000, tokens: 0 })]);

    expect(await spend.getSpend(keyScope('key_o'), 'total', DAY_END)).toEqual({ periodKey: 'total', spentMicroUsd: 1_000, reservedMicroUsd: 0 });
  });

  it('fails closed with 503 when the spend store is unavailable', async () => {
    const { deps } = await setup(DAY_END);
    const closed = openLocalDatabase(join(dir, 'closed'));
    const broken = new SqliteSpendStore(closed);
    closed.close();

    const error = await rejection(admitRequest({ ...deps, spendStore: broken }, { keyId: 'key_x', budget: { usd: 1, period: 'month' } }, 'r1', 10, EXPIRY));
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable' });
  });
  it('charges an end user under the key’s and the team’s per-user budgets, and each tag value that has a budget', async () => {
    const { deps, keys, spend } = await setup(DAY_END);
    await keys.putTeam({ team: 'search', perUserBudget: { usd: 0.01, period: 'day' } });
    await keys.putTagBudget({ tag: 'feature=chat', budget: { usd: 0.05, period: 'day' } });
    const alice: BudgetPrincipal = { keyId: 'key_u', team: 'search', perUserBudget: { usd: 0.02, period: 'week' }, user: 'alice', tags: { feature: 'chat', env: 'dev' } };

    const hold = await admitRequest(deps, alice, 'r1', 6_000, EXPIRY);

    expect(hold.reservation.counters).toEqual([
      { scope: 'keyuser#key_u#alice', periodKey: '2026-W48' },
      { scope: 'teamuser#search#alice', periodKey: '2026-11-24' },
      { scope: 'tag#feature=chat', periodKey: '2026-11-24' },
    ]);
    for (const scope of ['keyuser#key_u#alice', 'tag#feature=chat']) expect((await spend.getSpend(scope, scope.startsWith('key') ? 'week' : 'day', DAY_END)).reservedMicroUsd).toBe(6_000);
    await hold.settle({ costMicroUsd: 6_000, tokens: 0 });

    // Alice's second request does not fit her $0.01 a day in the team; Bob has his own.
    const error = await rejection(admitRequest(deps, alice, 'r2', 6_000, EXPIRY));
    expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(error.message).toContain('Budget exceeded for user alice of team search (period 2026-11-24)');
    await expect(admitRequest(deps, { ...alice, user: 'bob' }, 'r3', 6_000, EXPIRY)).resolves.toBeDefined();
    // Without an end user, no per-user budget applies; the tag's still does.
    expect((await admitRequest(deps, { ...alice, user: null }, 'r4', 6_000, EXPIRY)).reservation.counters).toEqual([{ scope: 'tag#feature=chat', periodKey: '2026-11-24' }]);
  });

  it('charges a tag budget across keys', async () => {
    const { deps, keys } = await setup(DAY_END);
    await keys.putTagBudget({ tag: 'feature=autocomplete', budget: { usd: 0.01, period: 'month' } });
    await admitRequest(deps, { keyId: 'key_1', tags: { feature: 'autocomplete' } }, 'r1', 6_000, EXPIRY);

    const error = await rejection(admitRequest(deps, { keyId: 'key_2', tags: { feature: 'autocomplete' } }, 'r2', 6_000, EXPIRY));

    expect(error.message).toContain('Budget exceeded for tag feature=autocomplete');
    await expect(admitRequest(deps, { keyId: 'key_2', tags: { feature: 'search' } }, 'r3', 6_000, EXPIRY)).resolves.toBeDefined();
  });
});
