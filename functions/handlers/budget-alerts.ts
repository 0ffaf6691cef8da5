import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoBudgetAlerts } from '../adapters/aws/dynamo-budget-alerts';
import { EventBridgeSnsAlertSink } from '../adapters/aws/eventbridge-sns-alert-sink';
import { BACKGROUND_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { FunctionEnv } from '../deployment-names';
import { requiredEnv } from './required-env';

const alerts = new DynamoBudgetAlerts(
  DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig(BACKGROUND_TIMEOUTS))),
  requiredEnv(FunctionEnv.SpendTable),
  new EventBridgeSnsAlertSink(new EventBridgeClient(sdkClientConfig(BACKGROUND_TIMEOUTS)), new SNSClient(sdkClientConfig(BACKGROUND_TIMEOUTS)), requiredEnv(FunctionEnv.BudgetAlertTopic)),
);

/**
 * Budget alerts: reads the spend table's stream (budget counters only, by the event source's
 * filter) and sends each threshold crossing once, as an EventBridge event and an SNS message.
 * A failure throws, and the stream retries the batch (alerts already sent are not sent again).
 */
export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  await alerts.handle(event.Records);
}
