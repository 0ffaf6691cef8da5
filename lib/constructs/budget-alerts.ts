import { Arn, Duration, Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FunctionEnv } from '../../functions/deployment-names';
import { acknowledgeFunctionFindings, handlerEntry, switchyardFunctionProps } from './function-defaults';

/** Props of {@link BudgetAlerts}. */
export interface BudgetAlertsProps {
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** The spend table; it must have a NEW_AND_OLD_IMAGES stream. */
  readonly spendTable: TableV2;
  /** Active AWS X-Ray tracing (default false). */
  readonly tracing?: boolean;
}

/**
 * Budget alerts (DESIGN §4): a function on the spend table's stream, filtered to budget counters,
 * that sends each threshold crossing once as an event on the account's default EventBridge bus
 * (`source` `switchyard`) and a message on its own SNS topic (TLS only, SSE with the AWS-managed
 * key). Subscribe to the topic (`BudgetAlertTopicArn`) or write an EventBridge rule.
 */
export class BudgetAlerts extends Construct {
  readonly fn: NodejsFunction;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: BudgetAlertsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: `Switchyard budget alerts (${props.stage})`,
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    this.fn = new NodejsFunction(
      this,
      'Function',
      switchyardFunctionProps(this, 'Function', {
        entry: handlerEntry('budget-alerts'),
        description: `Switchyard budget alerts (${props.stage}): threshold crossings from the spend table's stream to EventBridge and SNS`,
        memorySize: 256,
        timeout: Duration.seconds(60),
        logRetention: props.logRetention,
        tracing: props.tracing,
        environment: { SWITCHYARD_STAGE: props.stage, [FunctionEnv.SpendTable]: props.spendTable.tableName, [FunctionEnv.BudgetAlertTopic]: this.topic.topicArn },
      }),
    );
    acknowledgeFunctionFindings(this.fn, { tracing: props.tracing });
    this.fn.addEventSource(
      new DynamoEventSource(props.spendTable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 10,
        // Budget counters only: they carry their limit (reservations, rate windows do not).
        filters: [FilterCriteria.filter({ dynamodb: { NewImage: { limitMicroUsd: { N: FilterRule.exists() } } } })],
      }),
    );
    // Claiming a threshold on the counter item; reading the stream (its ARN only) is granted by the event source.
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.spendTable.tableArn] }));
    // Publishing only: the topic's AWS-managed key lets every principal of the account that may
    // publish use it through SNS, so no KMS grant (grantPublish would add one on key/*).
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [Arn.format({ service: 'events', resource: 'event-bus', resourceName: 'default' }, stack)] }));
  }
}
