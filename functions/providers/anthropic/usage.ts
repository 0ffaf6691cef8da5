import type { Usage } from '../../core/openai/types';
import type { AnthropicUsage } from './wire-types';

/**
 * Converts Anthropic usage to OpenAI usage. Anthropic's `input_tokens` excludes cache reads and
 * writes while OpenAI's `prompt_tokens` includes every prompt token (DESIGN §9), so the three are
 * added; the cached and cache-write parts are reported in `prompt_tokens_details` so pricing can
 * charge them at their own rates.
 */
export function toOpenAiUsage(usage: AnthropicUsage | undefined): Usage {
  const input = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const output = usage?.output_tokens ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  if (typeof reasoning === 'number') result.completion_tokens_details = { reasoning_tokens: reasoning };
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
