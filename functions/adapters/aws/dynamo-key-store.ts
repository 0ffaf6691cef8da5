import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Budget, KeyAdminStore, KeyRecord, TagBudgetRecord, TeamRecord } from '../../core/ports/key-store';
import { withinGrace } from '../../core/keys/grace';
import { KEY_ID_INDEX } from './table-schemas';

const TEAM_PREFIX = 'team#';
/** The one item holding every tag budget, in its `budgets` map (tag → budget). */
const TAG_BUDGETS_PK = 'tag-budgets';

/**
 * Key store on the DynamoDB keys table (see `keysTableSchema`). Key items live under their hash,
 * team items under `team#NAME`, every tag budget in one `tag-budgets` item (read whole by the
 * gateway, cached), a previous hash in the grace period of a rotation as a pointer (`rotatedTo`,
 * `validUntil`); admin look-ups by `keyId` go through the sparse `keyId-index`.
 * SDK errors propagate: the gateway maps them to 503.
 */
export class DynamoKeyStore implements KeyAdminStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: keyHash }, ConsistentRead: true }));
    if (Item && typeof Item.keyId === 'string') return toKeyRecord(Item);
    // A previous hash in its grace period points at the key it was rotated into.
    if (Item && typeof Item.rotatedTo === 'string' && typeof Item.validUntil === 'string') {
      const current = await this.get(Item.rotatedTo);
      return current ? withinGrace(current, Item.validUntil) : undefined;
    }
    return undefined;
  }

  async findTeam(team: string): Promise<TeamRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: TEAM_PREFIX + team }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, ...record } = Item;
    return record as TeamRecord;
  }

  /** One read of the `tag-budgets` item, whatever the number of tag budgets. */
  async listTagBudgets(): Promise<TagBudgetRecord[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: TAG_BUDGETS_PK }, ConsistentRead: true }));
    const budgets = (Item?.budgets ?? {}) as Record<string, Budget>;
    return Object.entries(budgets)
      .map(([tag, budget]) => ({ tag, budget }))
      .sort((a, b) => a.tag.localeCompare(b.tag));
  }

  async put(record: KeyRecord): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: toItem(record.keyHash, record), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: KEY_ID_INDEX,
        KeyConditionExpression: 'keyId = :keyId',
        ExpressionAttributeValues: { ':keyId': keyId },
      }),
    );
    const item = Items?.[0];
    return item ? toKeyRecord(item) : undefined;
  }

  async list(): Promise<KeyRecord[]> {
    const records: KeyRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, IndexName: KEY_ID_INDEX, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) records.push(toKeyRecord(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  async replace(record: KeyRecord, options: { graceUntil?: string } = {}): Promise<void> {
    const current = await this.get(record.keyId);
    if (!current) throw new Error(`No key with id ${record.keyId}.`);
    const put = { TableName: this.tableName, Item: toItem(record.keyHash, record) };
    if (current.keyHash === record.keyHash) {
      await this.client.send(new PutCommand({ ...put, ConditionExpression: 'attribute_exists(pk)' }));
      return;
    }
    // Rotation, in one write with making the new hash work: the old hash stops working, or, with a
    // grace period, becomes a pointer to the key (no keyId attribute, so the keyId index skips it).
    const old =
      options.graceUntil === undefined
        ? { Delete: { TableName: this.tableName, Key: { pk: current.keyHash }, ConditionExpression: 'attribute_exists(pk)' } }
        : { Put: { TableName: this.tableName, Item: { pk: current.keyHash, rotatedTo: record.keyId, validUntil: options.graceUntil }, ConditionExpression: 'attribute_exists(pk)' } };
    await this.client.send(new TransactWriteCommand({ TransactItems: [old, { Put: { ...put, ConditionExpression: 'attribute_not_exists(pk)' } }] }));
  }

  async putTeam(record: TeamRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: toItem(TEAM_PREFIX + record.team, record) }));
  }

  /** Teams are few and listed by an operator: a filtered scan of the table. */
  async listTeams(): Promise<TeamRecord[]> {
    const teams: TeamRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, FilterExpression: 'begins_with(pk, :team)', ExpressionAttributeValues: { ':team': TEAM_PREFIX }, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, ...record } = item;
        teams.push(record as TeamRecord);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return teams.sort((a, b) => a.team.localeCompare(b.team));
  }

  /** Sets one entry of the `tag-budgets` map, creating the item (and map) on first use. */
  async putTagBudget(record: TagBudgetRecord): Promise<void> {
    const key = { pk: TAG_BUDGETS_PK };
    await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: 'SET budgets = if_not_exists(budgets, :empty)', ExpressionAttributeValues: { ':empty': {} } }));
    await this.client.send(
      new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: 'SET budgets.#tag = :budget', ExpressionAttributeNames: { '#tag': record.tag }, ExpressionAttributeValues: { ':budget': record.budget } }),
    );
  }
}

function toKeyRecord(item: Record<string, unknown>): KeyRecord {
  const { pk: _pk, ...record } = item;
  return record as unknown as KeyRecord;
}

/** The item for `record` under `pk`, without undefined attributes (which DynamoDB rejects). */
function toItem(pk: string, record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ pk, ...record }).filter(([, value]) => value !== undefined));
}
