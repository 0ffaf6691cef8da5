import type { TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { CanonicalUsage, FinishReason } from '../../core/model/response';

/**
 * Converse usage in the canonical form. Bedrock's `inputTokens` excludes cache reads and writes,
 * while the canonical input count includes them (DESIGN §9), so both are added back and kept apart
 * for pricing.
 */
export function toCanonicalUsage(usage: TokenUsage | undefined): CanonicalUsage | undefined {
  if (!usage) return undefined;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  return { inputTokens: (usage.inputTokens ?? 0) + cacheRead + cacheWrite, outputTokens: usage.outputTokens ?? 0, cachedInputTokens: cacheRead, cacheWriteTokens: cacheWrite };
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
 * Converse `stopReason` as the canonical finish reason (fixtures/PROVENANCE.md). A `tool_use` stop
 * caused only by the `response_format` tool is a normal answer, hence `stop`; unknown reasons
 * (e.g. `malformed_model_output`) are reported as `stop` rather than invented.
 */
export function toFinishReason(stopReason: string | undefined, sawClientToolCall: boolean): FinishReason {
  const reason = FINISH_REASONS[stopReason ?? ''] ?? 'stop';
  return reason === 'tool_calls' && !sawClientToolCall ? 'stop' : reason;
}
