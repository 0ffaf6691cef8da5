import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SwitchyardStack, type SwitchyardStackProps } from '../../lib/switchyard-stack';
import type { SwitchyardConfig } from '../../functions/core/config/schema';
import { configSchema } from '../../functions/providers/config';

/** A routing config with a keyed provider, a key-less one and Bedrock, as a user would write it. */
export const testConfig: SwitchyardConfig = configSchema.parse({
  providers: {
    openai: { type: 'openai', apiKeySecret: 'openai' },
    anthropic: { type: 'anthropic', apiKeySecret: 'anthropic' },
    azure: { type: 'openai', apiKeySecret: 'openai', baseUrl: 'https://example.openai.azure.com/openai', azure: { apiVersion: '2024-10-21' } },
    bedrock: { type: 'bedrock', region: 'us-east-1' },
  },
  models: {
    smart: { targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    claude: { targets: [{ provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }] },
    titan: { targets: [{ provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0' }] },
  },
});

/**
 * The context `cdk synth` gives the app from cdk.json (stage, config path and the feature flags
 * of a new CDK app), so tests build the stack as the CLI does.
 */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * A bare stack in an app that skips asset bundling: construct tests assert the template, not the
 * bundle (the end-to-end test runs the real bundles).
 */
export function bareStack(): Stack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A synthesized Switchyard stack: the app, the stack and its template (cdk-nag included). */
export interface SynthesizedStack {
  app: App;
  stack: SwitchyardStack;
  template: Template;
}

const synthesized = new Map<string, SynthesizedStack>();

/**
 * The Switchyard stack named `stackName` with `props` over the defaults (stage `prod`, the test
 * config, an alarm e-mail), with cdk-nag's AwsSolutions checks, synthesized once and shared by
 * every infra assertion (they run in one jest file, `infra.test.ts`): a synth of the whole stack
 * is the costly part of these tests. Throws what the synth throws (a refused config, a cdk-nag
 * finding) every time it is asked.
 */
export function synthesizedStack(stackName: string, props: Partial<SwitchyardStackProps> = {}): SynthesizedStack {
  const key = JSON.stringify([stackName, props]);
  const existing = synthesized.get(key);
  if (existing) return existing;
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new SwitchyardStack(app, stackName, {
    stage: 'prod',
    config: testConfig,
    logRetention: RetentionDays.ONE_MONTH,
    alarmEmail: 'ops@example.com',
    env: { account: '123456789012', region: 'us-east-1' },
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const result = { app, stack, template: Template.fromStack(stack) };
  synthesized.set(key, result);
  return result;
}
