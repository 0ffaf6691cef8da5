import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { openLocalDatabase } from '../../../functions/adapters/local/sqlite/database';
import { SqliteSpendStore } from '../../../functions/adapters/local/sqlite/spend-store';
import { runCli } from '../../../functions/cli/main';
import { keyScope, keyUserScope } from '../../../functions/core/ports/spend-store';
import { dynamoDbLocal, type DynamoDbLocal } from '../../helpers/dynamodb-local';
import { startFakeCloudFormation, type FakeCloudFormation } from '../../helpers/fake-cloudformation';

let dir: string;
let dynamo: DynamoDbLocal;
let cloudFormation: FakeCloudFormation | undefined;
const savedCloudFormationEndpoint = process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
  dynamo = await dynamoDbLocal();
}, 90_000);
afterAll(async () => {
  await dynamo?.stop();
  await cloudFormation?.close();
  if (savedCloudFormationEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
  else process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = savedCloudFormationEndpoint;
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process and returns its exit code and output. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: dir });
  return { code, stdout, stderr };
}

async function locations(): Promise<[string, string[]][]> {
  const keysTable = await dynamo.createTable(keysTableSchema, 'keys');
  const spendTable = await dynamo.createTable(spendTableSchema, 'spend');
  // A deployed stack: the CLI reads the table names from the stack outputs (DescribeStacks).
  const stackKeys = await dynamo.createTable(keysTableSchema, 'stack-keys');
  const stackSpend = await dynamo.createTable(spendTableSchema, 'stack-spend');
  await cloudFormation?.close();
  cloudFormation = await startFakeCloudFormation({ 'switchyard-prod': { KeysTableName: stackKeys, SpendTableName: stackSpend, ApiUrl: 'https://example.invalid/prod/' } });
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudFormation.url;
  return [
    ['local data dir', ['--data-dir', join(dir, 'data')]],
    ['DynamoDB tables', ['--endpoint-url', dynamo.endpoint, '--region', 'us-east-1', '--keys-table', keysTable, '--spend-table', spendTable]],
    ['deployed stack', ['--stack', 'switchyard-prod', '--endpoint-url', dynamo.endpoint, '--region', 'us-east-1']],
  ];
}

describe('keys and budget commands', () => {
  beforeAll(() => {
    // The SDK's standard credential chain reads these; DynamoDB Local accepts any.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  });

  it('create a key with limits, set a team budget and show both budgets', async () => {
    for (const [where, flags] of await locations()) {
      const created = await cli('keys', 'create', '--name', 'search-svc', '--team', 'search', '--budget', '5', '--period', 'day', '--rpm', '60', '--tpm', '10000', '--expires', '2030-01-01', '--models', 'fast,smart', '--json', ...flags);
      expect({ where, code: created.code, stderr: created.stderr }).toEqual({ where, code: 0, stderr: '' });
      const key = JSON.parse(created.stdout) as { keyId: string; key: string; budget: unknown; rpm: number; tpm: number; expiresAt: string; models: string[] };
      expect(key).toMatchObject({ budget: { usd: 5, period: 'day' }, rpm: 60, tpm: 10000, expiresAt: '2030-01-01T00:00:00.000Z', models: ['fast', 'smart'] });
      expect(key.key).toMatch(/^sk-sy-[A-Za-z0-9]{32,}$/);

      expect((await cli('budget', 'set', '--team', 'search', '--usd', '100', '--period', 'month', ...flags)).code).toBe(0);
      const shown = await cli('keys', 'show', key.keyId, '--json', ...flags);

      expect(shown.code).toBe(0);
      const { spend } = JSON.parse(shown.stdout) as { spend: { scope: string; period: string; limitUsd: number; spentUsd: number; remainingUsd: number }[] };
      expect(spend).toEqual([
        expect.objectContaining({ scope: `key#${key.keyId}`, period: 'day', limitUsd: 5, spentUsd: 0, remainingUsd: 5 }),
        expect.objectContaining({ scope: 'team#search', period: 'month', limitUsd: 100, spentUsd: 0, remainingUsd: 100 }),
      ]);
      // Every budget of the store, and one team's, with spend and remaining.
      expect(JSON.parse((await cli('budget', 'list', '--json', ...flags)).stdout)).toEqual(spend);
      expect(JSON.parse((await cli('budget', 'show', '--team', 'search', '--json', ...flags)).stdout)).toEqual([spend[1]]);
      expect((await cli('budget', 'show', '--team', 'nobody', ...flags)).stdout).toBe('No budget.\n');
    }
    expect(cloudFormation?.asked).toContain('switchyard-prod');
  });

  it('set audit levels on a key and a team, on each store, keeping their budgets', async () => {
    for (const [where, flags] of await locations()) {
      const created = JSON.parse((await cli('keys', 'create', '--name', 'auditor', '--team', 'legal', '--audit', 'metadata', '--json', ...flags)).stdout) as { keyId: string; audit: string };
      expect({ where, audit: created.audit }).toEqual({ where, audit: 'metadata' });
      expect((await cli('budget', 'set', '--team', 'legal', '--usd', '50', ...flags)).code).toBe(0);
      const teamSet = await cli('budget', 'set', '--team', 'legal', '--audit', 'full', ...flags);
      expect(teamSet.stdout).toContain('Audit level of team legal: full');
      expect((await cli('budget', 'set', '--key', created.keyId, '--audit', 'full', '--json', ...flags)).code).toBe(0);

      const shown = JSON.parse((await cli('keys', 'show', created.keyId, '--json', ...flags)).stdout) as { audit: string; spend: { scope: string; limitUsd: number }[] };
      expect(shown.audit).toBe('full');
      // Setting the team's audit level kept its budget.
      expect(shown.spend).toEqual([expect.objectContaining({ scope: 'team#legal', limitUsd: 50 })]);
    }
    const tagAudit = await cli('budget', 'set', '--tag', 'feature=x', '--audit', 'full', '--data-dir', join(dir, 'data'));
    expect(tagAudit.code).toBe(2);
    expect(tagAudit.stderr).toContain('--audit applies to a key or a team');
    const unknown = await cli('keys', 'create', '--name', 'x', '--audit', 'everything', '--data-dir', join(dir, 'data'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--audit must be one of none, metadata, full, got 'everything'");
  });

  it('show spend and remaining of the current period and change a key budget', async () => {
    const data = join(dir, 'spent');
    const created = JSON.parse((await cli('keys', 'create', '--name', 'n', '--budget', '1', '--json', '--data-dir', data)).stdout) as { keyId: string };
    const spend = new SqliteSpendStore(openLocalDatabase(data));
    const outcome = await spend.admit({ requestId: 'r', scopes: [{ scope: keyScope(created.keyId), limitMicroUsd: 1e6, period: 'month' }], amountMicroUsd: 300_000, at: Date.now(), expiry: { releaseAt: Date.now() + 3_600_000, chargeMicroUsd: 300_000, request: { keyId: created.keyId, keyName: 'held', team: null, user: null, tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: false, startedAt: Date.now(), inputTokens: 1, outputTokens: 1 } } });
    if (!outcome.ok) throw new Error('reservation refused');
    await spend.settle(outcome.reservation, { costMicroUsd: 250_000, at: Date.now() });

    expect((await cli('budget', 'set', '--key', created.keyId, '--usd', '2', '--data-dir', data)).code).toBe(0);
    const shown = await cli('keys', 'show', created.keyId, '--data-dir', data);

    expect(shown.stdout).toContain('spent $0.250000, reserved $0.000000, remaining $1.750000 of $2.000000');
    const periodKey = new Date().toISOString().slice(0, 7);
    expect((await cli('budget', 'show', '--key', created.keyId, '--data-dir', data)).stdout).toBe(`key#${created.keyId} month ${periodKey}: spent $0.250000, reserved $0.000000, remaining $1.750000 of $2.000000\n`);
  });

  it('set per-user and tag budgets, list them, and show one end user’s spend', async () => {
    for (const [where, storeFlags] of await locations()) {
      // A data dir of its own: the other tests' keys would be in the listing.
      const flags = where === 'local data dir' ? ['--data-dir', join(dir, 'scopes')] : storeFlags;
      const { keyId } = JSON.parse((await cli('keys', 'create', '--name', 'agent', '--team', 'platform', '--json', ...flags)).stdout) as { keyId: string };

      expect((await cli('budget', 'set', '--key', keyId, '--per-user-usd', '2', '--period', 'day', ...flags)).stdout).toContain(`Budget of each end user of key ${keyId}: $2 per day`);
      const team = await cli('budget', 'set', '--team', 'platform', '--usd', '50', '--per-user-usd', '5', '--period', 'week', '--json', ...flags);
      expect(JSON.parse(team.stdout)).toEqual({ team: 'platform', budget: { usd: 50, period: 'week' }, perUserBudget: { usd: 5, period: 'week' } });
      // The tag as a request carries it: trimmed around the name and the value.
      expect((await cli('budget', 'set', '--tag', ' feature = autocomplete ', '--usd', '100', ...flags)).stdout).toContain('Budget of tag feature=autocomplete: $100 per month');

      expect({ where, list: JSON.parse((await cli('budget', 'list', '--json', ...flags)).stdout) }).toEqual({
        where,
        list: [
          { scope: `keyuser#${keyId}#*`, period: 'day', limitUsd: 2, perUser: true },
          expect.objectContaining({ scope: 'team#platform', period: 'week', limitUsd: 50, spentUsd: 0, remainingUsd: 50 }),
          { scope: 'teamuser#platform#*', period: 'week', limitUsd: 5, perUser: true },
          expect.objectContaining({ scope: 'tag#feature=autocomplete', period: 'month', limitUsd: 100, spentUsd: 0, remainingUsd: 100 }),
        ],
      });
      if (where === 'local data dir') {
        // Alice spent $0.40 under the key's per-user budget.
        const spend = new SqliteSpendStore(openLocalDatabase(join(dir, 'scopes')));
        const held = await spend.admit({ requestId: 'alice-1', scopes: [{ scope: keyUserScope(keyId, 'alice'), limitMicroUsd: 2e6, period: 'day' }], amountMicroUsd: 500_000, at: Date.now(), expiry: { releaseAt: Date.now() + 3_600_000, chargeMicroUsd: 500_000, request: { keyId, keyName: 'agent', team: 'platform', user: 'alice', tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: false, startedAt: Date.now(), inputTokens: 1, outputTokens: 1 } } });
        if (!held.ok) throw new Error('reservation refused');
        await spend.settle(held.reservation, { costMicroUsd: 400_000, at: Date.now() });
      }
      const alice = JSON.parse((await cli('budget', 'show', '--key', keyId, '--user', 'alice', '--json', ...flags)).stdout) as unknown[];
      expect(alice).toEqual([
        expect.objectContaining({ scope: `keyuser#${keyId}#alice`, period: 'day', limitUsd: 2, spentUsd: where === 'local data dir' ? 0.4 : 0, remainingUsd: where === 'local data dir' ? 1.6 : 2 }),
        expect.objectContaining({ scope: 'team#platform', limitUsd: 50 }),
        expect.objectContaining({ scope: 'teamuser#platform#alice', period: 'week', limitUsd: 5, spentUsd: 0 }),
      ]);
      expect((await cli('budget', 'show', '--tag', 'feature=autocomplete', ...flags)).stdout).toMatch(/^tag#feature=autocomplete month \d{4}-\d{2}: spent \$0\.000000, reserved \$0\.000000, remaining \$100\.000000 of \$100\.000000\n$/);
      expect((await cli('budget', 'show', '--team', 'platform', ...flags)).stdout).toContain('teamuser#platform#* week: $5.000000 for each end user');
      // A budget's own alert thresholds, kept with it and shown.
      const alerted = await cli('budget', 'set', '--tag', 'feature=autocomplete', '--usd', '100', '--alerts', '90, 25,50,25', '--json', ...flags);
      expect(JSON.parse(alerted.stdout)).toEqual({ tag: 'feature=autocomplete', budget: { usd: 100, period: 'month', alerts: [25, 50, 90] } });
      expect((await cli('budget', 'show', '--tag', 'feature=autocomplete', ...flags)).stdout).toContain('of $100.000000; alerts at 25%, 50%, 90%');
    }
  });

  it('name an unknown stack clearly', async () => {
    await locations();
    const result = await cli('keys', 'list', '--stack', 'no-such-stack', '--region', 'us-east-1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no-such-stack/);
  });

  it('reject a budget command without a subject or amount as a usage error', async () => {
    expect((await cli('budget', 'set', '--usd', '5')).code).toBe(2);
    expect((await cli('budget', 'set', '--team', 't')).code).toBe(2);
    expect((await cli('budget', 'show')).code).toBe(2);
    expect((await cli('budget', 'set', '--team', 't', '--key', 'k', '--usd', '1')).code).toBe(2);
    expect((await cli('budget', 'set', '--tag', 'no-equals-sign', '--usd', '1')).code).toBe(2);
    expect((await cli('budget', 'set', '--tag', 'feature=a', '--per-user-usd', '1')).code).toBe(2);
    expect((await cli('budget', 'show', '--tag', 'feature=a', '--user', 'alice')).code).toBe(2);
    expect((await cli('budget', 'set', '--tag', 'feature=a', '--usd', '1', '--alerts', '0,50')).code).toBe(2);
    expect((await cli('budget', 'set', '--tag', 'feature=a', '--usd', '1', '--alerts', 'half')).code).toBe(2);
    expect((await cli('keys', 'create', '--name', 'x', '--rpm', 'many')).code).toBe(2);
  });
});
