import type { CanonicalUsage } from '../model/response';
import type { TokenCounts } from './request-record';

/**
 * The response header of a token-counting endpoint (`count_tokens`, `input_tokens`) that says
 * how it counted: `exact` (by the target) or `estimated` (DESIGN §2).
 */
export const TOKEN_COUNT_HEADER = 'x-switchyard-token-count';

/** Token counts of canonical usage. */
export function tokensFromUsage(usage: CanonicalUsage): TokenCounts {
  return {
    input: usage.inputTokens,
    cachedInput: usage.cachedInputTokens ?? 0,
    cacheWrite: usage.cacheWriteTokens ?? 0,
    output: usage.outputTokens,
    reasoning: usage.reasoningTokens ?? 0,
    estimated: false,
  };
}

/** Characters (or prompt bytes) per token of an estimate, where no count is known. */
export const CHARS_PER_ESTIMATED_TOKEN = 4;

/**
 * An honest estimate when the provider never reported usage (stream cut, client gone): about
 * {@link CHARS_PER_ESTIMATED_TOKEN} characters per token for what was sent and what was received.
 * Marked `estimated`.
 */
export function estimateTokens(promptChars: number, completionChars: number): TokenCounts {
  return {
    input: Math.ceil(promptChars / CHARS_PER_ESTIMATED_TOKEN),
    cachedInput: 0,
    cacheWrite: 0,
    output: Math.ceil(completionChars / CHARS_PER_ESTIMATED_TOKEN),
    reasoning: 0,
    estimated: true,
  };
}

/** Canonical usage from token counts (used for estimated usage). */
export function usageFromTokens(tokens: TokenCounts): CanonicalUsage {
  return { inputTokens: tokens.input, outputTokens: tokens.output };
}
