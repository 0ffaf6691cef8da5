import { DynamoBudgetAlerts } from '../../../../functions/adapters/aws/dynamo-budget-alerts';
import { DynamoSpendStore } from '../../../../functions/adapters/aws/dynamo-spend-store';
import { spendTableSchema } from '../../../../functions/adapters/aws/table-schemas';
import type { BudgetAlert } from '../../../../functions/core/alerts/budget-alerts';
import { keyScope, type ReservationExpiry, type ScopeLimit } from '../../../../functions/core/ports/spend-store';
import { dynamoDbLocal, type DynamoDbLocal } from '../../../helpers/dynamodb-local';

// Budget alerts on AWS (issue 16, item 5): concurrent settlements on DynamoDB Local, then the
// spend table's real stream records handed to the alert function's adapter as the Lambda event
// source would — twice, and by two racing invocations — and each threshold is sent exactly once.

const NOV_24 = Date.UTC(2026, 10, 24, 10, 0, 0);
const LIMIT = 3_000;
const COST = 100;
const REQUESTS = 25;

let dynamo: DynamoDbLocal;
beforeAll(async () => (dynamo = await dynamoDbLocal()), 90_000);
afterAll(() => dynamo?.stop());

function expiry(keyId: string): ReservationExpiry {
  return { releaseAt: NOV_24 + 3_600_000, chargeMicroUsd: COST, request: { keyId, keyName: keyId, team: null, user: null, tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: false, startedAt: NOV_24, inputTokens: 1, outputTokens: 1 } };
}

/** Admits and settles `count` requests of `COST` each on the key's budget, all at once. */
async function spend(store: DynamoSpendStore, keyId: string, count: number): Promise<void> {
  const scope: ScopeLimit = { scope: keyScope(keyId), limitMicroUsd: LIMIT, period: 'month', alerts: [25, 50, 75] };
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const outcome = await store.admit({ requestId: `${keyId}-${i}`, scopes: [scope], amountMicroUsd: COST, at: NOV_24, expiry: expiry(keyId) });
      if (!outcome.ok) throw new Error('reservation refused');
      await store.settle(outcome.reservation, { costMicroUsd: COST, at: NOV_24 });
    }),
  );
}

describe('budget alerts from the DynamoDB spend table stream', () => {
  it('sends each crossed threshold once, however often and however concurrently the records are handled', async () => {
    const table = await dynamo.createTable(spendTableSchema, 'alerts');
    const store = new DynamoSpendStore(dynamo.documentClient, table);
    await spend(store, 'key_a', REQUESTS);
    const sent: BudgetAlert[] = [];
    const alerts = new DynamoBudgetAlerts(dynamo.documentClient, table, { send: async (alert) => void sent.push(alert) });

    const records = await dynamo.streamRecords(table);
    // Two invocations racing on the same batch, then the stream delivering it again.
    await Promise.all([alerts.handle(records), alerts.handle(records)]);
    await alerts.handle(records);

    expect(sent.map((alert) => alert.thresholdPercent).sort((a, b) => a - b)).toEqual([25, 50, 75]);
    for (const alert of sent) {
      expect(alert).toMatchObject({ scope: 'key#key_a', owner: 'key key_a', periodKey: '2026-11', limitUsd: LIMIT / 1e6 });
      expect(alert.spentUsd * 1e6).toBeGreaterThanOrEqual((LIMIT * alert.thresholdPercent) / 100);
      expect(alert.spentUsd * 1e6).toBeLessThan((LIMIT * alert.thresholdPercent) / 100 + COST);
    }
    expect(await store.getSpend(keyScope('key_a'), 'month', NOV_24)).toEqual({ periodKey: '2026-11', spentMicroUsd: REQUESTS * COST, reservedMicroUsd: 0, alertedPercents: [25, 50, 75] });
  });

  it('gives a threshold back when sending it fails, so the retried batch sends it', async () => {
    const table = await dynamo.createTable(spendTableSchema, 'alerts-retry');
    const store = new DynamoSpendStore(dynamo.documentClient, table);
    await spend(store, 'key_b', 8);
    const records = await dynamo.streamRecords(table);
    const failing = new DynamoBudgetAlerts(dynamo.documentClient, table, { send: async () => Promise.reject(new Error('SNS unreachable')) });
    const sent: BudgetAlert[] = [];
    const working = new DynamoBudgetAlerts(dynamo.documentClient, table, { send: async (alert) => void sent.push(alert) });

    await expect(failing.handle(records)).rejects.toThrow('SNS unreachable');
    expect((await store.getSpend(keyScope('key_b'), 'month', NOV_24)).alertedPercents).toBeUndefined();
    await working.handle(records);

    expect(sent.map((alert) => alert.thresholdPercent)).toEqual([25]);
  });
});
