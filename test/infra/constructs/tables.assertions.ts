import { Template, Match } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Stack } from 'aws-cdk-lib';
import { keysTableSchema, responsesTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { KeyStore } from '../../../lib/constructs/key-store';
import { ResponseStore } from '../../../lib/constructs/response-store';
import { SpendStore } from '../../../lib/constructs/spend-store';
import { bareStack } from '../fixtures';

function plainFunction(stack: Stack): LambdaFunction {
  return new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler=()=>{}') });
}

describe.each([
  { name: 'KeyStore', make: (s: Stack) => new KeyStore(s, 'Store'), schema: keysTableSchema, env: 'SWITCHYARD_KEYS_TABLE', actions: 'dynamodb:GetItem' },
  { name: 'SpendStore', make: (s: Stack) => new SpendStore(s, 'Store'), schema: spendTableSchema, env: 'SWITCHYARD_SPEND_TABLE', actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  { name: 'ResponseStore', make: (s: Stack) => new ResponseStore(s, 'Store'), schema: responsesTableSchema, env: 'SWITCHYARD_RESPONSES_TABLE', actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'] },
])('$name', ({ make, schema, env, actions }) => {
  it('creates the adapter key schema with on-demand billing, PITR, deletion protection and KMS encryption, retained', () => {
    const stack = bareStack();
    make(stack);
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: Match.absent(),
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: schema.partitionKey.name, KeyType: 'HASH' },
          ...(schema.sortKey ? [{ AttributeName: schema.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
        ...(schema.timeToLiveAttribute ? { TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true } } : {}),
        ...(schema.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: schema.globalSecondaryIndexes.map((index) =>
                Match.objectLike({ IndexName: index.indexName, KeySchema: [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }] }),
              ),
            }
          : {}),
      }),
    });
  });

  it('bindTo sets the table-name variable and grants only the item actions it needs on this table', () => {
    const stack = bareStack();
    const store = make(stack);
    store.bindTo(plainFunction(stack));
    const template = Template.fromStack(stack);
    const tableId = stack.getLogicalId(store.table.node.defaultChild as never);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [env]: { Ref: tableId } } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: actions, Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }],
      },
    });
  });
});
