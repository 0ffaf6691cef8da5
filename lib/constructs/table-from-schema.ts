import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { TableSchema } from '../../functions/adapters/aws/table-schemas';

/**
 * A DynamoDB table with the key schema the adapters use (one definition for code, tests and
 * infrastructure) and the settings every Switchyard table has: on-demand billing, point-in-time
 * recovery, deletion protection, KMS encryption with the AWS-managed key, retained on removal.
 * cdk-nag's DynamoDB rules do not inspect TableV2, so the construct tests assert these.
 */
export function tableFromSchema(scope: Construct, id: string, schema: TableSchema, removalPolicy = RemovalPolicy.RETAIN): TableV2 {
  return new TableV2(scope, id, {
    partitionKey: { name: schema.partitionKey.name, type: AttributeType.STRING },
    sortKey: schema.sortKey ? { name: schema.sortKey.name, type: AttributeType.STRING } : undefined,
    globalSecondaryIndexes: schema.globalSecondaryIndexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey.name, type: AttributeType.STRING },
    })),
    timeToLiveAttribute: schema.timeToLiveAttribute,
    dynamoStream: schema.stream === 'NEW_AND_OLD_IMAGES' ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: TableEncryptionV2.awsManagedKey(),
    removalPolicy,
  });
}
