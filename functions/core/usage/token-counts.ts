import type { Usage } from '../protocols/openai-chat/types';
import type { TokenCounts } from './request-record';

/** Token counts of normalised OpenAI usage. */
export function tokensFromUsage(usage: Usage): TokenCounts {
  return {
    input: usage.prompt_tokens ?? 0,
    cachedInput: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    output: usage.completion_tokens ?? 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  };
}

/**
 * An honest estimate when the provider never reported usage (stream cut, client gone): about four
 * characters per token for what was sent and what was received. Marked `estimated`.
 */
export function estimateTokens(promptChars: number, completionChars: number): TokenCounts {
  return {
    input: Math.ceil(promptChars / 4),
    cachedInput: 0,
    cacheWrite: 0,
    output: Math.ceil(completionChars / 4),
    reasoning: 0,
    estimated: true,
  };
}

/** Usage in OpenAI shape from token counts (used for estimated usage). */
export function usageFromTokens(tokens: TokenCounts): Usage {
  return { prompt_tokens: tokens.input, completion_tokens: tokens.output, total_tokens: tokens.input + tokens.output };
}
