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
