import { randomBytes } from 'node:crypto';
import { DynamoResponseStore } from '../../../functions/adapters/aws/dynamo-response-store';
import { responsesTableSchema } from '../../../functions/adapters/aws/table-schemas';
import type { StoredResponse } from '../../../functions/core/ports/response-store';
import { dynamoDbLocal, type DynamoDbLocal } from '../../helpers/dynamodb-local';

const record = (keyId: string, responseId: string, input: unknown[] = [{ role: 'user', content: 'Hi' }]): StoredResponse => ({ keyId, responseId, response: { id: responseId, object: 'response', output: [] }, input, createdAt: Date.UTC(2026, 11, 1) });

// What every response store does is in stores.contract.test.ts; this is what only the DynamoDB one does.
describe('DynamoResponseStore on DynamoDB Local', () => {
  let dynamo: DynamoDbLocal;
  let table: string;

  beforeAll(async () => {
    dynamo = await dynamoDbLocal();
    table = await dynamo.createTable(responsesTableSchema, 'responses');
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('keeps a long conversation gzipped, forgets a response after 30 days, and refuses one too large for an item', async () => {
    const long = Array.from({ length: 400 }, (_, i) => ({ role: 'user', content: `build output line ${i} `.repeat(100) }));
    await new DynamoResponseStore(dynamo.documentClient, table, () => Date.UTC(2026, 11, 2)).put(record('key_a', 'resp_long', long));

    expect((await new DynamoResponseStore(dynamo.documentClient, table, () => Date.UTC(2026, 11, 2)).get('key_a', 'resp_long'))?.input).toEqual(long);
    expect(await new DynamoResponseStore(dynamo.documentClient, table, () => Date.UTC(2027, 0, 1)).get('key_a', 'resp_long')).toBeUndefined();
    const random = [{ role: 'user', content: randomBytes(600 * 1024).toString('base64') }];
    await expect(new DynamoResponseStore(dynamo.documentClient, table).put(record('key_a', 'resp_huge', random))).rejects.toThrow(/too large/);
  });
});
