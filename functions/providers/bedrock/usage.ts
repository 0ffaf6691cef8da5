import type { TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { FinishReason, Usage } from '../../core/openai/types';

/**
 * Converse usage in OpenAI form. Bedrock's `inputTokens` excludes cache reads and writes, while
 * OpenAI's `prompt_tokens` includes them (DESIGN §9), so both are added back and reported in
 * `prompt_tokens_details` for pricing.
 */
export function toOpenAiUsage(usage: TokenUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const prompt = (usage.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/**
 * Converse `stopReason` as an OpenAI `finish_reason` (fixtures/PROVENANCE.md). A `tool_use` stop
 * caused only by the `response_format` tool is a normal answer, hence `stop`; unknown reasons
 * (e.g. `malformed_model_output`) are reported as `stop` rather than invented.
 */
export function toFinishReason(stopReason: string | undefined, sawClientToolCall: boolean): FinishReason {
  const reason = FINISH_REASONS[stopReason ?? ''] ?? 'stop';
  return reason === 'tool_calls' && !sawClientToolCall ? 'stop' : reason;
}
