import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../../../../functions/adapters/local/sqlite/database';
import { SqliteKeyStore } from '../../../../functions/adapters/local/sqlite/key-store';
import { SqliteSpendStore } from '../../../../functions/adapters/local/sqlite/spend-store';
import { createGateway } from '../../../../functions/core/gateway';
import { createKeyRecord } from '../../../../functions/core/keys/new-key';
import { sweepExpiredReservations } from '../../../../functions/core/pipeline/sweep-reservations';
import { silentLogger } from '../../../../functions/core/ports/logger';
import { keyScope } from '../../../../functions/core/ports/spend-store';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import type { AuditRecord } from '../../../../functions/core/audit/audit-record';
import { parseConfig } from '../../../../functions/providers/config';
import { defaultProviders } from '../../../../functions/providers/registry';
import { TestClock } from '../../../helpers/test-clock';

// A gateway admits requests and then "dies": its upstream never answers and its clock never
// moves, so nothing settles. A sweeper on the same store, later, releases what it left behind.

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const TOTAL_MS = 60_000;
const GRACE_MS = 30_000;
// 1 micro-USD per input token, 2 per output token.
const PRICE = { input: 1, output: 2 };
const MAX_TOKENS = 100;

/** The dying gateway's config: one target, one attempt, the test's deadline and grace. */
const CONFIG = parseConfig({
  providers: { fake: { type: 'openai', baseUrl: 'http://upstream.test/v1' } },
  models: { fast: { targets: [{ provider: 'fake', model: 'fake-model', price: PRICE }] } },
  retry: { attempts: 1 },
  timeouts: { totalMs: TOTAL_MS },
  budgets: { releaseGraceMs: GRACE_MS },
});

/**
 * A gateway on `keys` and `spend` that admits requests and dies: each upstream call is reported to
 * `onUpstreamCall` and never answered, its clock never moves, and it never gets to write a usage
 * event or an audit record.
 */
function dyingGateway(keys: SqliteKeyStore, spend: SqliteSpendStore, onUpstreamCall: (url: string) => void): ReturnType<typeof createGateway> {
  return createGateway(
    {
      keyStore: keys,
      spendStore: spend,
      secrets: { get: async () => undefined },
      usageSink: { write: async () => undefined },
      auditSink: { write: async () => undefined },
      clock: new TestClock(T0),
      logger: silentLogger,
      fetch: (input) => {
        onUpstreamCall(String(input));
        return new Promise<Response>(() => undefined);
      },
      providers: defaultProviders,
    },
    CONFIG,
  );
}

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'switchyard-sweep-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sweeping expired reservations', () => {
  it('releases the reservations of requests that died once their deadline and grace have passed, charged at the estimate, with one usage event each', async () => {
    const db = openLocalDatabase(join(dir, 'died'));
    const keys = new SqliteKeyStore(db);
    const spend = new SqliteSpendStore(db);
    const { key, record } = await createKeyRecord({ name: 'agent', team: 'search', budget: { usd: 10, period: 'month' } }, new Date(T0));
    await keys.put(record);
    const reachedUpstream: string[] = [];
    const dying = dyingGateway(keys, spend, (url) => reachedUpstream.push(url));
    const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: MAX_TOKENS, stream: true, user: 'alice' });
    const requests = 120;
    for (let i = 0; i < requests; i += 1) {
      void dying(
        new Request('http://gateway.test/v1/chat/completions', {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-switchyard-tags': 'feature=chat' },
          body,
        }),
      );
    }
    while (reachedUpstream.length < requests) await new Promise((resolve) => setImmediate(resolve));
    const bodyBytes = Buffer.byteLength(body);
    // Reserved: every body byte as an input token, and the whole output limit.
    expect(await spend.getSpend(keyScope(record.keyId), 'month', T0)).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: requests * (bodyBytes * PRICE.input + MAX_TOKENS * PRICE.output) });

    const events: UsageEvent[] = [];
    const recorded: UsageEvent[] = [];
    const sweeperClock = new TestClock(T0 + TOTAL_MS + GRACE_MS - 1);
    const deps = { spendStore: spend, usageSink: { write: async (event: UsageEvent) => void events.push(event) }, metrics: { recordRequest: (event: UsageEvent) => void recorded.push(event), flush: async () => undefined }, clock: sweeperClock, logger: silentLogger };

    expect(await sweepExpiredReservations(deps)).toBe(0);
    sweeperClock.advance(1);
    expect(await sweepExpiredReservations(deps)).toBe(requests);
    expect(await sweepExpiredReservations(deps)).toBe(0);

    // Charged at the estimate: four body bytes a token, and the whole output limit.
    const estimate = Math.ceil(bodyBytes / 4) * PRICE.input + MAX_TOKENS * PRICE.output;
    expect(await spend.getSpend(keyScope(record.keyId), 'month', T0)).toMatchObject({ spentMicroUsd: requests * estimate, reservedMicroUsd: 0 });
    expect(new Set(events.map((event) => event.request_id)).size).toBe(requests);
    expect(recorded).toEqual(events);
    expect(events[0]).toMatchObject({
      ts: new Date(T0).toISOString(),
      key_id: record.keyId,
      key_name: 'agent',
      team: 'search',
      tags: { feature: 'chat' },
      user: 'alice',
      endpoint: '/v1/chat/completions',
      model_requested: 'fast',
      stream: true,
      status: 'error',
      http_status: 504,
      error_type: 'reservation_expired',
      input_tokens: Math.ceil(bodyBytes / 4),
      output_tokens: MAX_TOKENS,
      usage_estimated: true,
      cost_micro_usd: estimate,
      cost_usd: estimate / 1e6,
    });
  });

  it('writes a metadata audit record for each audited request it releases, none for the others', async () => {
    const db = openLocalDatabase(join(dir, 'audited'));
    const keys = new SqliteKeyStore(db);
    const spend = new SqliteSpendStore(db);
    const audited = await createKeyRecord({ name: 'audited', budget: { usd: 10, period: 'month' }, audit: 'full' }, new Date(T0));
    const quiet = await createKeyRecord({ name: 'quiet', budget: { usd: 10, period: 'month' } }, new Date(T0));
    await keys.put(audited.record);
    await keys.put(quiet.record);
    let reached = 0;
    const dying = dyingGateway(keys, spend, () => (reached += 1));
    for (const key of [audited.key, audited.key, quiet.key]) {
      void dying(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], max_tokens: MAX_TOKENS }) }));
    }
    while (reached < 3) await new Promise((resolve) => setImmediate(resolve));

    const events: UsageEvent[] = [];
    const records: AuditRecord[] = [];
    await sweepExpiredReservations({
      spendStore: spend,
      usageSink: { write: async (event) => void events.push(event) },
      auditSink: { write: async (record) => void records.push(record) },
      metrics: { recordRequest: () => undefined, flush: async () => undefined },
      clock: new TestClock(T0 + TOTAL_MS + GRACE_MS),
      logger: silentLogger,
    });

    expect(events).toHaveLength(3);
    const auditedEvents = events.filter((event) => event.key_id === audited.record.keyId);
    expect(records.map((record) => record.request_id).sort()).toEqual(auditedEvents.map((event) => event.request_id).sort());
    expect(records[0]).toMatchObject({ audit_level: 'metadata', key_id: audited.record.keyId, key_name: 'audited', endpoint: '/v1/chat/completions', model_requested: 'fast', status: 'error', http_status: 504, error_type: 'reservation_expired', request_body: null, response_body: null });
  });
});
