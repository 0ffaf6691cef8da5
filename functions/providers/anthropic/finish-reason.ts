import type { FinishReason } from '../../core/model/response';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  // A server tool loop paused by Anthropic: the turn is over from the client's point of view.
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * Maps an Anthropic `stop_reason` to the canonical finish reason (fixtures PROVENANCE.md).
 * `hasToolCalls` is false when the only tool called was the structured-output tool, whose input
 * is returned as content, so the client sees a normal `stop`.
 */
export function toFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const mapped = (stopReason && FINISH_REASONS[stopReason]) || 'stop';
  return mapped === 'tool_calls' && !hasToolCalls ? 'stop' : mapped;
}
