import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
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

/** Every record of the table's stream so far, in the shape the Lambda event source delivers. */
async function streamRecords(table: string): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: Table?.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (let page = 0; iterator && page < 100; page += 1) {
      const batch = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      // As the event source delivers them: the creation time in epoch seconds (the SDK gives a Date).
      for (const record of batch.Records ?? []) {
        const created = record.dynamodb?.ApproximateCreationDateTime;
        records.push({ ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: created ? created.getTime() / 1000 : undefined } } as unknown as DynamoDBRecord);
      }
      if ((batch.Records ?? []).length === 0) break;
      iterator = batch.NextShardIterator;
    }
  }
  streams.destroy();
  return records;
}

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

    const records = await streamRecords(table);
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
    const records = await streamRecords(table);
    const failing = new DynamoBudgetAlerts(dynamo.documentClient, table, { send: async () => Promise.reject(new Error('SNS unreachable')) });
    const sent: BudgetAlert[] = [];
    const working = new DynamoBudgetAlerts(dynamo.documentClient, table, { send: async (alert) => void sent.push(alert) });

    await expect(failing.handle(records)).rejects.toThrow('SNS unreachable');
    expect((await store.getSpend(keyScope('key_b'), 'month', NOV_24)).alertedPercents).toBeUndefined();
    await working.handle(records);

    expect(sent.map((alert) => alert.thresholdPercent)).toEqual([25]);
  });
});
