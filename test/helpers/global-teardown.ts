import type { DynamoDbLocal } from './dynamodb-local';

/** Stops the DynamoDB Local that test/helpers/global-setup.ts started, if it did. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { switchyardDynamoDbLocal?: DynamoDbLocal };
  await holder.switchyardDynamoDbLocal?.stop();
  holder.switchyardDynamoDbLocal = undefined;
}
