import type { CanonicalUsage } from '../../core/model/response';
import type { AnthropicUsage } from './wire-types';

/**
 * Anthropic usage in the canonical form. Anthropic's `input_tokens` excludes cache reads and
 * writes while the canonical input count includes every prompt token (DESIGN §9), so the three
 * are added; the cached and cache-write parts are kept apart so pricing can charge their rates.
 */
export function toCanonicalUsage(usage: AnthropicUsage | undefined): CanonicalUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const result: CanonicalUsage = {
    inputTokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning;
  return result;
}

/**
 * Merges the usage of `message_start` with the later, cumulative usage of `message_delta`:
 * a field present in the delta wins (it is the final count, e.g. `input_tokens` revised upwards
 * or cache counts that only arrive at the end), an absent one keeps the start value.
 */
export function mergeUsage(start: AnthropicUsage | undefined, delta: AnthropicUsage | undefined): AnthropicUsage | undefined {
  if (!delta) return start;
  if (!start) return delta;
  const merged: AnthropicUsage = { ...start };
  for (const [key, value] of Object.entries(delta) as Array<[keyof AnthropicUsage, AnthropicUsage[keyof AnthropicUsage]]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
