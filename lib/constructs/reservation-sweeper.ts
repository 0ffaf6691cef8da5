import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFunctionFindings, handlerEntry, switchyardFunctionProps } from './function-defaults';

/** Props of {@link ReservationSweeper}. */
export interface ReservationSweeperProps {
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** How often it runs (default every minute). */
  readonly every?: Duration;
  /** Active AWS X-Ray tracing (default false). */
  readonly tracing?: boolean;
}

/**
 * The reservation sweeper (DESIGN §4): a function an EventBridge schedule runs every minute,
 * releasing the budget reservations of requests that died without settling them (a Lambda
 * timeout or crash) once they expire, and writing their usage events. The stack grants it the
 * spend table and the usage stream.
 */
export class ReservationSweeper extends Construct {
  /** The function. */
  readonly fn: NodejsFunction;
  /** The schedule that runs it. */
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: ReservationSweeperProps) {
    super(scope, id);
    this.fn = new NodejsFunction(
      this,
      'Function',
      switchyardFunctionProps(this, 'Function', {
        entry: handlerEntry('sweeper'),
        description: `Switchyard reservation sweeper (${props.stage}): releases the budget reservations of requests that died unsettled`,
        memorySize: 256,
        // A backlog is released 100 at a time; a run cut short leaves the rest to the next one.
        timeout: Duration.minutes(2),
        logRetention: props.logRetention,
        tracing: props.tracing,
        environment: { SWITCHYARD_STAGE: props.stage, POWERTOOLS_METRICS_NAMESPACE: 'Switchyard' },
      }),
    );
    acknowledgeFunctionFindings(this.fn, { tracing: props.tracing });
    this.schedule = new Rule(this, 'Schedule', {
      description: `Runs the Switchyard reservation sweeper (${props.stage})`,
      schedule: Schedule.rate(props.every ?? Duration.minutes(1)),
      targets: [new LambdaFunction(this.fn, { retryAttempts: 0 })],
    });
  }
}
