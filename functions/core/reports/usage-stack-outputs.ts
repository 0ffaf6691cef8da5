/**
 * CloudFormation output keys of a deployed stack that `switchyard report --stack NAME` reads to
 * find the usage data. The stack declares them with these ids; the CLI looks them up by key.
 */
export const UsageStackOutput = {
  Workgroup: 'UsageWorkgroupName',
  Database: 'UsageDatabaseName',
  Table: 'UsageTableName',
  Bucket: 'UsageBucketName',
} as const;
