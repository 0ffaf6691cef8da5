import { anthropicProvider } from './anthropic';
import { bedrockProvider } from './bedrock';
import { geminiProvider } from './gemini';
import { mockProvider } from './mock';
import { openaiProvider } from './openai';
import type { ProviderRegistry } from '../core/ports/provider';

/** The built-in providers, by config `type`: each provider folder contributes one entry. */
export const defaultProviders: ProviderRegistry = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
  mock: mockProvider,
  gemini: geminiProvider,
  bedrock: bedrockProvider,
};

/**
 * The built-in providers but Bedrock, the one that carries an AWS SDK client: the gateway bundle of
 * a config without Bedrock uses this registry, so esbuild leaves that client out of it (a sixth of
 * the bundle, and of its cold start). Written out rather than spread from
 * {@link defaultProviders}, so that the bundler can see nothing else refers to Bedrock.
 */
export const providersWithoutBedrock: ProviderRegistry = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
  mock: mockProvider,
  gemini: geminiProvider,
};
