import { Match } from 'aws-cdk-lib/assertions';
import type { SwitchyardStackProps } from '../../lib/switchyard-stack';
import { synthesizedStack, type SynthesizedStack } from './fixtures';

/** The stack with `options`, shared with the other infra assertions (see `synthesizedStack`). */
const app = (enableWaf: boolean, options: Partial<SwitchyardStackProps> = {}): SynthesizedStack => synthesizedStack('Switchyard-prod', enableWaf ? { enableWaf, ...options } : options);

describe('SwitchyardStack', () => {
  it.each([
    ['defaults', false, {}],
    ['WAF, access logs with the account role and X-Ray', true, { apiGatewayCloudWatchRole: true, tracing: true }],
    ['X-Ray, access logs with the account role', false, { tracing: true, apiGatewayCloudWatchRole: true }],
    ['access logs on an existing account role', false, { apiAccessLogs: true }],
  ])('passes cdk-nag AwsSolutions with every finding acknowledged (%s)', (_name, enableWaf, options) => {
    // cdk-nag findings surface from synth as a validation failure listing each one.
    expect(() => app(enableWaf, options)).not.toThrow();
  });

  it('exports the outputs the CLI reads with --stack', () => {
    const { stack, template } = app(false);
    const id = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);

    template.hasOutput('KeysTableName', { Value: { Ref: id(stack.keys.table) } });
    template.hasOutput('SpendTableName', { Value: { Ref: id(stack.spend.table) } });
    template.hasOutput('ResponsesTableName', { Value: { Ref: id(stack.responses.table) } });
    template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    template.hasOutput('OpenAiBaseUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/v1'])] } });
    template.hasOutput('UsageWorkgroupName', { Value: { Ref: stack.getLogicalId(stack.usage.workgroup) } });
    template.hasOutput('UsageDatabaseName', { Value: { Ref: id(stack.usage.database) } });
    template.hasOutput('UsageTableName', { Value: { Ref: id(stack.usage.table) } });
    template.hasOutput('UsageBucketName', { Value: { Ref: id(stack.usage.bucket) } });
  });

  it('sends usage to Firehose and notifies one topic from every alarm', () => {
    const { stack, template } = app(false);
    const id = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ USAGE_STREAM_NAME: { Ref: id(stack.usage.deliveryStream) } }) },
    });
    // The alarm topic, and the budget alerts' own.
    template.resourceCountIs('AWS::SNS::Topic', 2);
    // Encrypted with a customer-managed key CloudWatch may use to publish.
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]),
      }),
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmActions: unknown } }[];
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: id(stack.alarms.topic) }]);
  });

  it('gives each function only what it uses', () => {
    const { stack, template } = app(false);
    const id = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
    const policyOf = (fn: { role?: { node: { findChild(id: string): { node: { defaultChild?: unknown } } } } }): Record<string, unknown> => {
      const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(fn.role as never) }] } });
      return Object.values(policies)[0] as Record<string, unknown>;
    };

    expect(policyOf(stack.authorizer.fn)).toMatchObject({
      Properties: { PolicyDocument: { Statement: [{ Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [id(stack.keys.table), 'Arn'] } }] } },
    });
    const gatewayStatements = (policyOf(stack.gateway.fn) as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } })
      .Properties.PolicyDocument.Statement;
    expect(gatewayStatements.map((s) => s.Action)).toEqual([
      ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      'dynamodb:GetItem',
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      'secretsmanager:GetSecretValue',
      ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    ]);
    // Usage events and audit records, each to its own stream.
    expect(gatewayStatements[5]!.Resource).toEqual([{ 'Fn::GetAtt': [id(stack.audit.deliveryStream), 'Arn'] }, { 'Fn::GetAtt': [id(stack.usage.deliveryStream), 'Arn'] }]);
    expect(gatewayStatements[3]!.Resource).toEqual({ 'Fn::GetAtt': [id(stack.responses.table), 'Arn'] });
    expect(gatewayStatements[1]!.Resource).toEqual({ 'Fn::GetAtt': [id(stack.keys.table), 'Arn'] });
    expect(gatewayStatements[2]!.Resource).toEqual({ 'Fn::GetAtt': [id(stack.spend.table), 'Arn'] });
    // The sweeper queries, deletes and charges reservation records, and writes usage events and audit records: nothing else.
    expect(policyOf(stack.sweeper.fn)).toMatchObject({
      Properties: {
        PolicyDocument: {
          Statement: [
            { Action: ['dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [id(stack.spend.table), 'Arn'] } },
            { Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: [{ 'Fn::GetAtt': [id(stack.audit.deliveryStream), 'Arn'] }, { 'Fn::GetAtt': [id(stack.usage.deliveryStream), 'Arn'] }] },
          ],
        },
      },
    });
  });

  it('sends budget alerts from the spend table’s stream to EventBridge and an SSL-only topic, with only the grants that needs', () => {
    const { stack, template } = app(false);
    const id = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
    const fnId = id(stack.budgetAlerts.fn);
    const topicId = stack.getLogicalId(stack.budgetAlerts.topic.node.defaultChild as never);

    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      EventSourceArn: { 'Fn::GetAtt': [id(stack.spend.table), 'StreamArn'] },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { limitMicroUsd: { N: [{ exists: true }] } } } }) }] },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.stringLikeRegexp('alias/aws/sns') });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(stack.budgetAlerts.fn.role as never) }] } });
    const statements = (Object.values(policies)[0] as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement;
    expect(statements.map((statement) => statement.Action)).toEqual([
      ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      'dynamodb:UpdateItem',
      'sns:Publish',
      'events:PutEvents',
    ]);
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [id(stack.spend.table), 'StreamArn'] });
    expect(statements[1]!.Resource).toEqual({ 'Fn::GetAtt': [id(stack.spend.table), 'Arn'] });
    expect(statements[2]!.Resource).toEqual({ Ref: topicId });
    expect(JSON.stringify(statements[3]!.Resource)).toContain(':event-bus/default');
    template.hasOutput('BudgetAlertTopicArn', { Value: { Ref: topicId } });
  });

  it('runs the reservation sweeper every minute, and alarms when it keeps failing', () => {
    const { stack, template } = app(false);
    const sweeperId = stack.getLogicalId(stack.sweeper.fn.node.defaultChild as never);

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeperId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [sweeperId, 'Arn'] }, Principal: 'events.amazonaws.com' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 120,
      Environment: { Variables: Match.objectLike({ SWITCHYARD_SPEND_TABLE: Match.anyValue(), USAGE_STREAM_NAME: Match.anyValue() }) },
      Description: Match.stringLikeRegexp('reservation sweeper'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweeperId } }], MetricName: 'Errors', Threshold: 3 });
    template.hasOutput('SweeperLogGroupName', Match.anyValue());
  });

  it('subscribes the alarm e-mail to an SSL-only topic', () => {
    const template = app(false).template;
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});
