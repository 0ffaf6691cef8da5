import { Aspects, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SwitchyardConfig } from '../functions/core/config/schema';
import { Alarms } from './constructs/alarms';
import { AuditTrail } from './constructs/audit-trail';
import { BudgetAlerts } from './constructs/budget-alerts';
import { SwitchyardApi } from './constructs/api';
import { KeyAuthorizer } from './constructs/authorizer';
import { GatewayFunction } from './constructs/gateway-function';
import { KeyStore } from './constructs/key-store';
import { Observability } from './constructs/observability';
import { ProviderSecrets } from './constructs/provider-secrets';
import { ReservationSweeper } from './constructs/reservation-sweeper';
import { ResponseStore } from './constructs/response-store';
import { SpendStore } from './constructs/spend-store';
import { RetainExceptOnCreate } from './constructs/stack-instance';
import { UsagePipeline } from './constructs/usage-pipeline';
import { StackOutput } from '../functions/deployment-names';

/** Props of {@link SwitchyardStack}. */
export interface SwitchyardStackProps extends StackProps {
  /** Deployment stage (`prod`, `dev`…): API stage name and secret name prefix. */
  readonly stage: string;
  /** The validated routing config. */
  readonly config: SwitchyardConfig;
  readonly logRetention: RetentionDays;
  readonly alarmEmail?: string;
  readonly enableWaf?: boolean;
  readonly reservedConcurrency?: number;
  /** Allow the config to route to the mock provider or loopback addresses (test stacks only). */
  readonly allowDevProviders?: boolean;
  /** Create the account-level API Gateway CloudWatch role (account-wide; implies access logs). */
  readonly apiGatewayCloudWatchRole?: boolean;
  /** API access and execution logs (need the account-level role; default: with it). */
  readonly apiAccessLogs?: boolean;
  /** Active X-Ray tracing on the API stage and the functions. */
  readonly tracing?: boolean;
}


/** One Switchyard deployment: composes the constructs and wires each function to what it uses. */
export class SwitchyardStack extends Stack {
  readonly keys: KeyStore;
  readonly spend: SpendStore;
  readonly responses: ResponseStore;
  readonly secrets: ProviderSecrets;
  readonly gateway: GatewayFunction;
  readonly authorizer: KeyAuthorizer;
  readonly api: SwitchyardApi;
  readonly alarms: Alarms;
  readonly usage: UsagePipeline;
  readonly audit: AuditTrail;
  readonly sweeper: ReservationSweeper;
  readonly budgetAlerts: BudgetAlerts;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: SwitchyardStackProps) {
    super(scope, id, props);
    const { stage, config, logRetention } = props;

    this.keys = new KeyStore(this, 'Keys');
    this.spend = new SpendStore(this, 'Spend');
    this.responses = new ResponseStore(this, 'Responses');
    this.secrets = new ProviderSecrets(this, 'ProviderSecrets', { stage, providers: config.providers });

    this.authorizer = new KeyAuthorizer(this, 'Authorizer', { stage, logRetention, tracing: props.tracing });
    this.keys.bindTo(this.authorizer.fn);

    this.gateway = new GatewayFunction(this, 'Gateway', {
      config,
      stage,
      logRetention,
      reservedConcurrency: props.reservedConcurrency,
      allowDevProviders: props.allowDevProviders,
      tracing: props.tracing,
    });
    // The gateway reads team budgets (cached) from the key table, reserves/settles spend and keeps responses.
    this.keys.bindTo(this.gateway.fn);
    this.spend.bindTo(this.gateway.fn);
    this.responses.bindTo(this.gateway.fn);
    this.secrets.bindTo(this.gateway.fn);

    this.api = new SwitchyardApi(this, 'Api', {
      gateway: this.gateway.fn,
      authorizer: this.authorizer.authorizer,
      stageName: stage,
      logRetention,
      enableWaf: props.enableWaf,
      createCloudWatchRole: props.apiGatewayCloudWatchRole,
      accessLogs: props.apiAccessLogs,
      tracing: props.tracing,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      gateway: this.gateway.fn,
      authorizer: this.authorizer.fn,
      api: this.api.api,
      alarmEmail: props.alarmEmail,
    });

    this.usage = new UsagePipeline(this, 'Usage');
    this.usage.bindTo(this.gateway.fn);
    this.audit = new AuditTrail(this, 'Audit', {
      database: this.usage.database,
      workgroup: this.usage.workgroup,
      accessLogsBucket: this.usage.accessLogsBucket,
      retentionDays: config.audit.retentionDays,
      objectLock: config.audit.objectLock,
    });
    this.audit.bindTo(this.gateway.fn);
    // Releases the reservations of requests that died unsettled, and writes their usage events.
    this.sweeper = new ReservationSweeper(this, 'ReservationSweeper', { stage, logRetention, tracing: props.tracing });
    this.spend.bindSweeperTo(this.sweeper.fn);
    this.usage.bindTo(this.sweeper.fn);
    this.audit.bindTo(this.sweeper.fn);
    this.budgetAlerts = new BudgetAlerts(this, 'BudgetAlerts', { stage, logRetention, spendTable: this.spend.table, tracing: props.tracing });
    this.alarms.add('BudgetAlertErrors', this.budgetAlerts.fn.metricErrors({ period: Duration.minutes(15) }), 3, 'Budget alerts keep failing (EventBridge or SNS unreachable?): the stream retries, alerts are late.');
    this.alarms.add('SweeperErrors', this.sweeper.fn.metricErrors({ period: Duration.minutes(15) }), 3, 'The reservation sweeper keeps failing: reservations of requests that died stay held and shrink their budgets.');
    this.observability = new Observability(this, 'Observability', {
      gatewayFunction: this.gateway.fn,
      // One topic for every alarm; Alarms already watches the function's errors and throttles.
      topic: this.alarms.topic,
      functionAlarms: false,
      providerModels: Object.values(config.models).flatMap((alias) =>
        alias.targets.flatMap((target) => (target.provider && target.model ? [{ provider: target.provider, model: target.model }] : [])),
      ),
      usageStream: this.usage,
      tables: [this.keys.table, this.spend.table, this.responses.table],
    });

    Aspects.of(this).add(new RetainExceptOnCreate());

    new CfnOutput(this, StackOutput.ApiUrl, { value: this.api.api.url, description: 'API Gateway stage URL' });
    new CfnOutput(this, StackOutput.OpenAiBaseUrl, { value: this.api.baseUrl, description: 'OpenAI base_url for clients' });
    new CfnOutput(this, StackOutput.KeysTable, { value: this.keys.table.tableName, description: 'Virtual-key table (CLI --stack)' });
    new CfnOutput(this, StackOutput.SpendTable, { value: this.spend.table.tableName, description: 'Spend table (CLI --stack)' });
    new CfnOutput(this, StackOutput.ResponsesTable, { value: this.responses.table.tableName, description: 'Stored Responses API responses (30-day TTL)' });
    new CfnOutput(this, StackOutput.UsageWorkgroup, { value: this.usage.workgroup.ref, description: 'Athena workgroup of the usage reports (switchyard report --stack)' });
    new CfnOutput(this, StackOutput.UsageDatabase, { value: this.usage.database.databaseName, description: 'Glue database of the usage table' });
    new CfnOutput(this, StackOutput.UsageTable, { value: this.usage.table.tableName, description: 'Glue table of the usage events' });
    new CfnOutput(this, StackOutput.AuditTable, { value: this.audit.table.tableName, description: 'Glue table of the audit records, in the usage database (switchyard audit --stack)' });
    new CfnOutput(this, StackOutput.AuditBucket, { value: this.audit.bucket.bucketName, description: 'S3 bucket of the audit records (audit/dt=YYYY-MM-DD/, KMS-encrypted)' });
    new CfnOutput(this, StackOutput.UsageBucket, { value: this.usage.bucket.bucketName, description: 'S3 bucket of the usage events (usage/dt=YYYY-MM-DD/)' });
    new CfnOutput(this, StackOutput.Dashboard, {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.observability.dashboard.dashboardName}`,
      description: 'CloudWatch dashboard of the gateway',
    });
    new CfnOutput(this, StackOutput.AlarmTopic, { value: this.alarms.topic.topicArn, description: 'SNS topic every alarm notifies (subscribe more endpoints to it)' });
    new CfnOutput(this, StackOutput.GatewayLogs, { value: this.gateway.fn.logGroup.logGroupName, description: 'CloudWatch Logs group of the gateway function (errors, undelivered usage events, EMF metrics)' });
    new CfnOutput(this, StackOutput.AuthorizerLogs, { value: this.authorizer.fn.logGroup.logGroupName, description: 'CloudWatch Logs group of the key authorizer' });
    new CfnOutput(this, StackOutput.BudgetAlertTopic, { value: this.budgetAlerts.topic.topicArn, description: 'SNS topic of budget alerts (50/80/100 % by default; subscribe e-mail, Slack or a queue)' });
    new CfnOutput(this, StackOutput.SweeperLogs, { value: this.sweeper.fn.logGroup.logGroupName, description: 'CloudWatch Logs group of the reservation sweeper (each released reservation)' });
    if (this.api.accessLogs) new CfnOutput(this, StackOutput.AccessLogs, { value: this.api.accessLogs.logGroupName, description: 'API Gateway access logs' });
  }
}
