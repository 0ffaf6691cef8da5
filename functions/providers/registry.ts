import { anthropicProvider } from './anthropic';
import { bedrockProvider } from './bedrock';
import { geminiProvider } from './gemini';
import { mockProvider } from './mock';
import { openaiProvider } from './openai';
import type { ProviderAdapter } from './types';

/** Provider adapters by config `type`. Each provider folder contributes one entry. */
export type ProviderRegistry = Readonly<Record<string, ProviderAdapter>>;

/** The built-in providers. */
export const defaultProviders: ProviderRegistry = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
  mock: mockProvider,
  gemini: geminiProvider,
  bedrock: bedrockProvider,
};
