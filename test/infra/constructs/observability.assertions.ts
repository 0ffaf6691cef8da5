import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Observability, type ObservabilityProps } from '../../../lib/constructs/observability';
import { UsagePipeline } from '../../../lib/constructs/usage-pipeline';

function synth(extra: Partial<ObservabilityProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const gatewayFunction = new lambda.Function(stack, 'Gateway', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
  const usage = new UsagePipeline(stack, 'Usage');
  const keys = new dynamodb.TableV2(stack, 'Keys', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const spend = new dynamodb.TableV2(stack, 'Spend', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const observability = new Observability(stack, 'Observability', {
    gatewayFunction,
    usageStream: usage,
    tables: [keys, spend],
    providerModels: [
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      { provider: 'openai', model: 'gpt-4o' },
    ],
    ...extra,
  });
  return { stack, observability, keys, template: Template.fromStack(stack) };
}

type Alarm = { Properties: Record<string, unknown> & { Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string } }[] } };

describe('Observability', () => {
  const { stack, observability, keys, template } = synth({ alarmEmail: 'platform@example.com' });
  const topicRef = { Ref: stack.getLogicalId(observability.topic.node.defaultChild as never) };
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  const metricNames = (alarm: Alarm) => [alarm.Properties.MetricName, ...(alarm.Properties.Metrics ?? []).map((m) => m.MetricStat?.Metric.MetricName)].filter(Boolean);

  it('notifies an encrypted, TLS-only topic with an optional e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    synth().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('wires every alarm to the topic, for alarm and recovery', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });

  it('alarms on each required signal', () => {
    const watched = alarms.map(metricNames).map((names) => names.join('+'));

    expect(watched).toEqual(
      expect.arrayContaining([
        'Errors+Requests',
        'Errors',
        'Throttles',
        'Latency',
        'TimeToFirstToken',
        'Fallbacks+Requests',
        'UsageDeliveryFailures',
        'AuditDeliveryFailures',
        'DeliveryToS3.DataFreshness',
        'FailedConversion.Records',
        'ProviderAttemptFailures+ProviderAttempts',
        'ReadThrottleEvents+WriteThrottleEvents',
      ]),
    );
    // 8 gateway alarms, 2 distinct provider models, freshness, Parquet conversion, 2 tables.
    expect(alarms).toHaveLength(14);
  });

  it('watches the service aggregate of the EMF metrics, p99 for latencies', () => {
    const latency = alarms.find((alarm) => alarm.Properties.MetricName === 'Latency');
    const ttft = alarms.find((alarm) => alarm.Properties.MetricName === 'TimeToFirstToken');
    const failures = alarms.find((alarm) => alarm.Properties.MetricName === 'UsageDeliveryFailures');

    expect(latency?.Properties).toMatchObject({ Namespace: 'Switchyard', ExtendedStatistic: 'p99', Threshold: 60000, Dimensions: [{ Name: 'service', Value: 'switchyard' }] });
    expect(ttft?.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 10000 });
    expect(failures?.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('alarms on the error rate of each configured provider model once', () => {
    const providerAlarms = alarms.filter((alarm) => (alarm.Properties.Metrics ?? []).some((m) => m.MetricStat?.Metric.Dimensions.some((d) => d.Name === 'Provider')));
    const targets = providerAlarms.map((alarm) => {
      const dims = alarm.Properties.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Metric.Dimensions ?? [];
      return Object.fromEntries(dims.map((d) => [d.Name, d.Value]));
    });

    expect(targets).toEqual([
      { service: 'switchyard', Provider: 'openai', Model: 'gpt-4o' },
      { service: 'switchyard', Provider: 'anthropic', Model: 'claude-sonnet-4-5' },
    ]);
    expect(providerAlarms.every((alarm) => alarm.Properties.Metrics?.some((m) => /^provider\d+_numerator \/ provider\d+_denominator$/.test(m.Expression ?? '')))).toBe(true);
  });

  it('alarms on Firehose freshness beyond three buffering intervals and on DynamoDB throttling per table', () => {
    const freshness = alarms.find((alarm) => alarm.Properties.MetricName === 'DeliveryToS3.DataFreshness');
    const throttles = alarms.filter((alarm) => metricNames(alarm).includes('ReadThrottleEvents'));

    expect(freshness?.Properties).toMatchObject({ Namespace: 'AWS/Firehose', Statistic: 'Maximum', Threshold: 900 });
    expect(throttles.map((alarm) => alarm.Properties.Metrics?.[1]?.MetricStat?.Metric.Dimensions)).toContainEqual([{ Name: 'TableName', Value: { Ref: stack.getLogicalId(keys.node.defaultChild as never) } }]);
  });

  it('can notify a shared topic and leave the function alarms to another construct', () => {
    const stack = new Stack(new App(), 'Shared');
    const gatewayFunction = new lambda.Function(stack, 'Gateway', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    const shared = new sns.Topic(stack, 'Shared');
    new Observability(stack, 'Observability', { gatewayFunction, topic: shared, functionAlarms: false });
    const sharedTemplate = Template.fromStack(stack);

    sharedTemplate.resourceCountIs('AWS::SNS::Topic', 1);
    const sharedAlarms = Object.values(sharedTemplate.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
    expect(sharedAlarms.map((alarm) => alarm.Properties.AlarmActions)).toEqual(sharedAlarms.map(() => [{ Ref: stack.getLogicalId(shared.node.defaultChild as never) }]));
    expect(sharedAlarms.flatMap(metricNames)).not.toContain('Throttles');
    expect(sharedAlarms).toHaveLength(6);
  });

  it('puts the metrics on one dashboard', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);

    expect(dashboards).toHaveLength(1);
    for (const metric of ['Requests', 'Errors', 'Latency', 'TimeToFirstToken', 'GatewayOverhead', 'InputTokens', 'OutputTokens', 'CostUSD', 'Attempts', 'Fallbacks', 'BudgetRejections', 'RateLimitRejections', 'UsageDeliveryFailures', 'AuditDeliveryFailures', 'DeliveryToS3.DataFreshness', 'ReadThrottleEvents', 'Throttles']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('SEARCH(');
    expect(body).toContain('alarm');
  });
});
