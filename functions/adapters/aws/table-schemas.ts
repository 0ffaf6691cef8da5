import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** An attribute of a table or index key. DynamoDB key attributes here are all strings. */
interface KeyAttribute {
  readonly name: string;
  readonly type: 'S';
}

/**
 * The key schema of one DynamoDB table, in one place so that the adapters, the test setup
 * (DynamoDB Local) and the CDK constructs all create the same tables.
 */
export interface TableSchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes: readonly { readonly indexName: string; readonly partitionKey: KeyAttribute }[];
  /** Attribute holding the expiry in epoch seconds, when the table uses TTL. */
  readonly timeToLiveAttribute?: string;
  /** A change stream with the item before and after each write, when something reads one. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
}

/** Name of the keys table index that finds a key record by its public `keyId`. */
export const KEY_ID_INDEX = 'keyId-index';

/**
 * Keys table: one item per virtual key under `pk` = hex SHA-256 of the plaintext key, and one per
 * team budget under `pk` = `team#NAME`. The `keyId-index` GSI is sparse: only key items carry
 * `keyId`, so scanning it lists exactly the keys.
 */
export const keysTableSchema: TableSchema = {
  partitionKey: { name: 'pk', type: 'S' },
  globalSecondaryIndexes: [{ indexName: KEY_ID_INDEX, partitionKey: { name: 'keyId', type: 'S' } }],
};

/**
 * Spend table: counters per `scope` (`key#ID`, `team#NAME`) and `period` (`2026-11`,
 * `2026-11-24`, `total`), plus per-key request windows (`minute#2026-11-24T10:31`) that expire
 * through TTL on `expiresAt`.
 */
export const spendTableSchema: TableSchema = {
  partitionKey: { name: 'scope', type: 'S' },
  sortKey: { name: 'period', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiresAt',
  // Budget alerts read each counter's spend before and after every settlement from it.
  stream: 'NEW_AND_OLD_IMAGES',
};

/**
 * Responses table: stored Responses API responses, one item per response under the key that
 * created it (`keyId`, `responseId`), expiring through TTL on `expiresAt`.
 */
export const responsesTableSchema: TableSchema = {
  partitionKey: { name: 'keyId', type: 'S' },
  sortKey: { name: 'responseId', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiresAt',
};

/** The on-demand `CreateTable` input for `schema` (used by tests against DynamoDB Local). */
export function createTableInput(tableName: string, schema: TableSchema): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  for (const attribute of [schema.partitionKey, schema.sortKey, ...schema.globalSecondaryIndexes.map((index) => index.partitionKey)]) {
    if (attribute) attributes.set(attribute.name, attribute);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()].map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type })),
    KeySchema: [
      { AttributeName: schema.partitionKey.name, KeyType: 'HASH' },
      ...(schema.sortKey ? [{ AttributeName: schema.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(schema.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: schema.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' as const }],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(schema.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } } : {}),
  };
}
