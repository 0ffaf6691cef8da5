import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DYNAMODB_LOCAL_ENDPOINT_ENV, DYNAMODB_LOCAL_LOG_ENV, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';

/** Tiers whose suites use DynamoDB Local (jest.config.js). */
const TIERS_WITH_DYNAMODB = ['integration', 'e2e'];

/**
 * Starts one DynamoDB Local for the whole jest run (DESIGN §7) when the run includes a tier that
 * needs it, and hands its endpoint (and the file its output goes to) to every worker through the
 * environment. It does not wait for Java to boot: suites that need no DynamoDB run meanwhile, and
 * the first one that does waits (`dynamoDbLocal()`). The instance is
 * kept on `globalThis` (setup and teardown share one context) for test/helpers/global-teardown.ts.
 */
export default async function globalSetup(globalConfig: { selectProjects?: string[] }): Promise<void> {
  const selected = globalConfig.selectProjects;
  if (selected && !selected.some((tier) => TIERS_WITH_DYNAMODB.includes(tier))) return;
  if (process.env[DYNAMODB_LOCAL_ENDPOINT_ENV]) return;
  const logFile = join(mkdtempSync(join(tmpdir(), 'switchyard-dynamodb-')), 'output.log');
  const dynamo = await startDynamoDbLocal({ waitUntilReady: false, logFile });
  process.env[DYNAMODB_LOCAL_LOG_ENV] = logFile;
  (globalThis as { switchyardDynamoDbLocal?: DynamoDbLocal }).switchyardDynamoDbLocal = dynamo;
  process.env[DYNAMODB_LOCAL_ENDPOINT_ENV] = dynamo.endpoint;
}
