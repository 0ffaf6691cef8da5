import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createAlarmTopic } from './alarm-topic';
import { SERVICE_NAME } from '../../functions/deployment-names';
import { Dimension, METRICS_NAMESPACE, MetricName, type MetricNameValue } from '../../functions/core/usage/request-metrics';

/** A provider model the routing config can call; one error-rate alarm each. */
interface ProviderModel {
  readonly provider: string;
  readonly model: string;
}

/** Alarm thresholds; every one has a default that suits an interactive LLM gateway. */
interface ObservabilityThresholds {
  /** Share of requests answered 5xx or cut by the upstream. @default 0.05 */
  readonly serverErrorRate?: number;
  /** p99 of the whole request, ms. @default 60000 */
  readonly latencyP99Ms?: number;
  /** p99 time to the first streamed token, ms. @default 10000 */
  readonly timeToFirstTokenP99Ms?: number;
  /** Share of a provider model's attempts that the provider failed (retries and fallbacks included). @default 0.2 */
  readonly providerErrorRate?: number;
  /** Fallbacks per request. @default 0.2 */
  readonly fallbackRate?: number;
  /** Age of the oldest record not yet in S3, seconds. @default three buffering intervals */
  readonly firehoseFreshnessSeconds?: number;
}

/** Props of {@link Observability}. */
export interface ObservabilityProps {
  /** The gateway function (errors, throttles). */
  readonly gatewayFunction: lambda.IFunction;
  /**
   * The `service` dimension the gateway's Powertools Metrics publish with
   * (`POWERTOOLS_SERVICE_NAME`). @default SERVICE_NAME ('switchyard')
   */
  readonly metricsServiceName?: string;
  /** Provider models from the routing config. @default none */
  readonly providerModels?: readonly ProviderModel[];
  /** The usage delivery stream and its buffering interval. @default no freshness alarm */
  readonly usageStream?: { readonly deliveryStream: firehose.IDeliveryStream; readonly bufferingInterval: Duration };
  /** DynamoDB tables whose throttling is alarmed. @default none */
  readonly tables?: readonly (dynamodb.ITable | dynamodb.ITableV2)[];
  /**
   * Topic to notify instead of creating one (the stack shares one alarm topic between constructs).
   * @default a new KMS-encrypted, TLS-only topic
   */
  readonly topic?: sns.ITopic;
  /** Subscribes this address to the topic this construct creates. @default no subscription */
  readonly alarmEmail?: string;
  /**
   * Whether to alarm on the gateway function's errors and throttles; off when another construct
   * already does, so one incident sends one notification. @default true
   */
  readonly functionAlarms?: boolean;
  readonly thresholds?: ObservabilityThresholds;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms and a dashboard for the gateway (DESIGN §5): every alarm notifies one SNS topic
 * (KMS-encrypted, TLS-only, optional e-mail). Gateway metrics are the EMF metrics the function
 * publishes in namespace `Switchyard`; the alarms watch the [service] aggregate, and the
 * provider error-rate alarms the [service, Provider, Model] sets of the configured targets.
 *
 * @example
 * new Observability(this, 'Observability', { gatewayFunction, usageStream: usage, tables: [keys, spend], alarmEmail });
 */
export class Observability extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly service: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.service = props.metricsServiceName ?? SERVICE_NAME;
    const limits = props.thresholds ?? {};
    const fn = props.gatewayFunction;

    this.topic = props.topic ?? createAlarmTopic(this, 'AlarmTopic', props.alarmEmail);

    const requests = this.metric(MetricName.Requests, 'Sum');
    const serverErrorRate = rate('server', 'Gateway 5xx rate', this.metric(MetricName.Errors, 'Sum'), requests);
    const fallbackRate = rate('fallback', 'Fallbacks per request', this.metric(MetricName.Fallbacks, 'Sum'), requests);
    const latencyP99 = this.metric(MetricName.Latency, 'p99');
    const ttftP99 = this.metric(MetricName.TimeToFirstToken, 'p99');
    const deliveryFailures = this.metric(MetricName.UsageDeliveryFailures, 'Sum');
    const auditFailures = this.metric(MetricName.AuditDeliveryFailures, 'Sum');

    this.alarm('GatewayServerErrorRate', serverErrorRate, limits.serverErrorRate ?? 0.05, 'Share of requests answered 5xx or cut by the upstream.', 3, 2);
    if (props.functionAlarms ?? true) {
      this.alarm('FunctionErrors', fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 1, 'The gateway function failed (crash, timeout, out of memory).', 3, 2);
      this.alarm('FunctionThrottles', fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 1, 'The gateway function was throttled: raise reserved or account concurrency.', 3, 2);
    }
    this.alarm('LatencyP99', latencyP99, limits.latencyP99Ms ?? 60_000, 'p99 request latency is high.', 3, 3);
    this.alarm('TimeToFirstTokenP99', ttftP99, limits.timeToFirstTokenP99Ms ?? 10_000, 'p99 time to first streamed token is high.', 3, 3);
    this.alarm('FallbackRate', fallbackRate, limits.fallbackRate ?? 0.2, 'Many requests need a fallback target: a provider is failing.', 3, 2);
    this.alarm('UsageDeliveryFailures', deliveryFailures, 1, 'Usage events could not be delivered to Firehose; they are in the function logs ("usage event not delivered").', 1, 1);
    this.alarm('AuditDeliveryFailures', auditFailures, 1, 'Audit records could not be delivered to Firehose; they are in the function logs ("audit record not delivered").', 1, 1);

    const providerRates = uniqueTargets(props.providerModels ?? []).map((target, index) => {
      const dims = { [Dimension.Provider]: target.provider, [Dimension.Model]: target.model };
      // Per attempt, not per request: a primary that fails while its fallback answers still shows.
      const errorRate = rate(
        `provider${index}`,
        `${target.provider}/${target.model} attempt failure rate`,
        this.metric(MetricName.ProviderAttemptFailures, 'Sum', dims),
        this.metric(MetricName.ProviderAttempts, 'Sum', dims),
      );
      // The index keeps ids unique when two model ids differ only in punctuation.
      this.alarm(`ProviderErrorRate${index}-${`${target.provider}-${target.model}`.replace(/[^A-Za-z0-9-]/g, '-')}`, errorRate, limits.providerErrorRate ?? 0.2, `Error rate of ${target.model} on ${target.provider} is high.`, 3, 2);
      return errorRate;
    });

    let freshness: cloudwatch.IMetric | undefined;
    let conversionFailures: cloudwatch.IMetric | undefined;
    if (props.usageStream) {
      freshness = props.usageStream.deliveryStream.metric('DeliveryToS3.DataFreshness', { period: PERIOD, statistic: 'Maximum' });
      const limit = limits.firehoseFreshnessSeconds ?? props.usageStream.bufferingInterval.toSeconds() * 3;
      this.alarm('UsageDataFreshness', freshness, limit, 'Usage records wait too long in Firehose before reaching S3.', 3, 3);
      // A record that fails Parquet conversion lands under usage-errors/ in the bucket, not in
      // the usage table: reports would silently miss it.
      conversionFailures = props.usageStream.deliveryStream.metric('FailedConversion.Records', { period: PERIOD, statistic: 'Sum' });
      this.alarm('UsageConversionFailures', conversionFailures, 1, 'Usage records failed Parquet conversion and are under usage-errors/ in the usage bucket, missing from reports.', 1, 1);
    }

    const throttles = (props.tables ?? []).map((table, index) => {
      const metric = (name: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName: name, dimensionsMap: { TableName: table.tableName }, period: PERIOD, statistic: 'Sum' });
      const sum = new cloudwatch.MathExpression({
        expression: `table${index}_reads + table${index}_writes`,
        usingMetrics: { [`table${index}_reads`]: metric('ReadThrottleEvents'), [`table${index}_writes`]: metric('WriteThrottleEvents') },
        label: `${table.node.id} throttled requests`,
        period: PERIOD,
      });
      this.alarm(`DynamoThrottles${index}`, sum, 1, `DynamoDB table ${table.node.path} throttled requests; budgets fail closed (503) while it does.`, 3, 2);
      return sum;
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const byDimension = (metricName: MetricNameValue, dimensions: string[], statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${[...dimensions, 'service'].join(',')}} MetricName="${metricName}" service="${this.service}"', '${statistic}', ${PERIOD.toSeconds()})`,
        label,
        period: PERIOD,
        usingMetrics: {},
      });
    this.dashboard.addWidgets(
      graph('Requests and 5xx rate', [requests], [serverErrorRate]),
      graph('Latency', [this.metric(MetricName.Latency, 'p50'), latencyP99]),
      graph('Time to first token', [this.metric(MetricName.TimeToFirstToken, 'p50'), ttftP99]),
    );
    this.dashboard.addWidgets(
      graph('Cost (USD) by team', [byDimension(MetricName.CostUSD, [Dimension.Team], 'Sum', '')]),
      graph('Tokens', [this.metric(MetricName.InputTokens, 'Sum'), this.metric(MetricName.OutputTokens, 'Sum')]),
      graph('Errors by provider and model', [byDimension(MetricName.Errors, [Dimension.Provider, Dimension.Model], 'Sum', ''), ...providerRates]),
    );
    this.dashboard.addWidgets(
      graph('Fallbacks and attempts', [this.metric(MetricName.Fallbacks, 'Sum'), this.metric(MetricName.Attempts, 'Sum')], [fallbackRate]),
      graph('Rejections and released reservations', [this.metric(MetricName.BudgetRejections, 'Sum'), this.metric(MetricName.RateLimitRejections, 'Sum'), this.metric(MetricName.ReleasedReservations, 'Sum')]),
      graph('Gateway function', [fn.metricErrors({ period: PERIOD }), fn.metricThrottles({ period: PERIOD })], [fn.metricDuration({ period: PERIOD, statistic: 'p99' })]),
      graph('Gateway overhead before the first byte (ms)', [this.metric(MetricName.GatewayOverhead, 'p50'), this.metric(MetricName.GatewayOverhead, 'p99')]),
    );
    this.dashboard.addWidgets(
      graph('Usage and audit delivery', [deliveryFailures, auditFailures, ...(conversionFailures ? [conversionFailures] : [])], freshness ? [freshness] : []),
      graph('DynamoDB throttling', throttles),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8, height: 6 }),
    );
  }

  /**
   * A TLS-only topic encrypted with a customer managed key: CloudWatch can publish to an
   * encrypted topic only when the key policy lets it use the key, which the AWS managed SNS key
   * does not.
   */

  /** A Switchyard EMF metric on the [service] set, or on [service, …dims]. */
  private metric(name: MetricNameValue, statistic: string, dims: Record<string, string> = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: this.service, ...dims }, statistic, period: PERIOD });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods: number, datapointsToAlarm: number): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not an incident; the function-error alarms catch a dead gateway.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/**
 * `numerator / denominator` as one metric-math series (no data when there is no traffic).
 * `key` keeps the metric ids unique when several rates share a dashboard graph.
 */
function rate(key: string, label: string, numerator: cloudwatch.IMetric, denominator: cloudwatch.IMetric): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `${key}_numerator / ${key}_denominator`,
    usingMetrics: { [`${key}_numerator`]: numerator, [`${key}_denominator`]: denominator },
    label,
    period: PERIOD,
  });
}

/** Each provider model once, however many aliases route to it. */
function uniqueTargets(targets: readonly ProviderModel[]): ProviderModel[] {
  const seen = new Map<string, ProviderModel>();
  for (const target of targets) seen.set(JSON.stringify([target.provider, target.model]), target);
  return [...seen.values()];
}
