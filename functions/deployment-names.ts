/**
 * Names the deployed functions, the CLI and the CDK stack share: defined once here and imported
 * by each, so a rename cannot leave one side behind. (Metric names are the core's own, in
 * `core/usage/request-metrics.ts`, which the stack imports too.)
 */

/** The service name of logs and metrics (Powertools `service` dimension). */
export const SERVICE_NAME = 'switchyard';

/** Environment variables the stack sets on the functions and the handlers read. */
export const FunctionEnv = {
  /** Virtual-key table name. */
  KeysTable: 'SWITCHYARD_KEYS_TABLE',
  /** Spend table name. */
  SpendTable: 'SWITCHYARD_SPEND_TABLE',
  /** Stored-responses table name. */
  ResponsesTable: 'SWITCHYARD_RESPONSES_TABLE',
  /** Name prefix of the provider secrets (`switchyard/<stage>-<suffix>/`). */
  SecretPrefix: 'SWITCHYARD_SECRET_PREFIX',
  /** Usage Firehose delivery stream name. */
  UsageStream: 'USAGE_STREAM_NAME',
  /** Audit Firehose delivery stream name. */
  AuditStream: 'SWITCHYARD_AUDIT_STREAM_NAME',
  /** ARN of the SNS topic of budget alerts. */
  BudgetAlertTopic: 'SWITCHYARD_BUDGET_ALERT_TOPIC_ARN',
} as const;

/** Output keys of a deployed stack; the CLI's `--stack` reads those it needs by these keys. */
export const StackOutput = {
  ApiUrl: 'ApiUrl',
  OpenAiBaseUrl: 'OpenAiBaseUrl',
  KeysTable: 'KeysTableName',
  SpendTable: 'SpendTableName',
  ResponsesTable: 'ResponsesTableName',
  UsageWorkgroup: 'UsageWorkgroupName',
  UsageDatabase: 'UsageDatabaseName',
  UsageTable: 'UsageTableName',
  UsageBucket: 'UsageBucketName',
  AuditTable: 'AuditTableName',
  AuditBucket: 'AuditBucketName',
  Dashboard: 'DashboardUrl',
  AlarmTopic: 'AlarmTopicArn',
  GatewayLogs: 'GatewayLogGroupName',
  AuthorizerLogs: 'AuthorizerLogGroupName',
  SweeperLogs: 'SweeperLogGroupName',
  BudgetAlertTopic: 'BudgetAlertTopicArn',
  AccessLogs: 'ApiAccessLogGroupName',
} as const;

/** Output key naming the secret of `apiKeySecret: NAME` (`ProviderSecretopenai`…). */
export function providerSecretOutputId(name: string): string {
  return `ProviderSecret${name.replace(/[^A-Za-z0-9]/g, '')}`;
}
