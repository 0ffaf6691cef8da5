import { DYNAMODB_LOCAL_ENDPOINT_ENV, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';

/** Tiers whose suites use DynamoDB Local (jest.config.js). */
const TIERS_WITH_DYNAMODB = ['integration', 'e2e'];

/**
 * Starts one DynamoDB Local for the whole jest run (DESIGN §7) when the run includes a tier that
 * needs it, and hands its endpoint to every worker through the environment. The instance is
 * kept on `globalThis` (setup and teardown share one context) for test/helpers/global-teardown.ts.
 */
export default async function globalSetup(globalConfig: { selectProjects?: string[] }): Promise<void> {
  const selected = globalConfig.selectProjects;
  if (selected && !selected.some((tier) => TIERS_WITH_DYNAMODB.includes(tier))) return;
  if (process.env[DYNAMODB_LOCAL_ENDPOINT_ENV]) return;
  const dynamo = await startDynamoDbLocal();
  (globalThis as { switchyardDynamoDbLocal?: DynamoDbLocal }).switchyardDynamoDbLocal = dynamo;
  process.env[DYNAMODB_LOCAL_ENDPOINT_ENV] = dynamo.endpoint;
}
