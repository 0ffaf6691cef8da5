import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from '../lib/app-settings';
import { SwitchyardStack } from '../lib/switchyard-stack';

// The CDK app: context → settings → one stack, checked by cdk-nag on every synth.
const app = new App();
const settings = readAppSettings((key) => app.node.tryGetContext(key), (path) => readFileSync(resolve(path), 'utf8'));
new SwitchyardStack(app, settings.stackName, {
  stage: settings.stage,
  config: settings.config,
  logRetention: settings.logRetention,
  alarmEmail: settings.alarmEmail,
  enableWaf: settings.enableWaf,
  reservedConcurrency: settings.reservedConcurrency,
  allowDevProviders: settings.allowDevProviders,
  apiGatewayCloudWatchRole: settings.apiGatewayCloudWatchRole,
  apiAccessLogs: settings.apiAccessLogs,
  tracing: settings.tracing,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
