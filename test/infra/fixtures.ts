import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
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
