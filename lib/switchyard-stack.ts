import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SwitchyardConfig } from '../functions/core/config/schema';
import { Alarms } from './constructs/alarms';
import { SwitchyardApi } from './constructs/api';
import { KeyAuthorizer } from './constructs/authorizer';
import { GatewayFunction } from './constructs/gateway-function';
import { KeyStore } from './constructs/key-store';
import { ProviderSecrets } from './constructs/provider-secrets';
import { SpendStore } from './constructs/spend-store';

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
}

/** Names of the stack outputs the CLI's `--stack` reads. */
export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  baseUrl: 'OpenAiBaseUrl',
  keysTable: 'KeysTableName',
  spendTable: 'SpendTableName',
} as const;

/** One Switchyard deployment: composes the constructs and wires each function to what it uses. */
export class SwitchyardStack extends Stack {
  readonly keys: KeyStore;
  readonly spend: SpendStore;
  readonly secrets: ProviderSecrets;
  readonly gateway: GatewayFunction;
  readonly authorizer: KeyAuthorizer;
  readonly api: SwitchyardApi;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: SwitchyardStackProps) {
    super(scope, id, props);
    const { stage, config, logRetention } = props;

    this.keys = new KeyStore(this, 'Keys');
    this.spend = new SpendStore(this, 'Spend');
    this.secrets = new ProviderSecrets(this, 'ProviderSecrets', { stage, providers: config.providers });

    this.authorizer = new KeyAuthorizer(this, 'Authorizer', { stage, logRetention });
    this.keys.bindTo(this.authorizer.fn);

    this.gateway = new GatewayFunction(this, 'Gateway', { config, stage, logRetention, reservedConcurrency: props.reservedConcurrency });
    // The gateway reads team budgets (cached) from the key table and reserves/settles spend.
    this.keys.bindTo(this.gateway.fn);
    this.spend.bindTo(this.gateway.fn);
    this.secrets.bindTo(this.gateway.fn);

    this.api = new SwitchyardApi(this, 'Api', {
      gateway: this.gateway.fn,
      authorizer: this.authorizer.authorizer,
      stageName: stage,
      logRetention,
      enableWaf: props.enableWaf,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      gateway: this.gateway.fn,
      authorizer: this.authorizer.fn,
      api: this.api.api,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, STACK_OUTPUTS.apiUrl, { value: this.api.api.url, description: 'API Gateway stage URL' });
    new CfnOutput(this, STACK_OUTPUTS.baseUrl, { value: this.api.baseUrl, description: 'OpenAI base_url for clients' });
    new CfnOutput(this, STACK_OUTPUTS.keysTable, { value: this.keys.table.tableName, description: 'Virtual-key table (CLI --stack)' });
    new CfnOutput(this, STACK_OUTPUTS.spendTable, { value: this.spend.table.tableName, description: 'Spend table (CLI --stack)' });
  }
}
