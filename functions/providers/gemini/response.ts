import { GatewayError } from '../../core/errors';
import type { AssistantPart, ToolCallPart } from '../../core/model/request';
import type { CanonicalCompletion, CanonicalUsage, FinishReason } from '../../core/model/response';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import type { GeminiResponse, GeminiUsageMetadata } from './wire';
import type { GeminiSettings } from './settings';
import { toolCallId } from '../shared/ids';

/** Gemini finish reasons that mean content was withheld or cut by a safety or policy filter. */
const FILTERED = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);

/**
 * Maps a Gemini `finishReason` to the canonical one. Gemini reports tool calls with `STOP`, so a choice
 * that called a tool finishes with `tool_calls`. Reasons OpenAI has no word for (`OTHER`,
 * `MALFORMED_FUNCTION_CALL`, values added after this was written) end the answer normally rather
 * than breaking the response.
 */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Gemini usage in the canonical form: the input count includes cached and tool-use prompt tokens
 * (both billed as input), the output count includes thinking tokens (Gemini counts them outside
 * `candidatesTokenCount`). Returns `undefined` when the metadata carries no counts yet (streams
 * send `{trafficType}` alone until the end).
 */
export function toUsage(meta: GeminiUsageMetadata | undefined): CanonicalUsage | undefined {
  if (meta?.promptTokenCount === undefined && meta?.candidatesTokenCount === undefined) return undefined;
  const reasoning = meta.thoughtsTokenCount ?? 0;
  return {
    inputTokens: (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0),
    outputTokens: (meta.candidatesTokenCount ?? 0) + reasoning,
    cachedInputTokens: meta.cachedContentTokenCount ?? 0,
    reasoningTokens: reasoning,
  };
}

/**
 * Translates a `generateContent` answer into a canonical completion, one answer per candidate.
 * A prompt blocked before any candidate was produced (`promptFeedback.blockReason`) is one empty
 * answer finishing with `content_filter`. Gemini's thought signatures stay on the function calls
 * they came with, to be handed back on the next turn.
 */
export function parseGeminiCompletion(json: unknown, _call: ChatCall, ctx: CallContext<GeminiSettings>): CanonicalCompletion {
  const response = json as GeminiResponse;
  let toolCount = 0;
  const answers = (response.candidates ?? []).map((candidate) => {
    const content: AssistantPart[] = [];
    let calls = 0;
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) {
        const call: ToolCallPart = { type: 'tool_call', id: toolCallId(ctx.requestId, toolCount++), name: part.functionCall.name ?? '', kind: 'function', arguments: JSON.stringify(part.functionCall.args ?? {}) };
        if (part.thoughtSignature !== undefined) call.thoughtSignature = part.thoughtSignature;
        content.push(call);
        calls += 1;
      } else if (typeof part.text === 'string') {
        content.push(part.thought === true ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text });
      }
    }
    // An answer with neither text nor calls is an empty text, not a missing one.
    if (calls === 0 && !content.some((part) => part.type === 'text')) content.push({ type: 'text', text: '' });
    return { content, finishReason: mapFinishReason(candidate.finishReason, calls > 0) };
  });
  if (answers.length === 0 && response.promptFeedback?.blockReason !== undefined) {
    answers.push({ content: [{ type: 'text', text: '' }], finishReason: 'content_filter' });
  }
  const [first, ...alternatives] = answers;
  if (!first) throw emptyAnswer(ctx.providerName);
  const completion: CanonicalCompletion = { content: first.content, finishReason: first.finishReason };
  if (alternatives.length > 0) completion.alternatives = alternatives;
  const usage = toUsage(response.usageMetadata);
  if (usage) completion.usage = usage;
  return completion;
}

/** A 2xx answer with neither candidates nor a block reason: a retryable upstream fault. */
function emptyAnswer(provider: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_response',
    message: `Provider '${provider}' returned no candidates and no block reason.`,
    verdict: 'retryable',
    errorClass: 'server_error',
    provider,
  });
}
