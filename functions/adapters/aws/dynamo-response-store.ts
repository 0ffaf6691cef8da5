import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ResponseStore, StoredResponse } from '../../core/ports/response-store';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** How long a stored response is kept: OpenAI keeps them 30 days. */
const RETENTION_SECONDS = 30 * 24 * 3600;
/** DynamoDB's item limit is 400 KB; the keys and numbers around the body need a little room. */
const MAX_BODY_BYTES = 390 * 1024;

/**
 * Stored responses in DynamoDB (`responsesTableSchema`): one item per response under its key
 * (`keyId`, `responseId`), the response and its conversation gzipped in `body`, expiring after 30
 * days through TTL on `expiresAt` (and ignored once past it, since TTL deletes lazily). A lookup
 * is always by the caller's own `keyId`, so another key's id finds nothing. A conversation too
 * large for one item even gzipped is refused with an error the caller logs.
 */
export class DynamoResponseStore implements ResponseStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async put(record: StoredResponse): Promise<void> {
    const body = await zip(JSON.stringify({ response: record.response, input: record.input }));
    if (body.length > MAX_BODY_BYTES) throw new Error(`response ${record.responseId} is too large to store (${body.length} bytes gzipped)`);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { keyId: record.keyId, responseId: record.responseId, body, createdAt: record.createdAt, expiresAt: Math.floor(record.createdAt / 1000) + RETENTION_SECONDS },
      }),
    );
  }

  async get(keyId: string, responseId: string): Promise<StoredResponse | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { keyId, responseId }, ConsistentRead: true }));
    if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 <= this.now())) return undefined;
    const { response, input } = JSON.parse((await unzip(Item.body as Uint8Array)).toString('utf8')) as Pick<StoredResponse, 'response' | 'input'>;
    return { keyId, responseId, response, input, createdAt: Item.createdAt as number };
  }

  async delete(keyId: string, responseId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { keyId, responseId }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined && !(typeof Attributes.expiresAt === 'number' && Attributes.expiresAt * 1000 <= this.now());
  }
}
