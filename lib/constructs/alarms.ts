import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createAlarmTopic } from './alarm-topic';

/** Props of {@link Alarms}. */
export interface AlarmsProps {
  readonly gateway: LambdaFunction;
  readonly authorizer: LambdaFunction;
  readonly api: RestApi;
  /** Address subscribed to the alarm topic (optional; confirm the subscription e-mail). */
  readonly alarmEmail?: string;
}

/**
 * The alarm topic (KMS-encrypted, SSL-only publishing) with an optional e-mail subscription, and the operational
 * alarms every deployment needs: function errors and throttles, and API 5XX. Other constructs add
 * their own alarms to {@link Alarms.topic} through {@link Alarms.add}.
 */
export class Alarms extends Construct {
  /** SNS topic every alarm notifies. */
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = createAlarmTopic(this, 'Topic', props.alarmEmail);

    const period = Duration.minutes(5);
    this.add('GatewayErrors', props.gateway.metricErrors({ period }), 1, 'Gateway function invocations failed.');
    this.add('GatewayThrottles', props.gateway.metricThrottles({ period }), 1, 'Gateway function throttled: raise reserved concurrency.');
    this.add('AuthorizerErrors', props.authorizer.metricErrors({ period }), 1, 'Authorizer failed (key store unreachable?).');
    this.add('Api5xx', props.api.metricServerError({ period, statistic: 'Sum' }), 5, 'API answered 5XX.');
  }

  /** Adds an alarm (≥ `threshold` in one period) that notifies the topic. */
  add(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    return alarm;
  }
}
